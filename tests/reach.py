"""What an object keeps alive: a walk over ``gc.get_referents`` (for tests that a secret or a model is not kept)."""

from __future__ import annotations

import gc
import types


def reachable(root: object) -> list[object]:
    """Every object ``root`` refers to, transitively, not through modules, classes or functions' globals.

    A function is followed through its closure and default values (what it would keep alive on its own).
    """
    seen: set[int] = set()
    stack, found = [root], []
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.append(obj)
        if isinstance(obj, types.ModuleType | type):
            continue
        if isinstance(obj, types.FunctionType):
            stack.extend(c.cell_contents for c in obj.__closure__ or () if c.cell_contents is not None)
            stack.extend(obj.__defaults__ or ())
            continue
        stack.extend(gc.get_referents(obj))
    return found


def reachable_strings(root: object) -> list[str]:
    """The strings (and bytes, decoded) among what ``root`` keeps alive."""
    out = []
    for obj in reachable(root):
        if isinstance(obj, str):
            out.append(obj)
        elif isinstance(obj, bytes | bytearray):
            out.append(bytes(obj).decode("utf-8", "replace"))
    return out
