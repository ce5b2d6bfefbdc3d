"""Score every mutant of every stub in-process, exactly as grading scores a notebook.

A mutant's cell goes into a notebook-like namespace where every other stub is the
reference's cell; then every hidden part of every question of the stub's assignment is
run (:func:`..harness.run`) and judged (:func:`..judge.judge`) on the cases the
autograder draws (:func:`..cases.draw_cases`), with the points of the masters. The
mutant is *killed* when it loses points in its own question, and it must lose nothing
in any other. A mutant that survives is swept (:mod:`.sweep`): if it agrees with the
reference everywhere it is *equivalent*, else it is a *survivor*, a gap in the cases.
"""

from __future__ import annotations

import ast
import json
import math
import time
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..building.assign import find_assignments
from ..building.autograder import Part
from ..course.calls import Raw
from ..judging.judge import COUNTED, REFERENCES, judge
from ..questions.cases import Case, draw_cases
from ..questions.registry import names
from ..running.harness import run
from ..samples import reference_source
from .mutator import Mutation, mutations
from .sweep import agree, difference, sweep_inputs

SWEEP = 300  # inputs per surviving mutant
GRADER_BUG = "the grading of this case failed"  # judge.py's message for its own error
#: Seconds per call before a mutant is stopped (grading allows 10; the slowest reference
#: call here takes milliseconds, and an endless loop must not cost a minute per part).
CALL_LIMIT = 2.0


@dataclass
class Outcome:
    mutation: Mutation
    lost: dict[str, float] = field(default_factory=dict)  # question -> points lost
    trivial: bool = False  # raised, timed out or gave None on every input of its question
    crashed: list[str] = field(default_factory=list)  # (stub, part) whose judging raised
    named: list[str] = field(default_factory=list)  # mistake codes its own question names
    difference: str | None = None  # a survivor's first input that tells it apart
    seconds: float = 0.0

    @property
    def killed(self) -> bool:
        return self.lost.get(self.mutation.stub, 0.0) > 0

    @property
    def elsewhere(self) -> dict[str, float]:
        return {q: p for q, p in self.lost.items() if q != self.mutation.stub and p > 0}

    @property
    def status(self) -> str:
        return "killed" if self.killed else "survived" if self.difference else "equivalent"


def hidden_parts(folder: Path | None = None) -> dict[str, list[Part]]:
    """assignment -> its hidden parts with points, read from the master notebooks (the
    cells ``hidden("<stub>", "<part>", env)`` under ``points: N``)."""
    out: dict[str, list[Part]] = {}
    for master in sorted(find_assignments(folder).glob("*.ipynb")):
        for cell in json.loads(master.read_text())["cells"]:
            source = "".join(cell["source"])
            points = [line.split(":", 1)[1] for line in source.splitlines()
                      if line.strip().startswith("points:")]
            for node in ast.walk(ast.parse(source)) if "hidden(" in source else ():
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "hidden":
                    if not points:
                        raise ValueError(f"{master.name}: a hidden test cell without points")
                    stub, part = (a.value for a in node.args[:2])
                    out.setdefault(master.stem, []).append(Part(stub, part, float(points[0])))
    return out


def notebook(cells: dict[str, str] | None = None) -> dict:
    """A namespace as a notebook makes it: each stub's cell run in course order, the
    reference's cell unless ``cells`` gives the stub's."""
    env: dict = {}
    exec(compile("import numpy as np\nfrom scipy.special import expit", "<cell>", "exec",
                 dont_inherit=True), env)
    for i, name in enumerate(names()):
        source = (cells or {}).get(name) or reference_source(name)
        # IPython compiles each cell to a file in a folder named ipykernel_<pid>.
        exec(compile(source, f"/tmp/ipykernel_0/{i}.py", "exec", dont_inherit=True), env)
    return env


