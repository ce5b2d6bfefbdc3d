"""The judging half of grading one submission: reference answers for the kernel's
stand-ins, the raw results it printed, and each question's score and feedback.

Runs in the grading process; never calls student code.
"""

from __future__ import annotations

import base64
import warnings

import numpy as np

from ..course.calls import FLAG_MARK, PROXY_MARK, RAW_MARK, Raw, decode, encode
from ..course.compare import Verdict
from ..course.standins import CannotTake, direct
from ..course.values import NotNumericError, as_tree
from ..course.wire import TooLargeError, WireLimits, size_of, unpack
from .judge import PART_WORDS, REFERENCES, judge

PART_HEADS = tuple(PART_WORDS.values())

#: What the grader answers of one call a stub makes to a building block, checked before
#: any work: the request's characters (before decoding), its numbers, and its work
#: (numbers x longest side, a bound on any chain of products over it). The largest
#: hidden case has under 1,000 numbers and 110,000 of work (tests/test_bounds.py holds
#: it to a hundredth of these); the largest call allowed costs the grader ~0.1 s.
PROXY_LIMIT = 4 << 20
PROXY_NUMBERS = 100_000
PROXY_WORK = 20_000_000
PROXY_WIRE = WireLimits(bytes=PROXY_LIMIT, numbers=PROXY_NUMBERS, nodes=200, depth=16)


def answer_proxy(prompt: str, stub: str, allowed, flags: list[str]) -> str:
    """Compute a reference answer a stub asked for, if it may have it and it is within
    the limits above (else an error the student's stub raises, saying which limit).

    A call the reference cannot take (arguments it has no parameter for, or that make
    it raise) is answered ``{"cannot": why}``: the kernel then calls the student's own."""
    if not prompt.startswith(PROXY_MARK):
        return encode({"error": "not a request the grader answers"})
    if len(prompt) > PROXY_LIMIT:
        return encode({"error": f"the grader answers calls of up to {PROXY_LIMIT:,} "
                                f"characters; yours had {len(prompt):,}"})
    try:
        request = unpack(base64.b64decode(prompt[len(PROXY_MARK):]), PROXY_WIRE)
        name, args, kwargs = request["name"], list(request["args"]), request.get("kwargs", {})
        if not isinstance(kwargs, dict):
            raise TypeError("keyword arguments must be a dict")
    except TooLargeError as why:
        return encode({"error": f"the grader answers calls of up to {PROXY_NUMBERS:,} "
                                f"numbers and {PROXY_WIRE.nodes:,} values; {why}"})
    except Exception:
        return encode({"error": "a malformed request"})
    if name not in allowed:
        flags.append(f"asked for the reference {name} while {stub} was graded")
        return encode({"error": f"{name} is not available while {stub} is graded"})
    size = size_of([args, kwargs])
    if size.numbers > PROXY_NUMBERS:
        return encode({"error": f"the grader answers calls of up to {PROXY_NUMBERS:,} "
                                f"numbers; yours had {size.numbers:,}"})
    if size.work > PROXY_WORK:
        return encode({"error": f"the grader answers calls of up to {PROXY_WORK:,} steps "
                                f"(numbers x longest side); yours had {size.work:,} "
                                f"({size.numbers:,} x {size.longest:,})"})
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return encode({"value": direct(REFERENCES[name])(args, kwargs)})
    except CannotTake as why:
        return encode({"cannot": str(why)})
    except Exception as error:  # an answer the wire cannot carry
        return encode({"error": f"{name} could not be answered ({type(error).__name__})"})


def parse_flags(text: str) -> list[str]:
    """What the kernel's tampering reports say (read even when its results are not)."""
    reported = []
    for line in text.splitlines():
        if line.startswith(FLAG_MARK):
            try:
                reported += [str(f)[:300] for f in decode(line[len(FLAG_MARK):])]
            except Exception:
                reported.append("the tampering report was unreadable")
    return reported


def parse_raws(text: str, count: int) -> dict:
    """The last result line the harness printed, checked field by field."""
    reported = parse_flags(text)
    lines = [line for line in text.splitlines() if line.startswith(RAW_MARK)]
    if not lines:
        raise ValueError("no result line")
    data = decode(lines[-1][len(RAW_MARK):])
    raws = []
    for r in data["raws"]:
        try:
            value = as_tree(r["value"])
        except NotNumericError as error:  # the harness was fooled: judge it, don't crash
            value, r["error"] = None, f"it returned something that is not numbers: {error}"
        raws.append(Raw(value=value, error=r["error"] and str(r["error"]),
                        not_implemented=bool(r["not_implemented"]),
                        mutated=[tuple(int(i) for i in path) for path in r["mutated"]],
                        seconds=float(r["seconds"]),
                        notes=[str(n)[:500] for n in r.get("notes", [])][:10],
                        integer=[tuple(int(i) for i in p) for p in r.get("integer", [])],
                        narrow=[tuple(int(i) for i in p) for p in r.get("narrow", [])],
                        after=r.get("after"), poked=r.get("poked"),
                        lines=_count(r.get("lines"))))
    if len(raws) != count:
        raise ValueError(f"{len(raws)} results for {count} calls")
    return {"raws": raws, "flags": reported + [str(f)[:300] for f in data.get("flags", [])]}


def _count(value) -> int | None:
    """A line count as reported (a non-negative int), else None: no evidence."""
    return value if type(value) is int and value >= 0 else None


def score_question(question, cases, raws, reason: str, not_graded: dict) -> dict:
    score, messages, diagnoses, notes, parts = 0.0, [], [], [], []
    for note in not_graded.get(question.name, []):
        messages.append(note)
    for part in question.parts:
        got = raws.get((part.stub, part.part))
        if got is None:
            verdict = Verdict(False, [f"Not graded: {reason or 'no result'}."], [])
        else:
            try:
                verdict = judge(part.stub, part.part, cases[(part.stub, part.part)], got)
            except Exception as error:  # a bug of ours costs this question only
                verdict = Verdict(False, [f"The grading of this question failed: "
                                          f"{type(error).__name__}: {error}."])
        notes += [n for n in verdict.notes if n not in notes]
        parts.append({"part": part.part, "score": part.points * verdict.passed,
                      "max_score": part.points})  # each part: a Gradescope test
        if verdict.passed:
            score += part.points
        elif not messages or set(verdict.diagnoses) - set(diagnoses):
            messages += verdict.messages  # a later part speaks only if it names more
        diagnoses += [d for d in verdict.diagnoses if d not in diagnoses]
    return {"name": question.name, "score": score, "max_score": question.max_score,
            "messages": concise(messages) + notes, "diagnoses": diagnoses, "parts": parts}


WAITING = "so leaving the inputs unchanged earns nothing yet"


def concise(messages: list[str]) -> list[str]:
    """Each explanation once (the parts of a question often fail for the same reason),
    and the note that inputs-unchanged waits for a correct result only when alone."""
    seen, kept = set(), []
    for message in messages:
        explanation = message.split(": ", 1)[-1] if message.startswith(PART_HEADS) else message
        if explanation not in seen:
            seen.add(explanation)
            kept.append(message)
    if any(WAITING not in m and not m.startswith("(") for m in kept):
        kept = [m for m in kept if WAITING not in m]
    return kept
