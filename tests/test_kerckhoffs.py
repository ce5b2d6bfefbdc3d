"""Credit only for work the notebook did, against a student who has read every line (issue 16).

Each attack below was written with the source at hand. Each is paired with a control
that runs the same mechanism with the defence taken away (every stub's reference on
offer, cases drawn with the public development key, the function object in the kernel,
the kernel's own verdicts), which earns the points: so a passing test proves the defence,
not the attack's clumsiness. The attacks then run through ``grade`` in real kernels.
"""

import hashlib
import textwrap

import numpy as np
import pytest

from backprop_lab import engine
from backprop_lab.course.calls import call, revive
from backprop_lab.course.smooth import SmoothFunction
from backprop_lab.course.standins import foreign
from backprop_lab.judging.judge import BUILDS_ON, PARTS, REFERENCES, judge
from backprop_lab.judging.provenance import Bindings
from backprop_lab.judging.shipping import modified, shipped
from backprop_lab.questions.cases import draw_cases
from backprop_lab.questions.registry import names
from backprop_lab.questions.secret import DEVELOPMENT_KEY, new_secret, submission_key
from backprop_lab.running.harness import run
from backprop_lab.samples import reference_source

pytestmark = pytest.mark.task("credit only for work the notebook did")

FULL_BACKPROP = ("backprop_1D", "backprop_loops", "backprop_vectorized", "backprop_batch",
                 "backprop_row_major")
EVERY_STUB = {stub: frozenset(names()) - {stub} for stub in names()}  # last round's

# a1's sigmoid as feedforward on a 1x1 identity network: no sigmoid code at all.
DELEGATING_SIGMOID = textwrap.dedent("""\
    import numpy as np
    def sigmoid(z):
        z = np.asarray(z, dtype=float)
        _, activations = feedforward(z.reshape(-1, 1), [np.ones((1, 1))], [np.zeros((1, 1))])
        return activations[-1].reshape(z.shape)
    """)
# a2's three full backprops, each asking another for the answer.
DELEGATING_BACKPROPS = textwrap.dedent("""\
    def backprop_loops(x, y, weights, biases):
        return backprop_vectorized(x, y, weights, biases)
    def backprop_vectorized(x, y, weights, biases):
        return backprop_batch(x.T, y.T, weights, biases)
    def backprop_batch(X, Y, weights, biases):
        return backprop_loops(X.T, Y.T, weights, biases)
    """)
ORACLE_READER = "def numerical_gradient(f, theta, eps=1e-5):\n    return f.gradient(theta)\n"


def env_of(source: str, filename: str = "/tmp/ipykernel_0/1.py") -> dict:
    env: dict = {}
    exec(compile(source, filename, "exec", dont_inherit=True), env)
    return env


def scores(env: dict, stub: str, builds_on=BUILDS_ON, key: bytes = DEVELOPMENT_KEY) -> dict:
    """The parts of ``stub`` that pass, graded in this process on ``key``'s cases."""
    import backprop_lab.judging.judge as judge_module

    saved, judge_module.BUILDS_ON = judge_module.BUILDS_ON, builds_on
    try:
        passed = {}
        for part in PARTS:
            cases = draw_cases(stub, part, key=key)
            if cases:
                raws = run(env, stub, [c.args for c in cases], REFERENCES)
                passed[part] = judge(stub, part, cases, raws).passed
        return passed
    finally:
        judge_module.BUILDS_ON = saved


# --- building blocks ----------------------------------------------------------------

def test_no_stub_reaches_its_own_reference_through_its_building_blocks():
    def closure(stub, seen=()):
        found = set(BUILDS_ON[stub])
        for block in BUILDS_ON[stub] - set(seen):
            found |= closure(block, (*seen, stub))
        return found

    for stub in names():
        assert stub not in closure(stub), stub
    assert BUILDS_ON["sigmoid"] == frozenset()
    assert BUILDS_ON["backprop_vectorized"] >= {"bp1_output_error", "bp2_hidden_error",
                                                "bp3_bias_gradient", "bp4_weight_gradient",
                                                "sigmoid_prime", "feedforward"}
    for stub in FULL_BACKPROP:
        assert not BUILDS_ON[stub] & set(FULL_BACKPROP), stub


def test_a_sigmoid_that_asks_feedforward_earns_nothing():
    env = env_of(DELEGATING_SIGMOID)
    assert all(scores(env, "sigmoid", EVERY_STUB).values())  # control: last round's rule
    assert not any(scores(env, "sigmoid").values())


