"""A large class of feedback records, made without kernels, for the report's size tests.

Each submission is the handed-out a2 notebook (samples/) with every stub filled by an
independent solution (tests/independent_class.py), so the similarity check has real code
of real size to fingerprint, and a class that copied nothing. Scores, diagnoses,
messages and flags are drawn as a class might show them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from independent_class import notebook, solution

from backprop_lab.reporting.report import MISTAKES
from backprop_lab.reporting.similarity import code_cells

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "a2_backprop"
POINTS = {"backprop_loops": 4, "bp1_output_error": 3, "bp2_hidden_error": 3,
          "bp3_bias_gradient": 3, "bp4_weight_gradient": 3, "backprop_vectorized": 4,
          "backprop_batch": 4}


def synthetic_class(out: Path, n: int, seed: int = 0) -> Path:
    """Write ``n`` feedback records (``out/feedback/*.json``) for a2; returns ``out``."""
    rng = np.random.default_rng(seed)
    codes = list(MISTAKES)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        code = code_cells(notebook(solution(10_000 * seed + i)))
        questions = []
        for stub, points in POINTS.items():
            wrong = rng.random() < 0.3
            diagnoses = [codes[rng.integers(len(codes))]] if wrong else []
            messages = ([f"On layer 2 of a network with layer sizes [3, 4, 2]: {stub} "
                         f"<b>is</b> wrong ({diagnoses[0]}).", "(3 of 6 cases failed in all.)"]
                        if wrong else [])
            questions.append({"name": stub, "score": 0.0 if wrong else float(points),
                              "max_score": float(points), "messages": messages,
                              "diagnoses": diagnoses})
        status = "graded" if rng.random() > 0.02 else "timeout"
        record = {"submission": f"student-{i:04d}.ipynb", "assignment": ASSIGNMENT,
                  "status": status, "score": sum(q["score"] for q in questions),
                  "max_score": float(sum(POINTS.values())),
                  "flags": ["opened a private path: /work/x"] if rng.random() < 0.01 else [],
                  "questions": questions, "reason": "", "code": code}
        (out / "feedback" / f"student-{i:04d}.json").write_text(json.dumps(record))
    return out
