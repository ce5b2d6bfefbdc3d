"""Issue 9 item 4, "Any value is judged, nothing crashes the grader", as properties.

Hypothesis makes a stub return anything (None inside lists, ragged lists, strings,
objects, dicts, huge or empty arrays, NaN, ints, 0-d arrays, nested tuples, and the
expected answer with one thing changed), and the value goes through what grading runs:
``course.calls.call`` then ``judging.judge.judge``. The judge never raises, a failing
verdict always says why, and a value that passes has the expected numbers and shapes.
"""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from backprop_lab.course.calls import call
from backprop_lab.course.compare import Verdict, as_tree
from backprop_lab.course.tolerance import largest
from backprop_lab.judging.judge import REFERENCES, judge, relative_close
from backprop_lab.questions.cases import draw_cases

pytestmark = pytest.mark.task("any value is judged")

STUBS = ["sigmoid", "backprop_1D", "bp3_bias_gradient", "backprop_batch", "relative_error",
         "get_params", "sgd_epoch", "numerical_gradient"]
PARTS = ["reference", "finite_differences", "inputs_unchanged"]
GRADER_BUG = "the grading of this case failed"  # judge.py's message for its own error


def cached(case):
    if case.finite_differences is not None:
        value = case.finite_differences()
        case.finite_differences = lambda: value
    return case


CASES = {(stub, part): [cached(c) for c in draw_cases(stub, part)] for stub in STUBS
         for part in PARTS}
KEYS = [key for key, cases in CASES.items() if cases]
EXPECTED = {key: [REFERENCES[key[0]](*copy.deepcopy(c.args)) if key[1] != "finite_differences"
                  else c.finite_differences() for c in cases]
            for key, cases in CASES.items()}

HUGE = [np.zeros(2_000_001), np.zeros((0,)), np.zeros((3, 0)), np.array(np.nan),
        np.array([np.zeros(2), np.zeros(3)], dtype=object), np.array(["a", "b"]),
        np.full((2, 2), np.inf), np.arange(6).reshape(2, 3), 10**400, -(10**30)]

leaves = st.one_of(
    st.none(), st.just(Ellipsis), st.booleans(), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(),
    st.text(max_size=8), st.binary(max_size=4), st.builds(object),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sets(st.integers(), max_size=3), st.sampled_from(HUGE),
    arrays(st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.bool_, np.uint8,
                            np.complex128]),
           array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)),
)
anything = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                        | st.lists(inner, max_size=4).map(tuple), max_leaves=12)


def leaves_of(tree, path=()):
    if isinstance(tree, (list, tuple)):
        for i, v in enumerate(tree):
            yield from leaves_of(v, (*path, i))
    else:
        yield path


def replaced(tree, path, new):
    if not path:
        return new
    items = list(tree)
    items[path[0]] = replaced(items[path[0]], path[1:], new)
    return type(tree)(items) if isinstance(tree, (list, tuple)) else items


def at(tree, path):
    for i in path:
        tree = tree[i]
    return tree


CHANGES = {
    "none": lambda v, d: None,
    "nan": lambda v, d: np.full(np.shape(v), np.nan),
    "transposed": lambda v, d: np.asarray(v).T,
    "raveled": lambda v, d: np.asarray(v).ravel(),
    "listed": lambda v, d: np.asarray(v).tolist(),
    "integers": lambda v, d: np.asarray(v).astype(np.int64),
    "string": lambda v, d: str(v),
    "scaled": lambda v, d: np.asarray(v) * (1 + d),
    "shifted": lambda v, d: np.asarray(v) + d,
    "one_entry": lambda v, d: _one_entry(np.asarray(v, dtype=float), d),
    "wrapped": lambda v, d: [v],
    "same": lambda v, d: v,
}


def _one_entry(v, d):
    v = v.copy()
    if v.size:
        v.flat[-1] += d
    return v


@st.composite
def near_misses(draw):
    """(key, case index, the expected value with one leaf changed, or dropped/extended)."""
    key = draw(st.sampled_from(KEYS))
    i = draw(st.integers(0, len(CASES[key]) - 1))
    expected = EXPECTED[key][i]
    how = draw(st.sampled_from([*CHANGES, "drop_last", "extra", "as_list"]))
    d = draw(st.sampled_from([1e-12, 1e-8, 1e-5, 1e-3, 0.5, -2.0, 1e6]))
    if how == "drop_last" and isinstance(expected, (list, tuple)):
        return key, i, type(expected)(list(expected)[:-1])
    if how == "extra" and isinstance(expected, (list, tuple)):
        return key, i, type(expected)([*expected, expected[0]])
    if how == "as_list":
        return key, i, list(expected) if isinstance(expected, tuple) else expected
    paths = list(leaves_of(expected))
    path = draw(st.sampled_from(paths)) if paths else ()
    change = CHANGES.get(how, CHANGES["same"])
    return key, i, replaced(expected, path, change(at(expected, path), d))


