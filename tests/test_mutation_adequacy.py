"""Issue 9 item 2, "Mutation adequacy, measured by a tool".

Every one-site mutant of every stub's reference cell (``mutation/``) is scored
in-process on the hidden parts of its assignment, as grading scores it. Each must lose
points in its own question and nowhere else, unless it is equivalent (it agrees with the
reference on a seeded sweep of inputs); the equivalents are listed in
``benchmarks/mutation_equivalents.txt``, which ``benchmarks/mutation_kill_rate.py``
writes and this test keeps current.
"""

import ast
from pathlib import Path

import pytest

from backprop_lab.building.public_cases import public_cases
from backprop_lab.course import public
from backprop_lab.course.wire import pack, unpack
from backprop_lab.mutation import adequacy
from backprop_lab.mutation.adequacy import (
    Scorer,
    all_mutations,
    equivalents_text,
    hidden_parts,
    notebook,
)
from backprop_lab.mutation.mutator import Mutation, mutations
from backprop_lab.samples import reference_source

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "benchmarks" / "mutation_equivalents.txt"

pytestmark = pytest.mark.task("mutation adequacy")


@pytest.fixture(scope="module")
def scorer():
    return Scorer(ROOT / "assignments")


@pytest.fixture(scope="module")
def outcomes(scorer):
    return [scorer.judge_mutant(m) for ms in all_mutations().values() for m in ms]


def listing(found) -> str:
    return "\n".join(f"{o.mutation.describe()}\n    {o.mutation.context}" for o in found)


def test_every_mutant_loses_points_in_its_own_question_unless_equivalent(outcomes):
    survivors = [o for o in outcomes if o.status == "survived"]
    assert len(outcomes) > 500  # every stub mutated, none capped
    assert not survivors, "non-equivalent mutants that keep full marks:\n" + "\n".join(
        f"{o.mutation.describe()}\n    {o.mutation.context}\n    told apart {o.difference}"
        for o in survivors)


def test_no_mutant_costs_points_in_another_question(outcomes):
    leaking = [o for o in outcomes if o.elsewhere]
    assert not leaking, listing(leaking)


def test_the_judge_never_raises_on_a_mutant(outcomes):
    crashed = [o for o in outcomes if o.crashed]
    assert not crashed, "\n".join(f"{o.mutation.describe()}: {o.crashed[0]}" for o in crashed)


def test_the_listed_equivalents_are_the_equivalents(outcomes):
    assert EQUIVALENTS.read_text() == equivalents_text(outcomes), (
        "run .venv/bin/python benchmarks/mutation_kill_rate.py to rewrite " + EQUIVALENTS.name)


def test_points_come_from_the_masters():
    parts = hidden_parts(ROOT / "assignments")
    totals = {name: sum(p.points for p in ps) for name, ps in parts.items()}
    # The README's table: 13, 25 (backprop_batch's no-loop part), 17 and 9 autograded.
    assert totals == {"a1_forward": 13, "a2_backprop": 25, "a3_training": 17,
                      "a4_conventions": 9}
    assert {(p.stub, p.part, p.points) for p in parts["a3_training"]} >= {
        ("relative_error", "reference", 2), ("numerical_gradient", "finite_differences", 1)}


def changes(stub: str) -> set[tuple[str, str, str]]:
    return {(m.operator, m.before, m.after) for m in mutations(stub, reference_source(stub))}


def test_the_mutator_applies_the_standard_operators():
    bp3 = changes("bp3_bias_gradient")
    assert {("reduction", "delta.sum(axis=1, keepdims=True)", "delta"),
            ("axis", "delta.sum(axis=1, keepdims=True)", "delta.sum(axis=0, keepdims=True)"),
            ("axis", "delta.sum(axis=1, keepdims=True)", "delta.sum(keepdims=True)"),
            ("keepdims", "delta.sum(axis=1, keepdims=True)", "delta.sum(axis=1)")} <= bp3
    assert {("return_operand", "return (a_L - y) * sigmoid_prime(z_L)", "return a_L - y"),
            ("arithmetic", "a_L - y", "a_L + y")} <= changes("bp1_output_error")
    assert {("transpose", "W_next.T", "W_next"),
            ("transpose", "W_next.T @ delta_next", "W_next.T @ delta_next.T")
            } <= changes("bp2_hidden_error")
    chain = changes("backprop_1D")
    assert {("subscript", "w[i + 1]", "w[i + 1 - 1]"),
            ("range", "range(L - 1, -1, -1)", "range(L - 1, -1 + 1, -1)"),
            ("comparison", "i < L - 1", "i <= L - 1")} <= chain
    assert ("order_swap", "[*weights, *biases]", "[*biases, *weights]") in changes("get_params")
    assert ("statement", "np.negative(out, out=out)", "pass") in changes("sigmoid")
    assert ("constant", "2", "3") in changes("numerical_gradient")  # 2 * eps


