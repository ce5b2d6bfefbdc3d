"""The grading core: cases, harness, judge, public checks, wire format."""

import numpy as np
import pytest
from notebook_env import notebook_env

from backprop_lab import engine
from backprop_lab.building.public_cases import public_cases
from backprop_lab.course import public
from backprop_lab.course.calls import call
from backprop_lab.course.wire import pack, unpack
from backprop_lab.judging.judge import PARTS, judge
from backprop_lab.judging.otter_entry import hidden
from backprop_lab.questions.cases import draw_cases
from backprop_lab.questions.registry import names


def parts(stub):
    return [p for p in PARTS if draw_cases(stub, p)]


def verdict(env, stub, part):
    from backprop_lab.judging.judge import REFERENCES
    from backprop_lab.running.harness import run

    cases = draw_cases(stub, part)
    return judge(stub, part, cases, run(env, stub, [c.args for c in cases], REFERENCES))


@pytest.mark.parametrize("stub", names())
def test_reference_passes_every_part(stub):
    env = notebook_env()
    for part in parts(stub):
        hidden(stub, part, env)


# (stub, planted source, diagnosis expected, parts that must fail)
MISTAKES = [
    ("bp4_weight_gradient", "def bp4_weight_gradient(delta, a_prev):\n    return a_prev @ delta.T",
     # inputs_unchanged is earned by a correct result only, so it fails too.
     "transposed", {"reference", "finite_differences", "inputs_unchanged"}),
    ("bp1_output_error",
     "def bp1_output_error(a_L, z_L, y):\n    return 2 * (a_L - y) * sigmoid_prime(z_L)",
     "factor_of_two", {"reference", "finite_differences", "inputs_unchanged"}),
    ("bp1_output_error",
     "def bp1_output_error(a_L, z_L, y):\n    return (y - a_L) * sigmoid_prime(z_L)",
     "wrong_sign", {"reference", "finite_differences", "inputs_unchanged"}),
    ("backprop_batch",
     "def backprop_batch(X, Y, weights, biases):\n"
     "    nw, nb = ok_batch(X, Y, weights, biases)\n"
     "    return [g / len(X) for g in nw], [g / len(X) for g in nb]",
     "mean_instead_of_sum", {"reference", "finite_differences", "inputs_unchanged",
                             "no_loop_over_examples"}),  # judged on right values only
    ("bp3_bias_gradient", "def bp3_bias_gradient(delta):\n    return delta.ravel()",
     "shape_mismatch", {"reference", "finite_differences", "inputs_unchanged"}),
    ("sgd_epoch",
     "def sgd_epoch(X, Y, weights, biases, batch_size, eta):\n"
     "    for s in range(0, len(X), batch_size):\n"
     "        nw, nb = backprop_batch(X[s:s + batch_size], Y[s:s + batch_size], weights, biases)\n"
     "        n = len(X[s:s + batch_size])\n"
     "        for W, g in zip(weights, nw):\n            W -= eta / n * g\n"
     "        for b, g in zip(biases, nb):\n            b -= eta / n * g\n"
     "    return weights, biases",
     "mutates_inputs", {"inputs_unchanged"}),
    ("sigmoid", "def sigmoid(z):\n    ...", "not_implemented", {"reference", "inputs_unchanged"}),
    ("numerical_gradient",
     "def numerical_gradient(f, theta, eps=1e-5):\n    raise NotImplementedError",
     "not_implemented", {"reference", "finite_differences", "inputs_unchanged"}),
    ("sigmoid", "def sigmoid(z):\n    return np.exp(z) / (np.exp(z) + 1)",
     "nonfinite", {"reference", "inputs_unchanged"}),
]


@pytest.mark.parametrize("stub,source,code,failing", MISTAKES,
                         ids=[f"{m[0]}-{m[2]}" for m in MISTAKES])
def test_planted_mistakes_fail_their_parts_and_are_named(stub, source, code, failing):
    env = notebook_env("ok_batch = backprop_batch\n" + source)
    for part in parts(stub):
        v = verdict(env, stub, part)
        assert v.passed == (part not in failing), (part, v.messages)
        if part in failing and part != "no_loop_over_examples":  # that one names no value
            assert code in v.diagnoses, (part, v.diagnoses, v.messages)
            assert v.messages and all(m.strip() for m in v.messages)


def test_a_stub_is_graded_with_the_reference_version_of_what_it_calls():
    # A broken bp1 must not cost backprop_vectorized anything, and vice versa.
    env = notebook_env("def bp1_output_error(a_L, z_L, y):\n    return 2 * (a_L - y)")
    for part in parts("backprop_vectorized"):
        assert verdict(env, "backprop_vectorized", part).passed
    assert not verdict(env, "bp1_output_error", "reference").passed
    # The student's own helper that calls a stub sees the reference too.
    env = notebook_env(
        "def my_delta(a, z, y):\n    return bp1_output_error(a, z, y)\n",
        "def bp1_output_error(a_L, z_L, y):\n    return -(a_L - y)\n",
        "def backprop_vectorized(x, y, weights, biases):\n"
        "    nw, nb = ok_vec(x, y, weights, biases)\n"
        "    my_delta(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)))\n"
        "    return nw, nb\n",
    )
    env["ok_vec"] = engine.backprop_vectorized
    assert verdict(env, "backprop_vectorized", "reference").passed