def test_full_backprops_that_ask_one_another_earn_nothing():
    env = env_of(DELEGATING_BACKPROPS)
    for stub in ("backprop_loops", "backprop_vectorized", "backprop_batch"):
        assert all(scores(env, stub, EVERY_STUB).values()), stub  # control
        assert not any(scores(env, stub).values()), stub


def test_the_building_blocks_still_serve_the_stubs_meant_to_use_them():
    # The reference's backprop_vectorized, over BP1 and sigma' of the student's that are
    # wrong: its calls to them get the reference answers, so it keeps its points.
    wrong = ("import numpy as np\n"
             "def bp1_output_error(a_L, z_L, y):\n    return 0 * a_L\n"
             "def sigmoid_prime(z):\n    return 0 * z\n")
    env = env_of(reference_source("backprop_vectorized") + wrong)
    assert all(scores(env, "backprop_vectorized").values())
    nothing = {stub: frozenset() for stub in names()}
    assert not all(scores(env, "backprop_vectorized", nothing).values())  # control


# --- the secret -----------------------------------------------------------------------

def _lookup_sigmoid(key: bytes) -> str:
    """A sigmoid that knows the answers of ``key``'s cases by heart, and nothing else."""
    table = {}
    for part in PARTS:
        for case in draw_cases("sigmoid", part, key=key):
            z = np.asarray(case.args[0], dtype=float)
            table[hashlib.sha256(z.tobytes()).hexdigest()] = np.asarray(engine.sigmoid(z)).tolist()
    return ("import hashlib\nimport numpy as np\n"
            f"TABLE = {table!r}\n"
            "def sigmoid(z):\n"
            "    z = np.asarray(z, dtype=float)\n"
            "    hit = TABLE.get(hashlib.sha256(z.tobytes()).hexdigest())\n"
            "    return np.array(hit) if hit is not None else z * 0.5\n")


def test_a_lookup_table_of_the_public_cases_earns_nothing_under_a_submissions_key():
    env = env_of(_lookup_sigmoid(DEVELOPMENT_KEY))
    assert all(scores(env, "sigmoid", key=DEVELOPMENT_KEY).values())  # control
    key = submission_key(new_secret(), hashlib.sha256(b"the notebook").hexdigest())
    assert not any(scores(env, "sigmoid", key=key).values())


def test_a_classmates_lookup_table_does_not_fit_another_notebook():
    secret = new_secret()
    mine = submission_key(secret, hashlib.sha256(b"my notebook").hexdigest())
    theirs = submission_key(secret, hashlib.sha256(b"their notebook").hexdigest())
    env = env_of(_lookup_sigmoid(theirs))
    assert all(scores(env, "sigmoid", key=theirs).values())  # control
    assert not any(scores(env, "sigmoid", key=mine).values())


def test_the_same_file_and_secret_draw_the_same_cases():
    key = submission_key("s" * 32, "ab" * 32)
    a, b = draw_cases("backprop_batch", "reference", key=key), draw_cases(
        "backprop_batch", "reference", key=submission_key("s" * 32, "ab" * 32))
    assert all(np.array_equal(x.args[0], y.args[0]) for x, y in zip(a, b))
    other = draw_cases("backprop_batch", "reference", key=submission_key("t" * 32, "ab" * 32))
    assert not all(x.args[0].shape == y.args[0].shape and np.array_equal(x.args[0], y.args[0])
                   for x, y in zip(a, other))


# --- checks made outside the kernel ---------------------------------------------------

def test_the_function_argument_gives_nothing_away_in_the_kernel():
    env = env_of(ORACLE_READER)
    # control: with the function object itself in hand, its exact gradient earns the part
    # that compares with the exact gradient
    assert scores(env, "numerical_gradient")["finite_differences"]
    asked = []

    def ask(prompt):  # what the kernel's function asks the grader: only f(theta)
        asked.append(prompt)
        from backprop_lab.course.calls import encode
        return encode({"value": 1.0})

    (f, theta) = revive(shipped((SmoothFunction(np.eye(2)), np.zeros(2)), 0), ask)
    raw = call(env["numerical_gradient"], (f, theta))
    assert raw.error and "gradient" in raw.error and not asked
    assert f(theta) == 1.0 and len(asked) == 1
    hidden = [c.cell_contents for c in f.__closure__ or ()]
    assert not any(isinstance(v, (np.ndarray, SmoothFunction)) for v in hidden)


def test_inputs_changed_are_seen_by_the_grader_even_when_the_kernels_check_is_patched():
    import backprop_lab.course.calls as calls

    def shrink(W):
        W *= 0.5
        return W.sum()

    W = np.ones((2, 2))
    saved, calls._changed = calls._changed, lambda *a: []
    try:
        raw = call(shrink, (W,))
    finally:
        calls._changed = saved
    assert raw.mutated == []  # control: the kernel's own check, patched, sees nothing
    assert modified(shipped((W,), 0), raw.after) == [(0,)]
    assert modified(shipped((W,), 0), [W.copy()]) == []