def _reached(env: dict, name: str) -> set[str]:
    """Every global name the function ``env[name]`` may look up, through the notebook
    functions it calls."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        value = env.get(current)
        if current in seen or not isinstance(value, types.FunctionType):
            seen.add(current)
            continue
        seen.add(current)
        codes = [value.__code__]
        while codes:
            code = codes.pop()
            codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
            todo += [n for n in code.co_names if n not in seen]
    return seen


def _cached(case: Case) -> Case:
    if case.finite_differences is not None:
        value = case.finite_differences()
        case.finite_differences = lambda: value
    return case


class Scorer:
    """Hidden cases, baseline results and points, computed once for every mutant."""

    def __init__(self, folder: Path | None = None):
        self.parts = hidden_parts(folder)
        self.assignment = {p.stub: name for name, parts in self.parts.items() for p in parts}
        self.cases = {(p.stub, p.part): [_cached(c) for c in draw_cases(p.stub, p.part)]
                      for parts in self.parts.values() for p in parts}
        self.reference_env = notebook()
        self.baseline = {key: run(self.reference_env, key[0], [c.args for c in cases],
                                  REFERENCES, count_lines=key[1] in COUNTED)
                         for key, cases in self.cases.items()}
        self.sweeps: dict[tuple[str, int], tuple[list[tuple], list[Raw]]] = {}
        self.reaches = {stub: _reached(self.reference_env, stub) for stub in self.assignment}
        for name in self.parts:
            lost, crashed, _, _ = self.score(self.reference_env, name, None)
            if any(lost.values()) or crashed:
                raise RuntimeError(f"the reference loses points in {name}: {lost} {crashed}")

    def score(self, env: dict, assignment: str, mutated: str | None
              ) -> tuple[dict[str, float], list[str], list[Raw], list[str]]:
        """Every hidden part of ``assignment`` run and judged in ``env``: (points lost per
        question, the parts whose judging failed, the raws of ``mutated``'s own calls,
        the mistake codes named in its question). Questions whose stub cannot reach
        ``mutated``, or whose calls give exactly the reference's raws, are not judged
        again: they score as the reference does."""
        lost: dict[str, float] = {}
        crashed, own, named = [], [], []
        for p in self.parts[assignment]:
            lost.setdefault(p.stub, 0.0)
            if mutated is not None and p.stub != mutated and mutated not in self.reaches[p.stub]:
                continue  # cannot see the mutant: scores as the reference does
            cases = self.cases[(p.stub, p.part)]
            raws = run(env, p.stub, [c.args for c in cases], REFERENCES, CALL_LIMIT,
                       count_lines=p.part in COUNTED)
            if p.stub == mutated:
                own += raws
            elif all(agree(r, b, 0.0) for r, b in zip(raws, self.baseline[(p.stub, p.part)],
                                                       strict=True)):
                continue
            try:
                verdict = judge(p.stub, p.part, cases, raws)
            except Exception as error:  # a crash of the judge is a finding, not a stop
                crashed.append(f"{p.stub}/{p.part}: {type(error).__name__}: "
                               f"{str(error)[:80]}")
                lost[p.stub] += p.points
                continue
            if not verdict.passed:
                lost[p.stub] += p.points
            caught = [m for m in verdict.messages if GRADER_BUG in m]
            crashed += [f"{p.stub}/{p.part}: {caught[0][:120]}"] if caught else []
            if p.stub == mutated:
                named += [code for code in verdict.diagnoses if code not in named]
        return lost, crashed, own, named

    def sweep(self, stub: str, n: int) -> tuple[list[tuple], list[Raw]]:
        """The sweep's inputs for ``stub`` and the reference's raws on them (kept)."""
        if (stub, n) not in self.sweeps:
            inputs = sweep_inputs(stub, n)
            self.sweeps[(stub, n)] = inputs, run(self.reference_env, stub, inputs, REFERENCES)
        return self.sweeps[(stub, n)]

    def judge_mutant(self, mutation: Mutation, sweep: int = SWEEP) -> Outcome:
        start = time.perf_counter()
        env = notebook({mutation.stub: mutation.source})
        lost, crashed, own, named = self.score(env, self.assignment[mutation.stub],
                                               mutation.stub)
        trivial = bool(own) and all(r.error or r.not_implemented for r in own)
        outcome = Outcome(mutation, lost, trivial=trivial, crashed=crashed, named=named)
        if not outcome.killed:
            inputs, expected = self.sweep(mutation.stub, sweep)
            outcome.difference = difference(env, mutation.stub, inputs, expected, REFERENCES,
                                            CALL_LIMIT)
        outcome.seconds = time.perf_counter() - start
        return outcome


def select(found: list[Mutation], limit: int | None) -> list[Mutation]:
    """At most ``limit`` mutants, spread evenly over the stub's source (every operator
    and every line keep a chance); all of them when ``limit`` is None."""
    if limit is None or len(found) <= limit:
        return found
    return [found[math.floor(i * len(found) / limit)] for i in range(limit)]


def all_mutations(stubs: Iterable[str] | None = None) -> dict[str, list[Mutation]]:
    return {stub: mutations(stub, reference_source(stub)) for stub in stubs or names()}


def table(outcomes: list[Outcome], generated: dict[str, int]) -> str:
    """The kill-rate table: stub | mutants | judged | equivalent | killed | survivors."""
    rows = ["| stub | mutants | judged | equivalent | killed (trivially, named) | survivors | "
            "kill rate | lose points elsewhere | judge raised |",
            "|---|---|---|---|---|---|---|---|---|"]
    for stub, count in generated.items():
        mine = [o for o in outcomes if o.mutation.stub == stub]
        killed = [o for o in mine if o.killed]
        equivalent_ = sum(o.status == "equivalent" for o in mine)
        survivors = sum(o.status == "survived" for o in mine)
        live = len(mine) - equivalent_
        rate = f"{100 * len(killed) / live:.0f}%" if live else "-"
        rows.append(f"| {stub} | {count} | {len(mine)} | {equivalent_} | {len(killed)} "
                    f"({sum(o.trivial for o in killed)}, {sum(bool(o.named) for o in killed)}) | "
                    f"{survivors} | {rate} | {sum(bool(o.elsewhere) for o in mine)} | "
                    f"{sum(bool(o.crashed) for o in mine)} |")
    return "\n".join(rows)


def equivalents_text(outcomes: list[Outcome]) -> str:
    lines = [f"{o.mutation.describe()}\n    in: {o.mutation.context}"
             for o in outcomes if o.status == "equivalent"]
    return "\n".join(sorted(lines)) + "\n"