def test_cases_are_the_same_on_every_draw_and_differ_between_parts():
    a, b = draw_cases("backprop_batch", "reference"), draw_cases("backprop_batch", "reference")
    assert all(np.array_equal(x.args[0], y.args[0]) for x, y in zip(a, b))
    c = draw_cases("backprop_batch", "finite_differences")
    assert not np.array_equal(a[0].args[0], c[0].args[0])


def test_hidden_cases_cover_depths_widths_equal_widths_and_batches():
    sizes, batches = [], []
    for part in PARTS:
        for case in draw_cases("backprop_batch", part, n=40):
            sizes.append([w.shape[1] for w in case.args[2]] + [case.args[2][-1].shape[0]])
            batches.append(len(case.args[0]))
    assert {len(s) - 1 for s in sizes} == {1, 2, 3, 4}
    assert any(len(set(s)) == 1 and len(s) > 2 for s in sizes)
    assert max(max(s) for s in sizes) <= 7 and max(batches) <= 64 and min(batches) >= 1


def test_a_call_that_never_ends_is_stopped():
    def forever(*args):
        while True:
            pass

    raw = call(forever, (1,), seconds=0.2)
    assert "did not finish" in raw.error


def test_a_part_without_cases_is_a_configuration_error():
    with pytest.raises(ValueError, match="no cases"):
        judge("sigmoid", "finite_differences", [], [])


def test_wire_round_trip_and_refusal():
    value = {"a": [np.arange(6.0).reshape(2, 3), (1.5, None, "x")], "n": 3, "ok": True}
    back = unpack(pack(value))
    assert np.array_equal(back["a"][0], value["a"][0]) and back["a"][1] == (1.5, None, "x")
    assert back["n"] == 3 and back["ok"] is True
    scalars = unpack(pack([np.float64(0.25), np.float32(1.5), np.int64(3), 2.0]))
    assert scalars[0] == 0.25 and type(scalars[0]) is float
    assert float(scalars[1]) == 1.5 and int(scalars[2]) == 3 and scalars[3] == 2.0
    with pytest.raises(TypeError):
        pack({"f": lambda: 0})
    with pytest.raises(TypeError):
        pack(np.array([object()]))


@pytest.fixture
def public_file(public_cases_file, monkeypatch):
    cases = unpack(public_cases_file.read_bytes())
    monkeypatch.setattr(public, "load_cases", lambda: cases)
    return public_cases_file


@pytest.mark.parametrize("stub", names())
def test_public_checks_pass_the_reference(stub, public_file, capsys):
    public.check(stub, notebook_env())
    assert "pass" in capsys.readouterr().out


PUBLIC_ONLY = [
    ("backprop_batch",
     "def backprop_batch(X, Y, weights, biases):\n"
     "    nw, nb = ok_batch(X, Y, weights, biases)\n"
     "    return nw, [np.repeat(g / len(X), len(X), axis=1) for g in nb]",
     "bias_not_summed", None),
]
PUBLIC = [m for m in MISTAKES if m[2] != "mutates_inputs" or m[0] == "sgd_epoch"] + PUBLIC_ONLY


@pytest.mark.parametrize("stub,source,code,failing", PUBLIC,
                         ids=[f"{m[0]}-{m[2]}" for m in PUBLIC])
def test_public_checks_name_the_mistakes_finite_differences_can_see(
        stub, source, code, failing, public_file):
    env = notebook_env("ok_batch = backprop_batch\n" + source)
    with pytest.raises(AssertionError, match=code):
        public.check(stub, env)


def test_public_cases_hold_no_code():
    from backprop_lab.course.public import CONTRACTS, LOOPS

    cases = public_cases()
    assert set(cases) == set(names()) | {CONTRACTS, LOOPS}
    assert set(cases[CONTRACTS]) == set(names())
    assert unpack(pack(cases)).keys() == cases.keys()


OTTER_PATH_ATTACKS = {
    "stub wrapped by a non-NumPy library": "import functools\n"
                                            "sigmoid = functools.partial(expit)\n",
    "numpy replaced": "np.allclose = lambda *a, **k: True\n"
                      "def sigmoid(z):\n    return z\n",
    "engine borrowed": "def sigmoid(z):\n"
                       "    from backprop_lab.engine import sigmoid as s\n"
                       "    return s(z)\n",
}


@pytest.mark.parametrize("attack", sorted(OTTER_PATH_ATTACKS))
def test_the_otter_path_refuses_credit_it_can_see_is_borrowed(attack):
    import numpy

    original = numpy.allclose
    try:
        env = notebook_env(OTTER_PATH_ATTACKS[attack])
        with pytest.raises(AssertionError, match="not a function defined|refused"):
            hidden("sigmoid", "reference", env)
    finally:
        numpy.allclose = original


def test_the_grader_answers_a_proxy_request_with_keywords_and_refuses_others():
    from backprop_lab.course.calls import PROXY_MARK, decode, encode
    from backprop_lab.running.submission import answer_proxy

    z = np.array([[0.0, 2.0]])
    flags = []
    ask = {"name": "sigmoid", "args": [], "kwargs": {"z": z}}
    reply = decode(answer_proxy(PROXY_MARK + encode(ask), "feedforward", {"sigmoid"}, flags))
    assert np.array_equal(reply["value"], engine.sigmoid(z)) and not flags
    ask = {"name": "backprop_batch", "args": [], "kwargs": {}}
    reply = decode(answer_proxy(PROXY_MARK + encode(ask), "bp4_weight_gradient", set(), flags))
    assert "not available" in reply["error"]
    assert flags == ["asked for the reference backprop_batch while bp4_weight_gradient was graded"]
