"""How messages name the parts of a stub's result, as the notebooks name them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: How the notebooks name entry l of each per-layer list: weights[l] is W^{l+1} of layer
#: l+1, zs[l] is z^{l+1}, activations[l] is a^l.
LAYER_NAMES = {
    "zs": "z^{}", "activations": "a^{}", "nabla_w": "dC/dW^{}", "nabla_b": "dC/db^{}",
    "weights": "W^{}", "biases": "b^{}", "new_weights": "W^{}", "new_biases": "b^{}",
}


def layer_name(head: str, index: int) -> str:
    """``nabla_w[0]`` -> ``nabla_w[0] (dC/dW^1)``; ``activations[0]`` -> ``... (a^0)``."""
    pattern = LAYER_NAMES.get(head)
    if pattern is None:
        return f"{head}[{index}] (layer {index + 1})"
    return f"{head}[{index}] ({pattern.format(index if head == 'activations' else index + 1)})"


def leaf_labels(names: Sequence[str], layered: bool = True) -> Callable[[tuple[int, ...]], str]:
    """A labeller for results that are tuples of per-layer lists, e.g. (nabla_w, nabla_b)."""

    def label(path: tuple[int, ...]) -> str:
        if not path:
            return "the result"
        head = names[path[0]] if path[0] < len(names) else f"item {path[0]}"
        if len(path) == 1:
            return head
        text = layer_name(head, path[1]) if layered else f"{head}[{path[1]}]"
        return text + "".join(f"[{i}]" for i in path[2:])

    return label