def test_defined_in_the_notebook_is_read_from_the_source():
    cells = ["import numpy as np\nfrom scipy.special import expit\n"
             "import stolen\nfrom stolen import sigmoid as sig2\n",
             "@np.vectorize\ndef sigmoid_prime(z):\n    return 0.25\n",
             "sigmoid = expit\n",
             "feedforward = stolen.feedforward\n",
             "def backprop_1D(x, y, w, b):\n    pass\nbackprop_1D = sig2\n",
             "globals()['backprop_loops'] = stolen.backprop_loops\n",
             "def helper(a_L, z_L, y):\n    return a_L\nbp1_output_error = helper\n"
             "bp3_bias_gradient = lambda delta: delta.sum(axis=1, keepdims=True)\n",
             "%time x = 1\n!ls\ndef bp4_weight_gradient(delta, a_prev):\n    return delta\n"]
    bindings = Bindings(cells)
    assert bindings.why_not("sigmoid_prime") is None  # a def, decorated: the student's own
    assert bindings.why_not("sigmoid") is None  # a SciPy function, graded like any answer
    assert bindings.why_not("bp1_output_error") is None
    assert bindings.why_not("bp3_bias_gradient") is None
    assert bindings.why_not("bp4_weight_gradient") is None  # magics do not hide a cell
    assert "stolen" in bindings.why_not("feedforward")
    assert "imported from stolen" in bindings.why_not("backprop_1D")  # the last binding
    assert "no cell defines it" in bindings.why_not("backprop_loops")


def test_a_def_rebound_afterwards_in_any_form_is_not_the_students_own():
    rebinds = {"sigmoid": "sigmoid, _ = stolen.sigmoid, 0\n",
               "sigmoid_prime": "for sigmoid_prime in [stolen.sigmoid_prime]:\n    pass\n",
               "feedforward": "with open('x') as feedforward:\n    pass\n",
               "backprop_1D": "if (backprop_1D := stolen.backprop_1D):\n    pass\n"}
    for stub, cell in rebinds.items():
        own = f"def {stub}(*args):\n    return None\n"
        assert Bindings(["import stolen\n", own]).why_not(stub) is None  # control
        assert Bindings(["import stolen\n", own, cell]).why_not(stub), stub


def test_a_relabelled_code_object_fooled_the_kernels_check_but_not_the_source():
    stolen = env_of("def sigmoid(z):\n    return z\n", "/site-packages/stolen.py")["sigmoid"]
    assert foreign("sigmoid", stolen)  # the kernel's check sees where it comes from...
    stolen.__code__ = stolen.__code__.replace(co_filename="/tmp/ipykernel_0/9.py")
    assert foreign("sigmoid", stolen) is None  # control: ...until the code is relabelled
    cells = ["from stolen import sigmoid as s\n"
             "s.__code__ = s.__code__.replace(co_filename='/tmp/ipykernel_0/9.py')\n"
             "sigmoid = s\n"]
    assert "stolen" in Bindings(cells).why_not("sigmoid")


# --- the same attacks through `grade`, in real kernels -------------------------------

NOT_YET = "def {name}({params}):\n    raise NotImplementedError\n"
IN_PLACE_SGD = textwrap.dedent("""\
    def sgd_epoch(X, Y, weights, biases, batch_size, eta):
        for start in range(0, len(X), batch_size):
            X_b, Y_b = X[start:start + batch_size], Y[start:start + batch_size]
            nabla_w, nabla_b = backprop_batch(X_b, Y_b, weights, biases)
            for W, g in zip(weights, nabla_w):
                W -= eta / len(X_b) * g
            for b, g in zip(biases, nabla_b):
                b -= eta / len(X_b) * g
        return weights, biases
    """)
RELABEL = ("open('stolen_sigmoid.py', 'w').write('import numpy as np\\n"
           "def sigmoid(z):\\n    return 1 / (1 + np.exp(-z))\\n')\n"
           "import stolen_sigmoid\n"
           "_cell = (lambda: 0).__code__.co_filename\n"
           "_s = stolen_sigmoid.sigmoid\n"
           "_s.__code__ = _s.__code__.replace(co_filename=_cell)\n")
DECORATED = ("import numpy as np\n@np.vectorize\ndef sigmoid_prime(z):\n"
             "    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n")
