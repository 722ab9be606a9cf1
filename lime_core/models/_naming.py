"""The module a class is shown under: the package users import it from, not the submodule that defines it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T", bound=type)


def shown_as(module: str) -> Callable[[T], T]:
    """Give a class, and the functions defined in it, ``module`` as their ``__module__``.

    A model's name (``callable_name(model.predict_proba)``, ``module.qualname``) goes into every
    explanation's ``model`` field and into cache keys, and a pickle names the class by its module:
    none of them may change because a class moved into a submodule of the package it is imported from.
    """

    def mark(cls: T) -> T:
        cls.__module__ = module
        for value in vars(cls).values():
            function = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if inspect.isfunction(function):
                function.__module__ = module
        return cls

    return mark
