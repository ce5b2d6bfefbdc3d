"""A counterexample the student can run (issue 19, item 5): a wrong stub with no mistake
named gets the smallest case of its own draw on which it still differs, as code that,
pasted into a notebook, shows the difference; a named mistake and a correct stub get none.
"""

import contextlib
import io
import re

import numpy as np
import pytest
from notebook_env import notebook_env

from backprop_lab.building.autograder import Part, Question
from backprop_lab.gradescope import to_results
from backprop_lab.judging import counterexample as cx
from backprop_lab.judging import shrinking
from backprop_lab.judging.judge import REFERENCES, judge
from backprop_lab.judging.scoring import score_question
from backprop_lab.questions.cases import draw_cases
from backprop_lab.questions.registry import question
from backprop_lab.reporting.report import feedback_markdown
from backprop_lab.running.harness import run
from backprop_lab.running.kernel import Limits
from backprop_lab.running.submission import grade_file
from backprop_lab.samples import PLANTED, filled, read, write

#: sigma' right for z >= 0 only: the "stable" form with one division by (1 + e) missing.
SIGMOID_PRIME_NEGATIVE = (
    "def sigmoid_prime(z):\n"
    "    z = np.asarray(z, dtype=float)\n"
    "    e = np.exp(-np.abs(z))\n"
    "    return np.where(z >= 0, e / (1 + e) ** 2, e / (1 + e))\n")
#: BP4 of the first layer only takes the activations of the layer above when the
#: network has a hidden layer (an index shifted by one in one branch).
BATCH_FIRST_LAYER = (
    "def backprop_batch(X, Y, weights, biases):\n"
    "    s = lambda z: 1 / (1 + np.exp(-z))\n"
    "    activations, zs = [X.T], []\n"
    "    for W, b in zip(weights, biases):\n"
    "        zs.append(W @ activations[-1] + b)\n"
    "        activations.append(s(zs[-1]))\n"
    "    L = len(weights)\n"
    "    nabla_w, nabla_b = [None] * L, [None] * L\n"
    "    delta = (activations[-1] - Y.T) * s(zs[-1]) * (1 - s(zs[-1]))\n"
    "    for l in range(L - 1, -1, -1):\n"
    "        if l < L - 1:\n"
    "            delta = (weights[l + 1].T @ delta) * s(zs[l]) * (1 - s(zs[l]))\n"
    "        nabla_b[l] = delta.sum(axis=1, keepdims=True)\n"
    "        a_prev = activations[l]\n"
    "        if l == 0 and L > 1:\n"
    "            a_prev = a_prev * (1 - a_prev) + a_prev\n"
    "        nabla_w[l] = delta @ a_prev.T\n"
    "    return nabla_w, nabla_b\n")
#: BP2 right for one example, wrong for a batch: sigma'(z) of the first example only.
BP2_FIRST_COLUMN = (
    "def bp2_hidden_error(W_next, delta_next, z):\n"
    "    s = 1 / (1 + np.exp(-z[:, :1]))\n"
    "    return (W_next.T @ delta_next) * s * (1 - s)\n")

#: BP1 with a factor that depends on the target: its a_L is shown as sigma(z_L).
BP1_TARGET = (
    "def bp1_output_error(a_L, z_L, y):\n"
    "    return (a_L - y) * a_L * (1 - a_L) * (1 + (y > 0.5) * 0.1)\n")
#: Centered differences, except a one-sided last one: f is shown with its formula.
NUMERICAL_LAST = (
    "def numerical_gradient(f, theta, eps=1e-5):\n"
    "    g = np.zeros(len(theta))\n"
    "    for i in range(len(theta)):\n"
    "        e = np.zeros(len(theta))\n"
    "        e[i] = eps\n"
    "        g[i] = (f(theta + e) - f(theta - e)) / (2 * eps)\n"
    "    if len(theta) > 1:\n"
    "        g[-1] = (f(theta + e) - f(theta)) / eps\n"
    "    return g\n")

UNNAMED = [("sigmoid_prime", SIGMOID_PRIME_NEGATIVE), ("backprop_batch", BATCH_FIRST_LAYER),
           ("bp2_hidden_error", BP2_FIRST_COLUMN), ("bp1_output_error", BP1_TARGET),
           ("numerical_gradient", NUMERICAL_LAST)]