# name -> (assignment, extra cells, stub sources, {question: expected score or None})
CORPUS = {
    "delegate-sigmoid": ("a1_forward", [], {"sigmoid": DELEGATING_SIGMOID,
                                            "feedforward": "feedforward"}, {"sigmoid": 0}),
    "delegate-backprops": ("a2_backprop", [], {
        s: "\n".join(["def " + d for d in DELEGATING_BACKPROPS.split("def ")[1:]
                      if d.startswith(s + "(")]) for s in
        ("backprop_loops", "backprop_vectorized", "backprop_batch")},
        {"backprop_loops": 0, "backprop_vectorized": 0, "backprop_batch": 0}),
    "lookup-table": ("a1_forward", [], {"sigmoid": _lookup_sigmoid(DEVELOPMENT_KEY)},
                     {"sigmoid": 0}),
    "oracle-reader": ("a3_training", [], {"numerical_gradient": ORACLE_READER},
                      {"numerical_gradient": 0}),
    "patched-check": ("a3_training", ["import bplab.calls as c\nc._changed = lambda *a: []\n"],
                      {"sgd_epoch": IN_PLACE_SGD}, {"sgd_epoch": None}),
    "relabelled": ("a1_forward", [RELABEL], {"sigmoid": "sigmoid = _s\n"}, {"sigmoid": 0}),
    "decorated-right": ("a1_forward", [], {"sigmoid_prime": DECORATED}, {}),
}


@pytest.fixture(scope="module")
def source_readers(dist, tmp_path_factory):
    import inspect

    from test_attacks import submission

    from backprop_lab.grade import grade
    from backprop_lab.running.kernel import Limits
    from backprop_lab.samples import filled, read, write

    folder = tmp_path_factory.mktemp("source-readers")
    for name, (assignment, cells, sources, _) in CORPUS.items():
        base = read(dist / assignment / "student" / f"{assignment}.ipynb")
        sources = {stub: NOT_YET.format(name=stub, params=", ".join(
            inspect.signature(REFERENCES[stub]).parameters)) if text == stub else text
            for stub, text in sources.items()}
        write(submission(base, cells, sources) if cells else filled(base, sources),
              folder / f"{name}.ipynb")
    out = tmp_path_factory.mktemp("source-readers-out")
    summary = grade([folder], out, autograder_dir=dist, workers=4, progress=False,
                    limits=Limits(cell_seconds=20, total_seconds=60, call_seconds=5))
    return {r["submission"].removesuffix(".ipynb"): r for r in summary.records}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_an_attack_by_a_source_reader_earns_nothing_in_real_kernels(name, source_readers):
    record = source_readers[name]
    assert record["status"] == "graded", record
    questions = {q["name"]: q for q in record["questions"]}
    for question, expected in CORPUS[name][3].items():
        q = questions[question]
        if expected is None:  # right values, inputs changed: only that part is lost
            parts = {p["part"]: p["score"] for p in q["parts"]}
            assert parts["inputs_unchanged"] == 0 and parts["reference"] > 0, q
            assert "mutates_inputs" in q["diagnoses"], q
        else:
            assert q["score"] == expected, (name, q)
    others = [q for q in record["questions"] if q["name"] not in CORPUS[name][3]
              and q["name"] not in CORPUS[name][2]]
    assert all(q["score"] == q["max_score"] for q in others), (name, others)
    if name == "relabelled":
        assert any("not a function defined in the notebook" in f for f in record["flags"])


@pytest.mark.slow
def test_a_decorated_def_is_the_students_own_code(source_readers):
    questions = {q["name"]: q for q in source_readers["decorated-right"]["questions"]}
    assert questions["sigmoid_prime"]["score"] == questions["sigmoid_prime"]["max_score"]


def test_a_recursive_stub_sees_the_building_blocks_in_its_inner_calls_too():
    # sgd_epoch written recursively (one mini-batch, then itself on the rest), next to a
    # wrong backprop_batch of the student's: every inner call gets the reference's answer.
    recursive = textwrap.dedent("""\
        import numpy as np
        def backprop_batch(X, Y, weights, biases):
            return [0 * W for W in weights], [0 * b for b in biases]
        def sgd_epoch(X, Y, weights, biases, batch_size, eta):
            if len(X) == 0:
                return list(weights), list(biases)
            X_b, Y_b = X[:batch_size], Y[:batch_size]
            nabla_w, nabla_b = backprop_batch(X_b, Y_b, weights, biases)
            step = eta / len(X_b)
            weights = [W - step * g for W, g in zip(weights, nabla_w)]
            biases = [b - step * g for b, g in zip(biases, nabla_b)]
            return sgd_epoch(X[batch_size:], Y[batch_size:], weights, biases, batch_size, eta)
        """)
    assert all(scores(env_of(recursive), "sgd_epoch").values())