def same_numbers(expected, got, floor: float = 0.0) -> bool:
    """The oracle: ``got`` has the expected numbers and shapes: the spec's relative
    tolerance, or every difference within ``floor`` (the contract's absolute floor)."""
    expected, got = as_tree(expected), as_tree(got)
    if isinstance(expected, list):
        if isinstance(got, np.ndarray) and got.ndim and len(got) == len(expected):
            got = list(got)
        return (isinstance(got, list) and len(got) == len(expected)
                and all(same_numbers(e, g, floor) for e, g in zip(expected, got)))
    if isinstance(got, list):
        try:
            got = np.array(got, dtype=float)
        except (TypeError, ValueError):
            return False
    if got is None or got.shape != expected.shape:
        return False
    finite = np.isfinite(expected)
    if not np.array_equal(finite, np.isfinite(got)):
        return False
    if not finite.any() or relative_close(expected[finite], got[finite]):
        return True
    return bool(np.all(np.abs(expected[finite] - got[finite]) <= floor))


def verdict_of(key, i, value, modify=False):
    stub, part = key
    case = CASES[key][i]

    def student(*args):
        if modify and isinstance(args[0], np.ndarray) and args[0].size:
            args[0].flat[0] += 1.0
        return value

    raw = call(student, case.args, name=stub)
    verdict = judge(stub, part, [case], [raw])
    assert isinstance(verdict, Verdict)
    # The judge catches its own errors per case (so one cannot cost the notebook); here
    # there must be none to catch.
    assert not any(GRADER_BUG in m for m in verdict.messages), verdict.messages
    if not verdict.passed:
        assert verdict.messages and all(isinstance(m, str) and m.strip()
                                        for m in verdict.messages), verdict
    return verdict, raw


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(KEYS), i=st.integers(0, 5), value=anything)
def test_any_value_gets_a_verdict_and_a_message(key, i, value):
    i %= len(CASES[key])
    verdict, raw = verdict_of(key, i, value)
    if verdict.passed:
        assert raw.error is None and same_numbers(EXPECTED[key][i], raw.value), value


@settings(max_examples=200, deadline=None)
@given(miss=near_misses())
def test_a_value_passes_only_with_the_expected_numbers_and_shapes(miss):
    key, i, value = miss
    verdict, raw = verdict_of(key, i, value)
    # the floor written here from the contract's numbers (docs/contract.md, section 3)
    scale = {"sigmoid": 1.0, "sigmoid_prime": 0.25}.get(key[0], largest(EXPECTED[key][i]))
    floor = 1e-8 * max(scale, 1.0) if key[1] == "finite_differences" else 1e-12 * scale
    if verdict.passed:
        assert raw.error is None and same_numbers(EXPECTED[key][i], raw.value, floor), value


@settings(max_examples=40, deadline=None)
@given(key=st.sampled_from([k for k in KEYS if k[1] == "inputs_unchanged"]),
       i=st.integers(0, 5))
def test_a_right_value_that_modified_its_inputs_fails_inputs_unchanged(key, i):
    i %= len(CASES[key])
    if not isinstance(CASES[key][i].args[0], np.ndarray):
        return
    verdict, _ = verdict_of(key, i, EXPECTED[key][i], modify=True)
    assert not verdict.passed


@pytest.mark.parametrize("key", KEYS, ids=lambda k: "-".join(k))
def test_the_expected_value_itself_passes(key):
    # Keeps the properties above honest: the oracle and the judge agree on right answers.
    for i, expected in enumerate(EXPECTED[key]):
        verdict, raw = verdict_of(key, i, copy.deepcopy(expected))
        assert verdict.passed, verdict.messages
        assert same_numbers(expected, raw.value)


@pytest.mark.task("messages")
def test_an_error_in_a_comprehension_is_the_stubs_own():
    # Found by the mutation tool on Nielsen's sgd_epoch (an empty last mini-batch): on
    # Python 3.11 a list comprehension runs in a frame of its own, named <listcomp>.
    source = ("def sgd_epoch(X, Y, weights, biases, batch_size, eta):\n"
              "    return [1.0 / (len(X) - len(X)) for _ in weights], biases\n")
    env: dict = {}
    exec(compile(source, "/tmp/ipykernel_0/0.py", "exec", dont_inherit=True), env)
    case = CASES[("sgd_epoch", "reference")][0]
    raw = call(env["sgd_epoch"], case.args, name="sgd_epoch")
    assert raw.error.startswith("it raised ZeroDivisionError"), raw.error
    assert "<" not in raw.error