#: The most numbers each counterexample above needs: one z; a 1-by-1 BP2 of two
#: examples; one z and y (a_L is computed); theta and eps of 2 variables (and f).
SMALLEST = {"sigmoid_prime": 1, "bp2_hidden_error": 5, "bp1_output_error": 3,
            "numerical_gradient": 4}


def graded(stub, source):
    env = notebook_env(source)
    cases = draw_cases(stub, "reference")
    return env, cases, run(env, stub, [c.args for c in cases], REFERENCES)


def executed(code: str, fn) -> tuple[dict, str]:
    """The namespace and printed output of ``code`` run in a fresh namespace that holds
    only ``np`` and ``fn`` (under its stub's name)."""
    space, out = {"np": np, fn.__name__: fn}, io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, space)
    return space, out.getvalue()


def layers(space: dict) -> int:
    """The layers of the network a snippet built (the matrices of its ``weights``)."""
    return len(space["weights"])


def reproduced(stub: str, message: str | None, fn) -> tuple[str, dict]:
    """The snippet of ``message`` and its namespace, run with the student's ``fn``, after
    checking that it prints ``fn``'s value, that the reference run on the same code gives
    the expected value of its comment, and that the two differ."""
    assert message and message.startswith(cx.LEAD.format(stub=stub))
    code = message.split("\n", 1)[1]
    ours, printed = executed(code, fn)  # the student's own function
    theirs, _ = executed(code, REFERENCES[stub])  # the reference, on the same code
    label = re.search(r"print\((.+?)\)  # expected", code).group(1)
    mine, right = eval(label, ours), eval(label, theirs)
    expected, yours = cx._apart(right, mine)
    assert code.endswith(f"# expected {expected}; yours: {yours}")
    assert expected != yours and printed.strip()  # it shows a difference, and prints it
    return code, ours


@pytest.mark.parametrize("stub, source", UNNAMED, ids=[s for s, _ in UNNAMED])
def test_an_unnamed_mistake_gets_a_small_counterexample_that_runs(stub, source):
    env, cases, raws = graded(stub, source)
    verdict = judge(stub, "reference", cases, raws)
    assert not verdict.passed and not verdict.diagnoses  # the mistake has no name
    message = cx.find(stub, *cx.failing(stub, cases, raws), cx.in_process(env))
    code, ours = reproduced(stub, message, env[stub])
    if stub == "backprop_batch":
        assert 1 <= layers(ours) <= 2, code
        assert np.size(ours["X"]) <= 6  # N and the first width cut down
    else:
        args = [ours[name] for name in question(stub).parameters if name in ours]
        assert shrinking.numbers(args) <= SMALLEST[stub], code
    if stub == "bp1_output_error":
        assert "a_L = 1 / (1 + np.exp(-z_L))" in code
    if stub == "numerical_gradient":
        assert ours["A"].shape == (2, 2) and "f = lambda theta:" in code


#: The mistake above, written so that the first layer's BP4 has shapes that do not fit
#: (a missing .T): it raises unless every width is 1.
BATCH_RAISES = BATCH_FIRST_LAYER.replace(
    "nabla_w[l] = delta @ a_prev.T",
    "nabla_w[l] = delta @ a_prev.T if l else (a_prev @ delta.T).T @ np.ones((1, 1))")


def test_a_stub_that_raises_gets_the_smallest_case_that_raises_too():
    stub = "backprop_batch"
    env, cases, raws = graded(stub, BATCH_RAISES)
    case, raw = cx.failing(stub, cases, raws)
    assert raw.error and "ValueError" in raw.error
    message = cx.find(stub, case, raw, cx.in_process(env))
    assert message and message.startswith(cx.LEAD.format(stub=stub))
    code = message.split("\n", 1)[1]
    with pytest.raises(ValueError):
        executed(code, env[stub])
    theirs, _ = executed(code, REFERENCES[stub])
    assert code.splitlines()[-1].startswith(
        f"# expected nabla_w[0] = {cx.compact(theirs['nabla_w'][0])}; yours raises: two arrays")
    assert layers(theirs) == 1 and np.size(theirs["X"]) == 2  # width 2: width 1 fits


