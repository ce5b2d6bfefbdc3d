"""Issue 19 item 3: a building block's call gets its answer whatever the call's form. A
keyword call (``sigmoid_prime(z=z_L)``) to a wrong building block costs points only where
that block is graded, in the public checks as in the hidden tests."""

from __future__ import annotations

import pytest
from notebook_env import notebook_env

from backprop_lab.building.public_cases import public_cases
from backprop_lab.course import public
from backprop_lab.course.contract import Contract
from backprop_lab.judging.judge import REFERENCES, judge
from backprop_lab.questions.cases import draw_cases
from backprop_lab.running.harness import run

pytestmark = pytest.mark.task("the promise of one place, for every way of calling")

WRONG_PRIME = "def sigmoid_prime(z):\n    return z\n"
BY_KEYWORD = "def bp1_output_error(a_L, z_L, y):\n    return (a_L - y) * sigmoid_prime(z=z_L)\n"


@pytest.fixture(scope="module")
def shipped():
    return public_cases(("sigmoid", "sigmoid_prime", "bp1_output_error"))


def check(shipped, monkeypatch, *sources, stub="bp1_output_error"):
    monkeypatch.setattr(public, "load_cases", lambda: shipped)
    try:
        public.check(stub, notebook_env(*sources))
    except public.PublicCheckError as error:
        return str(error)
    return None


def test_a_keyword_call_to_a_wrong_block_does_not_fail_the_caller(shipped, monkeypatch):
    assert check(shipped, monkeypatch, WRONG_PRIME, BY_KEYWORD) is None
    assert check(shipped, monkeypatch, WRONG_PRIME, stub="sigmoid_prime")  # the wrong block
    # control: answering only calls that match a recorded one exactly, it fails
    monkeypatch.setattr(Contract, "positional", lambda self, a, k: (tuple(a), dict(k)))
    assert check(shipped, monkeypatch, WRONG_PRIME, BY_KEYWORD) is not None


def test_the_hidden_tests_agree():
    env = notebook_env(WRONG_PRIME, BY_KEYWORD)
    for part in ("reference", "finite_differences"):
        cases = draw_cases("bp1_output_error", part)
        raws = run(env, "bp1_output_error", [c.args for c in cases], REFERENCES)
        assert judge("bp1_output_error", part, cases, raws).passed


def test_keywords_are_put_in_place_only_without_gaps():
    c = Contract("f", parameters=("a", "b", "c"))
    assert c.positional((1,), {"b": 2}) == ((1, 2), {})
    assert c.positional((), {"a": 1, "b": 2}) == ((1, 2), {})
    assert c.positional((1,), {"c": 3}) == ((1,), {"c": 3})  # b missing: left as given
    assert c.positional((1,), {"d": 4}) == ((1,), {"d": 4})  # not a parameter


DECORATOR = '''
import functools

def logged(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)
    return wrapper
'''
WRONG_BP1 = "def bp1_output_error(a_L, z_L, y):\n    return 2 * (a_L - y) * sigmoid_prime(z_L)\n"


def decorated_batch() -> str:
    from backprop_lab.questions.a2_backprop import FROM_BLOCKS

    source = FROM_BLOCKS.format(name="backprop_batch", x="X", y="Y", x_rows="X", y_cols="Y.T")
    return source.replace("\ndef backprop_batch", "\n@logged\ndef backprop_batch")


def test_a_decorated_stub_sees_the_reference_blocks_through_its_wrapper(monkeypatch):
    from backprop_lab.course import standins

    env = notebook_env(DECORATOR, WRONG_BP1, decorated_batch())
    cases = draw_cases("backprop_batch", "reference")
    raws = run(env, "backprop_batch", [c.args for c in cases], REFERENCES)
    assert judge("backprop_batch", "reference", cases, raws).passed
    # control: without rebinding what the wrapper closes over, the wrong BP1 is reached
    monkeypatch.setattr(standins, "_cell", lambda cell, *rest: cell)
    raws = run(env, "backprop_batch", [c.args for c in cases], REFERENCES)
    assert not judge("backprop_batch", "reference", cases, raws).passed
