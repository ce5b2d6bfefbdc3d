"""Mutation adequacy of the hidden tests (issue 9): mutants of every stub's reference cell
(:mod:`.operators`, :mod:`.mutator`), scored as grading scores them (:mod:`.adequacy`),
told from equivalent ones by a sweep of inputs (:mod:`.sweep`).

Run ``benchmarks/mutation_kill_rate.py`` for the table.
"""