def test_without_the_ladder_the_counterexample_is_the_whole_case(monkeypatch):
    """Control: the smallness above comes from the shrinking; with the ladder reduced to
    the rounded case itself, the planted backprop_batch mistake shows a larger network."""
    stub, source = UNNAMED[1]
    env, cases, raws = graded(stub, source)
    case, raw = cx.failing(stub, cases, raws)
    monkeypatch.setattr(cx, "ladder", lambda s, args, *_: [shrinking.rounded(tuple(args))])
    message = cx.find(stub, case, raw, cx.in_process(env))
    space = executed(message.split("\n", 1)[1], env[stub])[0]
    assert np.size(space["X"]) > 6 or layers(space) > 2


#: The sigma' above returning float32: some cases fail with a name (wrong_dtype, where the
#: values are right), others without one; the question names a mistake, so no
#: counterexample.
SIGMOID_PRIME_NAMED_TOO = SIGMOID_PRIME_NEGATIVE.replace(
    "e / (1 + e))\n", "e / (1 + e)).astype(np.float32)\n")


def hooked(stub: str, source: str) -> tuple[dict, list[str], list[int]]:
    """The question record of ``source`` graded on its reference part, after the hook
    (``add_counterexamples``); its messages before the hook; the sizes of its calls."""
    env, cases, raws = graded(stub, source)
    calls = []

    def call(s, drawn):
        calls.append(len(drawn))
        return cx.in_process(env)(s, drawn)

    record = score_question(Question(stub, [Part(stub, "reference", 1.0)]),
                            {(stub, "reference"): cases}, {(stub, "reference"): raws}, "", {})
    before = [*record["messages"]]
    cx.add_counterexamples([record], {(stub, "reference"): cases},
                           {(stub, "reference"): raws}, call)
    return record, before, calls


@pytest.mark.parametrize("stub, source, code", [
    ("bp4_weight_gradient",
     "def bp4_weight_gradient(delta, a_prev):\n    return a_prev @ delta.T", "transposed"),
    ("sigmoid_prime", SIGMOID_PRIME_NAMED_TOO, "wrong_dtype"),
    ("sigmoid_prime", "", None),
    ("backprop_batch", "", None),
])
def test_a_named_mistake_and_a_correct_stub_get_none(stub, source, code):
    record, before, calls = hooked(stub, source)
    assert record["messages"] == before and calls == []
    assert (code in record["diagnoses"]) if code else record["score"] == 1.0


def test_an_unnamed_mistake_gets_its_message_in_the_question_record():
    """The same hook as above, on the mistake: one call of at most MOST candidates, and
    the message after the question's own."""
    stub, source = UNNAMED[0]
    record, before, calls = hooked(stub, source)
    assert len(calls) == 1 and 1 <= calls[0] <= shrinking.MOST
    assert record["messages"][:len(before)] == before
    assert record["messages"][-1].startswith(cx.LEAD.format(stub=stub))
    assert record["score"] == 0.0 and record["diagnoses"] == []


def test_every_ladder_is_bounded_and_smallest_first():
    """Each stub gets a ladder of at most MOST candidates, fewest layers then fewest
    numbers first, at most DEEP of them deeper than two layers, each taken by the
    reference."""
    for stub in REFERENCES:
        for case in draw_cases(stub, "reference"):
            made = shrinking.ladder(stub, case.args)
            assert 1 <= len(made) <= shrinking.MOST, stub
            sizes = [shrinking.size(stub, a) for a in made]
            assert sizes == sorted(sizes)
            assert max(n for _, n in sizes) <= shrinking.MOST_NUMBERS
            assert sum(depth > 2 for depth, _ in sizes) <= shrinking.DEEP
            for args in made:
                REFERENCES[stub](*args)


def test_the_feedback_file_shows_the_code_as_a_code_block():
    """feedback/<stem>.md keeps the lines of the code (any other message stays on one
    line), in a fence nothing in the message can close."""
    stub, source = UNNAMED[1]
    env, cases, raws = graded(stub, source)
    message = cx.find(stub, *cx.failing(stub, cases, raws), cx.in_process(env))
    record = {"submission": "a.ipynb", "assignment": "a2_backprop", "status": "graded",
              "score": 0.0, "max_score": 4.0, "reason": "", "flags": [],
              "questions": [{"name": stub, "score": 0.0, "max_score": 4.0, "diagnoses": [],
                             "messages": ["x\n## not a heading", message + "\n```\n# hi"]}]}
    text = feedback_markdown(record)
    code = message.split("\n")[1:]
    assert "\n".join(f"  {line}" for line in code) in text
    assert text.count("```") == 2 and "  '''" in text  # the fence, and the one in the message
    assert "- x\\x0a## not a heading" in text  # no counterexample: one line, as before


