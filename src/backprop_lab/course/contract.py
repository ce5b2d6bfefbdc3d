"""What a question's messages and comparisons need to know about its stub, as plain data.

Student-safe: each question the grader declares holds one ``Contract``; ``build`` writes
every contract into ``public_cases.npz`` (as :meth:`Contract.as_dict`), so the public
checks in the student's kernel and the hidden judge name and compare a stub's results
with the same words and the same tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .labels import leaf_labels

#: What a factor 2 or -1 means in a gradient of the course's cost (a stub's ``hints``).
GRADIENT_HINTS = {
    "factor_of_two": ": the cost is 1/2 ||a - y||^2, so its derivative is a - y, without "
                     "the factor 2",
    "wrong_sign": ": check the order in a - y (output minus target)",
}


@dataclass(frozen=True)
class Contract:
    """How one stub's result is named, compared and explained.

    ``outputs`` names the result (one name), or the per-layer lists of a tuple result;
    ``layered`` says whether entry l of those lists is layer l + 1 (``nabla_w[0]
    (dC/dW^1)``); ``scale`` is the natural size of its values where it is fixed (sigma'
    is at most 1/4), else None: the size of the expected value; ``may_alias`` allows a
    result that shares memory with an argument; ``hints`` adds a sentence to a generic
    diagnosis (``factor_of_two``, ``wrong_sign``) where it means something for this stub.
    """

    name: str
    outputs: str | tuple[str, ...] = "the result"
    layered: bool = True
    scale: float | None = None
    may_alias: bool = False
    hints: Mapping[str, str] = field(default_factory=dict)
    parameters: tuple[str, ...] = ()  # the stub's, in order: a keyword call is put in place

    def labeller(self) -> Callable[[tuple[int, ...]], str]:
        """Names the leaves of the result for messages: ``nabla_w[0] (dC/dW^1)``."""
        names = self.outputs
        if isinstance(names, str):
            return lambda path: names if not path else f"{names}[{', '.join(map(str, path))}]"
        return leaf_labels(names, layered=self.layered)

    def positional(self, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        """A call's arguments with each keyword of a parameter put in its place
        (``sigmoid(z=z)`` is ``sigmoid(z)``), when that leaves no gap; else as given."""
        names = list(self.parameters)
        if not kwargs or not set(kwargs) <= set(names):
            return tuple(args), dict(kwargs)
        merged = list(args)
        for name in names[len(args):]:
            if name not in kwargs:
                break
            merged.append(kwargs[name])
        if len(merged) - len(args) != len(kwargs):
            return tuple(args), dict(kwargs)
        return tuple(merged), {}

    def as_dict(self) -> dict:
        return {"name": self.name, "outputs": self.outputs, "layered": self.layered,
                "scale": self.scale, "may_alias": self.may_alias, "hints": dict(self.hints),
                "parameters": list(self.parameters)}

    @classmethod
    def from_dict(cls, data: Mapping) -> Contract:
        outputs = data.get("outputs", "the result")
        return cls(name=data["name"],
                   outputs=outputs if isinstance(outputs, str) else tuple(outputs),
                   layered=bool(data.get("layered", True)), scale=data.get("scale"),
                   may_alias=bool(data.get("may_alias", False)),
                   hints=dict(data.get("hints", {})),
                   parameters=tuple(data.get("parameters", ())))
