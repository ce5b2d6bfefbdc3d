"""Questions: everything the project knows about each graded stub, in one declaration.

A question's contract, reference, case drawing, oracles, tolerance, building blocks,
named mistakes and labels live in one :class:`~.question.Question` (see
``assignments/AUTHORING.md``); :mod:`.registry` finds them all. The judge, the public
checks, the mutation tool, the reports and the docs tables read only the registry.
"""