@pytest.mark.slow
def test_grade_file_shows_it_through_the_kernel_where_the_mistake_has_no_name(
        dist, autograders, tmp_path):
    """The real path: one a1 notebook with an unnamed sigma' mistake and a named sigma
    one, graded in a kernel. Only sigma' gets a counterexample (its extra harness run);
    the code reproduces the difference with the student's function, and Gradescope shows
    it in sigma''s part tests, with the visibility the instructor chose."""
    nb = read(next(dist.glob("a1_forward/student/*.ipynb")))
    planted = {"sigmoid_prime": SIGMOID_PRIME_NEGATIVE, "sigmoid": PLANTED["sigmoid"][1]}
    path = write(filled(nb, planted), tmp_path / "a1.ipynb")
    record = grade_file(path, autograders, Limits(cell_seconds=20, total_seconds=120))
    assert record["status"] == "graded", record["reason"]
    by = {q["name"]: q for q in record["questions"]}
    assert by["sigmoid_prime"]["diagnoses"] == [] and by["sigmoid_prime"]["score"] == 0.0
    space = {"np": np}
    exec(SIGMOID_PRIME_NEGATIVE, space)
    reproduced("sigmoid_prime", by["sigmoid_prime"]["messages"][-1], space["sigmoid_prime"])
    assert by["sigmoid"]["diagnoses"]  # named: no counterexample
    others = [m for name, q in by.items() if name != "sigmoid_prime" for m in q["messages"]]
    assert not any(m.startswith(cx.LEAD[:20]) for m in others)
    tests = [t for t in to_results(record, "after_published")["tests"]
             if t["name"].startswith("sigmoid_prime") and t["status"] == "failed"]
    assert tests and all(cx.LEAD.format(stub="sigmoid_prime") in t["output"]
                         and t["visibility"] == "after_published" for t in tests)


def unnamed_mutants(stub: str, most: int = 2):
    """The first ``most`` one-site mutants of ``stub`` (``backprop_lab.mutation``) that
    fail the reference part with no mistake named (not those that read np.empty's
    uninitialised memory: their values change from run to run)."""
    from backprop_lab.mutation.adequacy import CALL_LIMIT, all_mutations, notebook

    cases, found = draw_cases(stub, "reference"), []
    for mutation in all_mutations([stub])[stub]:
        if "empty" in mutation.source or len(found) == most:
            continue
        env = notebook({stub: mutation.source})
        raws = run(env, stub, [c.args for c in cases], REFERENCES, seconds=CALL_LIMIT)
        verdict = judge(stub, "reference", cases, raws)
        if not verdict.passed and not verdict.diagnoses:
            found.append((mutation, env, cases, raws))
    return found


@pytest.mark.parametrize("stub", sorted(REFERENCES))
def test_mutants_without_a_name_get_a_counterexample_that_reproduces(stub):
    """The mutation tool's mistakes, two per stub: each gets a counterexample, of at most
    two layers, which raises with the mutant when it raised, and otherwise prints the
    mutant's value with the reference's expected one in its comment
    (benchmarks/counterexample_coverage.py runs every mutant; NUMERICAL_LAST above stands
    for numerical_gradient)."""
    found = unnamed_mutants(stub)
    # numerical_gradient's reference fills np.empty; the catalog names every mutant of
    # get_params and add_bias_column that fails its reference part (wrong_order, ...)
    assert found or stub in ("numerical_gradient", "get_params", "add_bias_column")
    for mutation, env, cases, raws in found:
        message = cx.find(stub, *cx.failing(stub, cases, raws), cx.in_process(env))
        assert message, mutation.describe()
        code = message.split("\n", 1)[1]
        if "yours raises" in code.splitlines()[-1]:
            try:
                executed(code, env[stub])
            except Exception:  # noqa: S110 - raising is what it shows
                pass
            else:
                raise AssertionError(f"{mutation.describe()} did not raise:\n{code}")
            space = executed(code, REFERENCES[stub])[0]
        else:
            space = reproduced(stub, message, env[stub])[1]
        weights = space.get("weights", space.get("Ws", space.get("weights_aug")))
        assert not isinstance(weights, list) or len(weights) <= 2, mutation.describe()