def test_mutants_leave_docstrings_and_error_messages_alone():
    for stub in ("backprop_1D", "set_params", "relative_error"):
        for m in mutations(stub, reference_source(stub)):
            tree = ast.parse(m.source)
            function = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
            assert ast.get_docstring(function) == ast.get_docstring(
                next(n for n in ast.parse(reference_source(stub)).body
                     if isinstance(n, ast.FunctionDef)))
            assert "'" not in m.after and '"' not in m.after


def planted(stub: str, old: str, new: str) -> Mutation:
    source = reference_source(stub)
    assert old in source
    return Mutation(stub, "by hand", 0, 0, old, new, old, source.replace(old, new))


def test_the_scorer_kills_a_known_mistake_and_only_in_its_own_question(scorer):
    outcome = scorer.judge_mutant(planted("bp4_weight_gradient", "delta @ a_prev.T",
                                          "a_prev @ delta.T"))
    assert outcome.status == "killed" and outcome.lost == {
        "backprop_loops": 0, "bp1_output_error": 0, "bp2_hidden_error": 0,
        "bp3_bias_gradient": 0, "bp4_weight_gradient": 3, "backprop_vectorized": 0,
        "backprop_batch": 0}
    assert "transposed" in outcome.named and not outcome.trivial


def test_the_reference_itself_is_equivalent_not_killed(scorer):
    outcome = scorer.judge_mutant(planted("bp2_hidden_error", "(W_next.T @ delta_next)",
                                          "W_next.T @ delta_next"))
    assert outcome.status == "equivalent" and not any(outcome.lost.values())


def test_a_mutant_right_only_on_the_hidden_cases_is_a_survivor():
    # The hidden cases of BP3 before issue 9 were all single examples, where
    # "return delta.copy()" is right (plain "return delta" now loses inputs_unchanged as
    # an alias of delta): the sweep (N > 1) must tell it apart.
    single = Scorer(ROOT / "assignments")
    for part in ("reference", "finite_differences", "inputs_unchanged"):
        key = ("bp3_bias_gradient", part)
        single.cases[key] = [c for c in single.cases[key] if c.args[0].shape[1] == 1]
        assert single.cases[key]
    outcome = single.judge_mutant(planted("bp3_bias_gradient",
                                          "return delta.sum(axis=1, keepdims=True)",
                                          "return delta.copy()"))
    assert outcome.status == "survived", outcome.lost
    assert "another result" in outcome.difference


def test_an_endless_loop_is_stopped_and_killed(scorer, monkeypatch):
    monkeypatch.setattr(adequacy, "CALL_LIMIT", 0.1)
    outcome = scorer.judge_mutant(planted("bp3_bias_gradient", "    return delta.sum(",
                                          "    while True:\n        pass\n    return delta.sum("))
    assert outcome.status == "killed" and outcome.trivial
    assert outcome.seconds < 30


def test_the_public_checks_pass_every_equivalent_mutant(outcomes, monkeypatch):
    # An equivalent mutant is right code written another way: grader.check must not fail
    # it (the hidden tests give it full marks). The cases as build ships them.
    shipped = unpack(pack(public_cases()))
    monkeypatch.setattr(public, "load_cases", lambda path=None: shipped)
    equivalent = [o for o in outcomes if o.status == "equivalent"]
    failed = []
    for o in equivalent:
        try:
            public.check(o.mutation.stub, notebook({o.mutation.stub: o.mutation.source}))
        except AssertionError as error:
            failed.append(f"{o.mutation.describe()}: {error}")
    assert equivalent and not failed, "\n".join(failed)
