"""Make submissions from built student notebooks: fill stubs, plant mistakes, break files.

Used to write the bundled ``samples/`` that ``backprop-lab demo`` grades, and by the
tests to build a submission with exactly one planted mistake.
"""

from __future__ import annotations

import inspect
import json
import re
import textwrap
from pathlib import Path

from .questions.registry import names, question

STUB = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(")

# One classic mistake per stub family, as a student would write it.
PLANTED = {
    "bp1_output_error": ("factor_of_two",
                         "def bp1_output_error(a_L, z_L, y):\n"
                         "    return 2 * (a_L - y) * sigmoid_prime(z_L)\n"),
    "bp4_weight_gradient": ("transposed",
                            "def bp4_weight_gradient(delta, a_prev):\n"
                            "    return a_prev @ delta.T\n"),
    "backprop_batch": ("mean_instead_of_sum",
                       "def backprop_batch(X, Y, weights, biases):\n"
                       "    zs, activations = feedforward_(X, weights, biases)\n"
                       "    N = X.shape[0]\n"
                       "    delta = (activations[-1] - Y.T) * sigmoid_prime(zs[-1])\n"
                       "    nabla_w = [None] * len(weights)\n"
                       "    nabla_b = [None] * len(weights)\n"
                       "    for l in range(len(weights) - 1, -1, -1):\n"
                       "        if l < len(weights) - 1:\n"
                       "            delta = (weights[l + 1].T @ delta) * sigmoid_prime(zs[l])\n"
                       "        nabla_w[l] = delta @ activations[l].T / N\n"
                       "        nabla_b[l] = delta.sum(axis=1, keepdims=True) / N\n"
                       "    return nabla_w, nabla_b\n"
                       "\n"
                       "def feedforward_(X, weights, biases):\n"
                       "    a = X.T\n"
                       "    zs, activations = [], [a]\n"
                       "    for W, b in zip(weights, biases):\n"
                       "        zs.append(W @ a + b)\n"
                       "        a = 1 / (1 + np.exp(-zs[-1]))\n"
                       "        activations.append(a)\n"
                       "    return zs, activations\n"),
    "sgd_epoch": ("mutates_inputs",
                  "def sgd_epoch(X, Y, weights, biases, batch_size, eta):\n"
                  "    for start in range(0, len(X), batch_size):\n"
                  "        xb, yb = X[start:start + batch_size], Y[start:start + batch_size]\n"
                  "        nabla_w, nabla_b = backprop_batch(xb, yb, weights, biases)\n"
                  "        for W, nw in zip(weights, nabla_w):\n"
                  "            W -= eta / len(xb) * nw\n"
                  "        for b, nb in zip(biases, nabla_b):\n"
                  "            b -= eta / len(xb) * nb\n"
                  "    return weights, biases\n"),
    "sigmoid": ("nonfinite", "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"),
    "bp3_bias_gradient": ("shape_mismatch",
                          "def bp3_bias_gradient(delta):\n    return delta.ravel()\n"),
}


def reference_source(stub: str) -> str:
    """The reference engine's function, as a student's cell (imports prepended).

    The future import keeps the engine's type hints (``ArrayLike``, ``Params``) unevaluated.
    """
    fn = question(stub).reference
    body = textwrap.dedent(inspect.getsource(fn))
    if fn.__name__ != stub:  # a reference named otherwise is a student's cell all the same
        body = re.sub(rf"def {re.escape(fn.__name__)}\(", f"def {stub}(", body, count=1)
    return ("from __future__ import annotations\nimport numpy as np\n"
            "from scipy.special import expit\n" + body)


def read(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def stub_cells(nb: dict) -> dict[str, int]:
    out = {}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            m = STUB.match("".join(cell["source"]).lstrip())
            if m:
                out[m.group(1)] = i
    return out


def filled(nb: dict, sources: dict[str, str] | None = None) -> dict:
    """A copy of ``nb`` whose stub cells hold the reference (or ``sources[stub]``)."""
    nb = json.loads(json.dumps(nb))
    for stub, i in stub_cells(nb).items():
        source = (sources or {}).get(stub) or reference_source(stub)
        nb["cells"][i]["source"] = source
    # Cells "# From assignment N: your <name>" get the answer, as a student pastes it
    # (with the stubs it calls, which later notebooks do not define).
    for cell in nb["cells"]:
        text = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        first = text.split("\n")[0]
        found = re.match(r"# From assignment \d+: your (\w+)", first)
        if found and found[1] in names():
            pasted = [*PASTED_WITH.get(found[1], ()), found[1]]
            bodies = [reference_source(n).removeprefix(FUTURE) for n in pasted]
            cell["source"] = "\n".join([first, FUTURE.strip(), *bodies])
    return nb


FUTURE = "from __future__ import annotations\n"
PASTED_WITH = {"backprop_batch": ("bp1_output_error", "bp2_hidden_error", "bp3_bias_gradient",
                                  "bp4_weight_gradient")}


def write(nb: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))
    return path


def write_samples(dist: Path, out: Path) -> list[Path]:
    """The demo's submissions: full marks, classic mistakes, unfinished, a broken file."""
    written = []
    students = sorted(Path(dist).glob("*/student/*.ipynb"))
    for student in students:
        nb, name = read(student), student.stem
        written.append(write(filled(nb), out / f"{name}-full-marks.ipynb"))
        stubs = stub_cells(nb)
        planted = {s: src for s, (_, src) in PLANTED.items() if s in stubs}
        if planted:
            written.append(write(filled(nb, planted), out / f"{name}-classic-mistakes.ipynb"))
        written.append(write(nb, out / f"{name}-unfinished.ipynb"))
    lines = ["# Sample submissions", "",
             "Written by `make samples` from the built student notebooks; graded by "
             "`backprop-lab demo`.", "",
             "| file | what is in it |", "|---|---|"]
    for student in students:
        stubs = stub_cells(read(student))
        planted = ", ".join(f"`{s}`: {PLANTED[s][0]}" for s in PLANTED if s in stubs)
        lines.append(f"| `{student.stem}-full-marks.ipynb` | every stub filled with the answer |")
        if planted:
            lines.append(f"| `{student.stem}-classic-mistakes.ipynb` | {planted} |")
        lines.append(f"| `{student.stem}-unfinished.ipynb` | the student notebook as handed out |")
    lines.append("| `broken-file.ipynb` | a truncated file, not JSON |")
    (out / "README.md").write_text("\n".join(lines) + "\n")
    broken = out / "broken-file.ipynb"
    broken.write_text('{"cells": [{"cell_type": "code", "source": "x = ')
    written.append(broken)
    return written
