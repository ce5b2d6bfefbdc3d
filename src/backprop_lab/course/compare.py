"""Compare a stub's result with the expected one and say, in the student's terms, what differs.

Student-safe: used by the public checks beside the notebook and by the hidden judge.
Holds no solution: it only compares numbers and recognises the shapes of known mistakes
(twice the answer, minus the answer, transposed, divided by N, not summed over the batch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .contract import Contract
from .values import NotNumericError, as_tree

__all__ = ["TOLERANCE", "NotNumericError", "Verdict", "absolute_floor", "as_tree", "compare",
           "inf_norm_close", "judge_call", "largest", "with_floor"]

from .relative_errors import other_relative_errors
from .tolerance import TOLERANCE, absolute_floor, inf_norm_close, largest, with_floor


@dataclass
class Verdict:
    """What a comparison found: pass or not, messages for the student, mistake codes."""

    passed: bool = True
    messages: list[str] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said whether or not it passed

    def fail(self, message: str, *codes: str) -> None:
        self.passed = False
        self.messages.append(message)
        for code in codes:
            if code not in self.diagnoses:
                self.diagnoses.append(code)

    def merge(self, other: Verdict) -> None:
        self.passed = self.passed and other.passed
        self.messages.extend(other.messages)
        self.diagnoses.extend(d for d in other.diagnoses if d not in self.diagnoses)


def shape_text(shape: tuple[int, ...]) -> str:
    return "a number" if shape == () else f"shape {tuple(shape)}"


def compare(
    expected,
    got,
    label: Callable[[tuple[int, ...]], str],
    *,
    batch: int | None = None,
    close: Callable[[np.ndarray, np.ndarray], bool] = inf_norm_close,
    hints: Mapping[str, str] | None = None,
) -> Verdict:
    """Compare two float trees (see :func:`as_tree`) leaf by leaf.

    Args:
        expected: the expected tree.
        got: the student's tree, already passed through :func:`as_tree`.
        label: names a leaf from its index path, e.g. ``(0, 1) -> "nabla_w[1]"``.
        batch: the batch length N where the result is a sum over N samples (enables
            the ``mean_instead_of_sum`` diagnosis), else None.
        close: the closeness test for two arrays of the same shape.
        hints: the stub's ``Contract.hints``: the factors (``factor_of_two``,
            ``wrong_sign``) that mean something for it, with a sentence each; None
            names every factor, with no sentence.
    """
    verdict = Verdict()
    if got is None or got is Ellipsis:
        verdict.fail("It returned None: the stub is not implemented yet (or lacks a return).",
                     "not_implemented")
        return verdict
    found: dict[str, tuple[list[str], list[str]]] = {}  # explanation -> (arrays, codes)

    def say(name: str, explanation: str, *codes: str) -> None:
        names, known = found.setdefault(explanation, ([], []))
        names.append(name)
        known.extend(c for c in codes if c not in known)

    _compare(expected, got, (), label, batch, close, say, hints)
    for explanation, (names, codes) in found.items():  # one line per distinct problem
        if len(names) == 1:
            verdict.fail(f"{names[0]} {explanation}", *codes)
        else:
            verdict.fail(f"{', '.join(names[:-1])} and {names[-1]}: each {explanation}", *codes)
    return verdict


def _compare(expected, got, path, label, batch, close, say, hints=None) -> None:
    if got is None or got is Ellipsis:
        say(label(path), f"is {'None' if got is None else '...'}: a value that was never "
                         "filled in (check that your loop reaches every layer, and the "
                         "return).")
        return
    if isinstance(expected, list):
        if not isinstance(got, list):
            say(label(path), f"should be a list of {len(expected)} items; "
                         f"it is {shape_text(got.shape)}.", "shape_mismatch")
            return
        if len(got) != len(expected):
            say(label(path), f"has {len(got)} items; expected {len(expected)} "
                         "(one per layer).", "shape_mismatch")
            return
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            _compare(e, g, (*path, i), label, batch, close, say, hints)
        return
    if isinstance(got, list):
        say(label(path), f"should be {shape_text(expected.shape)}; it is a list.",
                     "shape_mismatch")
        return
    _compare_array(expected, got, label(path), batch, close, say, hints)


def _compare_array(expected, got, name, batch, close, say, hints=None) -> None:
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        say(name, "contains NaN or infinity; the expected values are all finite. "
                     "Look for an overflow (np.exp of a large number) or a division by zero.",
                     "nonfinite")
        return
    if got.shape != expected.shape:
        _explain_shape(expected, got, name, batch, close, say)
        return
    if close(expected, got):
        return
    for factor, code, hint in _RATIOS:
        if hints is not None and code not in hints:
            continue  # twice or minus the answer means nothing known here (relative_error)
        if close(factor * expected, got):
            extra = (hints or {}).get(code, "")
            say(name, f"has the right shape but is {hint}{extra}.", code)
            return
    if batch and batch > 1 and close(expected / batch, got):
        say(name, f"is the expected value divided by the batch length N = {batch}: "
                     "the batch gradient is the sum over samples, not the mean.",
                     "mean_instead_of_sum")
        return
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1 and close(
        expected, got.T
    ):
        say(name, "equals the expected value transposed.", "transposed")
        return
    say(name, f"has the right shape, {shape_text(expected.shape)}, but wrong values.")


_RATIOS = (
    (2.0, "factor_of_two", "exactly twice the expected value"),
    (-1.0, "wrong_sign", "exactly minus the expected value"),
)


def _explain_shape(expected, got, name, batch, close, say) -> None:
    want, have = shape_text(expected.shape), shape_text(got.shape)
    if got.ndim == 2 and got.T.shape == expected.shape and close(expected, got.T):
        say(name, f"has {have}; expected {want}. It equals the expected value "
                     "transposed.", "transposed")
    elif (expected.ndim == 2 and expected.shape[1] == 1 and got.ndim == 2
          and got.shape[0] == expected.shape[0] and got.shape[1] > 1
          and close(expected, np.add.reduce(got, axis=1)[:, None])):
        say(name, f"has {have}; expected {want}. Its columns add up to the "
                     "expected value: the bias gradient must be summed over the samples "
                     "of the batch.", "bias_not_summed", "shape_mismatch")
    elif got.size == expected.size and got.ndim < expected.ndim and close(
            expected, got.reshape(expected.shape)):
        say(name, f"is flattened: it has {have}; expected {want}. The numbers are right; "
                  f"keep the specified shape{_which(expected.shape)} (keepdims=True in the "
                  f"sum, or .reshape{tuple(expected.shape)}).", "shape_mismatch")
    elif got.size == expected.size and close(expected, got.reshape(expected.shape)):
        say(name, f"has {have}; expected {want}. The numbers are right; keep the specified "
                  f"shape{_which(expected.shape)} (.reshape{tuple(expected.shape)}).",
                  "shape_mismatch")
    elif got.ndim < expected.ndim and got.size == expected.size:
        say(name, f"is flattened: it has {have}; expected {want}.", "shape_mismatch")
    else:
        say(name, f"has {have}; expected {want}.", "shape_mismatch")


def _which(shape: tuple[int, ...]) -> str:
    """What kind of 2-D shape it is, for a hint: a column, a row, or nothing said."""
    if len(shape) == 2 and shape[1] == 1 and shape[0] > 1:
        return f", a column {tuple(shape)}"
    if len(shape) == 2 and shape[0] == 1 and shape[1] > 1:
        return f", a row {tuple(shape)}"
    return ""


def _lists_of_floats(expected, got):
    """Accept a 1-D array where a list of floats is expected (backprop_1D's dw, db)."""
    if isinstance(expected, list) and isinstance(got, list):
        return [_lists_of_floats(e, g) for e, g in zip(expected, got, strict=False)] + got[
            len(expected):]
    if (isinstance(expected, list) and isinstance(got, np.ndarray) and got.ndim == 1
            and all(isinstance(e, np.ndarray) and e.ndim == 0 for e in expected)):
        return list(got)
    return got


def judge_call(
    contract: Contract,
    raw,
    expected,
    *,
    batch: int | None = None,
    close: Callable[[np.ndarray, np.ndarray], bool] = inf_norm_close,
    values: bool = True,
    mutation: bool = True,
    arguments: Callable[[tuple[int, ...]], str] = lambda path: f"argument {path[0] + 1}",
    args: tuple | None = None,
) -> Verdict:
    """What one call of ``contract.name`` (a :class:`~.calls.Raw`) got right and wrong.

    ``values`` reports how the result differs from ``expected``; without it a wrong result
    still fails, with one line instead of the details. ``mutation`` reports arguments
    modified in place. ``args``, the call's arguments, let a known other formula be named.
    """
    stub, labeller = contract.name, contract.labeller()
    verdict = Verdict()
    if raw.not_implemented and raw.error and "not a function defined in the notebook" in raw.error:
        verdict.fail(f"{raw.error}.", "not_implemented")
        return verdict
    if raw.not_implemented:
        verdict.fail(f"{stub} is not implemented yet ({raw.error or 'it returns None'}).",
                     "not_implemented")
        return verdict
    if raw.error:
        verdict.fail(f"{stub}: {raw.error}.")
        return verdict
    got = _lists_of_floats(expected, raw.value)
    found = compare(expected, got, labeller, batch=batch, close=close, hints=contract.hints)
    if not found.passed:
        for path in getattr(raw, "integer", []):
            found.fail(f"{labeller(tuple(path))} is an array of integers, so every value "
                       "in it was truncated to a whole number: build float arrays "
                       "(np.zeros(shape), or .astype(float)).", "wrong_dtype")
        if stub == "relative_error" and args is not None:
            for message, code in other_relative_errors(args, got, close):
                found.fail(message, code)
    if found.passed and values:
        for path in getattr(raw, "narrow", []):
            found.fail(f"{labeller(tuple(path))} has the right values but is not float64 "
                       "(float32 keeps about 7 digits, too few for a gradient check): build "
                       "float64 arrays (np.zeros(shape), np.asarray(z, dtype=float)), and "
                       "keep them so.", "wrong_dtype")
    if values:
        verdict.merge(found)
    elif not found.passed:  # "inputs unchanged" is earned by a correct result only
        verdict.fail(f"{stub} does not return the expected result yet, so leaving the inputs "
                     "unchanged earns nothing yet.", *found.diagnoses)
    if mutation and not contract.may_alias:
        for path in getattr(raw, "aliased", []):
            verdict.fail(f"{stub} returns an array that shares memory with its argument "
                         f"{arguments(path)}: when the caller changes the result, the "
                         "argument changes too. Return a new array (.copy(), or an "
                         "operation that makes one).", "returns_alias")
    if mutation:
        for path in raw.mutated:
            verdict.fail(f"{stub} changed its argument {arguments(path)}: an array updated in "
                         "place (W -= step) or an entry of the caller's list replaced "
                         "(weights[l] = ...). Leave what the caller gave alone: build new "
                         "arrays (W = W - step) in new lists, and return those.",
                         "mutates_inputs")
    return verdict


def same_tree(a, b, close) -> bool:
    """Two float trees with the same structure and shapes, close leaf by leaf; NaN and
    infinities must sit in the same places."""
    if isinstance(a, list) or isinstance(b, list):
        return (isinstance(a, list) and isinstance(b, list) and len(a) == len(b)
                and all(same_tree(x, y, close) for x, y in zip(a, b, strict=True)))
    if a is None or b is None or a is Ellipsis or b is Ellipsis:
        return False
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a)
    if not np.array_equal(finite, np.isfinite(b)) or not np.array_equal(
            a[~finite], b[~finite], equal_nan=True):
        return False
    return bool(close(a[finite], b[finite])) if finite.any() else True
