"""Issue 19, item 6: named, measured. A corpus of natural mistakes (tests/natural_mistakes/),
graded as grading does, with the shares it must hold.

Each entry's cell goes into a notebook whose other stubs are the reference's
(:func:`..mutation.adequacy.notebook`); every hidden part of its assignment is run and
judged in-process with the masters' points (:class:`..mutation.adequacy.Scorer`, the
mutation tool's path: about 20 s for the corpus), and its public check runs as a student
runs it. A sample goes through the real ``grade`` (real kernels, Otter) to show that the
two paths agree.

- caught: every mistake loses points, and its public check fails;
- isolated: it loses points only in its own question;
- named: the share of caught mistakes whose feedback names a mistake code;
- every control (a correct but unusual cell) keeps full marks and passes its check.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field

import pytest
from natural_mistakes import Entry, corpus

from backprop_lab.judging import mutants
from backprop_lab.mutation.adequacy import Scorer, notebook
from backprop_lab.questions.registry import names, questions

pytestmark = pytest.mark.task("named, measured")

ENTRIES = corpus()
MISTAKES = [e for e in ENTRIES if not e.correct]
CONTROLS = [e for e in ENTRIES if e.correct]

#: Entries the catalog holds literally: it took them in from this corpus, after it was written
#: (every other catalog mistake it names is written there in another style).
LATER_IN_CATALOG = {"sigmoid-exp-plus-z", "feedforward-no-bias", "bp1-divides-by-n",
                    "get-params-biases-first", "relerr-norm-difference", "add-bias-first-column",
                    "augmented-ones-on-top", "augmented-linear-output"}

#: The shares this corpus holds (README, "Named mistakes, measured"): raise them as the
#: catalog grows; caught and isolated may never go below 100%.
CAUGHT, ISOLATED, NAMED = 1.0, 1.0, 0.819


@dataclass
class Graded:
    entry: Entry
    lost: float  # points lost in its own question
    elsewhere: dict[str, float] = field(default_factory=dict)  # other questions' losses
    named: list[str] = field(default_factory=list)  # codes its own question's feedback names
    crashed: list[str] = field(default_factory=list)  # parts whose judging raised


def grade_in_process(scorer: Scorer, entry: Entry) -> Graded:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        env = notebook({entry.stub: entry.source})
        lost, crashed, _, named = scorer.score(env, scorer.assignment[entry.stub], entry.stub)
    return Graded(entry, lost[entry.stub], {q: p for q, p in lost.items()
                                            if q != entry.stub and p > 0}, named, crashed)


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer()


@pytest.fixture(scope="module")
def graded(scorer) -> dict[str, Graded]:
    return {e.id: grade_in_process(scorer, e) for e in ENTRIES}


def shares(results: list[Graded]) -> tuple[float, float, float, list[Graded]]:
    """(caught, isolated, named) as shares of the mistakes (named: of the caught ones),
    and the caught mistakes left unnamed."""
    caught = [r for r in results if r.lost > 0]
    isolated = [r for r in results if not r.elsewhere]
    unnamed = [r for r in caught if not r.named]
    return (len(caught) / len(results), len(isolated) / len(results),
            (len(caught) - len(unnamed)) / max(len(caught), 1), unnamed)


# --- the corpus ------------------------------------------------------------------------

def test_the_corpus_is_large_covers_every_stub_and_is_not_the_catalog():
    assert len(MISTAKES) >= 80
    for stub in names():
        assert any(e.stub == stub for e in MISTAKES), stub
        assert any(e.stub == stub for e in CONTROLS), stub
    catalog = {ast.dump(ast.parse(m.source)) for ms in mutants.MUTANTS.values() for m in ms}
    for e in ENTRIES:
        tree = ast.parse(e.source)
        assert any(isinstance(n, ast.FunctionDef) and n.name == e.stub for n in tree.body), e.id
        own = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == e.stub)
        literal = ast.dump(ast.Module([own], [])) in catalog
        assert literal == (e.id in LATER_IN_CATALOG), f"{e.id} is a catalog mutant"
        assert e.code is None or e.code == "correct" or e.code in known_codes(), e.id


def known_codes() -> set[str]:
    from backprop_lab.reporting.report import MISTAKES as WORDS

    return set(WORDS) | {m.code for q in questions().values() for m in q.mistakes}


# --- in-process: every entry ---------------------------------------------------------------

def test_every_control_keeps_full_marks_and_passes_its_public_check(graded, checks):
    for e in CONTROLS:
        r = graded[e.id]
        assert r.lost == 0 and not r.elsewhere and not r.crashed, (e.id, r)
        assert not r.named, (e.id, r.named)
        assert checks(e.stub, notebook({e.stub: e.source})) is None, e.id


def test_every_mistake_is_caught_in_its_own_question_and_by_its_public_check(graded, checks):
    results = [graded[e.id] for e in MISTAKES]
    caught, isolated, named, unnamed = shares(results)
    print(f"\n{len(MISTAKES)} natural mistakes: caught {caught:.0%}, isolated {isolated:.0%}, "
          f"named {named:.1%} of the caught (goal 80%: "
          f"{'reached' if named >= 0.8 else 'NOT reached'})")
    apart = [r for r in results if r.entry.id not in LATER_IN_CATALOG]
    print(f"named among the {len(apart)} the catalog does not hold literally: "
          f"{shares(apart)[2]:.1%}")
    for r in unnamed:
        print(f"  unnamed: {r.entry.id} ({r.entry.stub}): {r.entry.says}")
    assert [r.entry.id for r in results if r.lost == 0] == []
    assert [(r.entry.id, r.elsewhere) for r in results if r.elsewhere] == []
    assert [(r.entry.id, r.crashed) for r in results if r.crashed] == []
    assert (caught, isolated) == (CAUGHT, ISOLATED)
    assert named >= NAMED, f"named {named:.1%} < {NAMED:.0%}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        passing = [e.id for e in MISTAKES if checks(e.stub, notebook({e.stub: e.source})) is None]
    assert passing == [], "mistakes that pass their public check"


def test_a_named_mistake_is_named_as_the_student_made_it(graded):
    """The entries that say which code fits are named with that code (or not at all):
    no hint proposes another fix."""
    wrong = [(e.id, e.code, graded[e.id].named) for e in MISTAKES
             if e.code and graded[e.id].named and e.code not in graded[e.id].named]
    assert wrong == []


def test_without_the_catalog_the_named_share_falls(scorer, monkeypatch):
    """The control of the measure: the named share comes from the catalog of mutants (and
    the comparison's own codes); with the catalog emptied it falls below the bar."""
    monkeypatch.setattr(mutants, "MUTANTS", {})
    results = [grade_in_process(scorer, e) for e in MISTAKES]
    caught, _, named, _ = shares(results)
    assert caught == CAUGHT and named < NAMED


# --- the real grade on a sample ---------------------------------------------------------

SAMPLE = ["sigmoid-zeros-like", "feedforward-rows", "bp3-reshape-view", "batch-bias-not-summed",
          "set-params-split-views", "sgd-shuffles", "rows-bias-no-keepdims",
          "sgd-recursive", "feedforward-recursive"]


@pytest.mark.slow
def test_grade_agrees_with_the_in_process_path_on_a_sample(dist, graded, tmp_path):
    from backprop_lab.grade import grade
    from backprop_lab.samples import filled, read, write

    students = {p.stem: read(p) for p in sorted(dist.glob("*/student/*.ipynb"))}
    by_id = {e.id: e for e in ENTRIES}
    assignment = {q.name: q.assignment for q in questions().values()}
    for entry_id in SAMPLE:
        e = by_id[entry_id]
        write(filled(students[assignment[e.stub]], {e.stub: e.source}),
              tmp_path / "in" / f"{entry_id}.ipynb")
    summary = grade([tmp_path / "in"], tmp_path / "out", autograder_dir=dist, workers=2,
                    progress=False)
    records = {r["submission"].removesuffix(".ipynb"): r for r in summary.records}
    for entry_id in SAMPLE:
        e, r, mine = by_id[entry_id], records[entry_id], graded[entry_id]
        assert r["status"] == "graded", r
        lost = {q["name"]: q["max_score"] - q["score"] for q in r["questions"]}
        assert lost.pop(e.stub) == pytest.approx(mine.lost), (entry_id, r)
        assert {q: p for q, p in lost.items() if p > 0} == mine.elsewhere, (entry_id, r)
        codes = next(q["diagnoses"] for q in r["questions"] if q["name"] == e.stub)
        assert sorted(codes) == sorted(mine.named), (entry_id, codes, mine.named)


def test_every_unnamed_mistake_comes_with_a_runnable_counterexample(graded):
    """Issue 19: a caught mistake without a name gets a counterexample (counterexample.py)
    from its own reference cases; it has at most 2 layers where the stub takes a network."""
    from backprop_lab.judging import counterexample as cx
    from backprop_lab.judging.judge import REFERENCES
    from backprop_lab.questions.cases import draw_cases
    from backprop_lab.running.harness import run

    unnamed = shares([graded[e.id] for e in MISTAKES])[3]
    assert unnamed  # the corpus still has some: this test measures something
    missing, deep = [], []
    for result in unnamed:
        entry = result.entry
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            env = notebook({entry.stub: entry.source})
            cases = draw_cases(entry.stub, "reference")
            raws = run(env, entry.stub, [c.args for c in cases], REFERENCES)
            found = cx.failing(entry.stub, cases, raws)
            message = found and cx.find(entry.stub, *found, cx.in_process(env))
        if not message:
            missing.append(entry.id)
        elif message.count("np.array([[") > 2 * 2 + 2 and "weights = [" in message and \
                message.split("weights = [", 1)[1].split("]\n")[0].count("np.array") > 2:
            deep.append(entry.id)
    print(f"\n{len(unnamed) - len(missing)} of {len(unnamed)} unnamed mistakes get a "
          f"counterexample; without one: {missing}; deeper than 2 layers: {deep}")
    assert not missing and not deep
