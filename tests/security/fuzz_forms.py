"""Which fields each route's form has, found by reading the view's code, not its page.

The fuzz test needs field names to aim at, and their kinds to aim well (a huge number at a
number field, a bad date at a date field). Parsing each page's ``<form>`` would miss the
routes that only take a POST from another page (an RSVP, a moderation decision) and the
forms a visitor does not get to see; reading the view finds them all. A view names its form
class, directly or through a helper of its own module (``forms.SignForm(...)``,
``_form_for(campaign)``), so the names its code refers to are followed one module deep.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import CodeType, FunctionType, ModuleType
from typing import Any

from flask_wtf import FlaskForm as Form
from wtforms import (
    BooleanField,
    DateField,
    DateTimeField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FloatField,
    FormField,
    IntegerField,
    RadioField,
    SelectFieldBase,
    TimeField,
)
from wtforms.fields.core import UnboundField

NUMBER = (IntegerField, DecimalField, FloatField)
DATE = (DateField, DateTimeField, DateTimeLocalField, TimeField)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    choices: tuple[str, ...] = ()


def _names(code: CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, CodeType):  # comprehensions, lambdas, nested helpers
            yield from _names(const)


def form_classes(view: Callable[..., Any]) -> list[type[Form]]:
    found: list[type[Form]] = []
    seen: set[Any] = set()
    stack = [inspect.unwrap(view)]
    while stack:
        func = stack.pop()
        if func in seen or not isinstance(func, FunctionType):
            continue
        seen.add(func)
        names = set(_names(func.__code__))
        scope = func.__globals__
        modules = [scope[n] for n in names if isinstance(scope.get(n), ModuleType)]
        candidates = [scope.get(n) for n in names]
        candidates += [getattr(m, n, None) for m in modules for n in names]
        for obj in candidates:
            if isinstance(obj, type) and issubclass(obj, Form) and obj not in found:
                found.append(obj)
            elif isinstance(obj, FunctionType) and obj.__module__ == func.__module__:
                stack.append(obj)
    return found


def _kind(name: str, field_class: type) -> str:
    lowered = name.lower()
    for kind, classes in (("number", NUMBER), ("date", DATE), ("bool", (BooleanField,))):
        if issubclass(field_class, classes):
            return kind
    if issubclass(field_class, (SelectFieldBase, RadioField)):
        return "choice"
    if "file" in field_class.__name__.lower():
        return "file"
    for word in ("email", "timezone", "country"):
        if word in lowered:
            return word
    return "text"


def _choice(choice: Any) -> str:
    if isinstance(choice, tuple):
        return str(choice[0])
    return str(getattr(choice, "value", choice))


def fields_of(form: type[Form], prefix: str = "") -> list[FieldSpec]:
    specs: list[FieldSpec] = []
    for name in dir(form):
        unbound = getattr(form, name, None)
        if not isinstance(unbound, UnboundField) or name == "csrf_token":
            continue
        if issubclass(unbound.field_class, FormField):
            specs += fields_of(unbound.args[0], f"{prefix}{name}-")
        elif issubclass(unbound.field_class, FieldList):
            inner = unbound.args[0]
            specs.append(FieldSpec(f"{prefix}{name}-0", _kind(name, inner.field_class)))
        else:
            choices = unbound.kwargs.get("choices")
            values = () if callable(choices) else tuple(_choice(c) for c in choices or ())
            specs.append(FieldSpec(prefix + name, _kind(name, unbound.field_class), values))
    return specs


# What views read straight from the request: ``request.args.get("page")``,
# ``request.form["confirm"]``, ``page_number(request.args, "page")``.
RAW_NAME = re.compile(
    r"request\.(?:form|args|files|values)(?:\.get(?:list)?\(|\[)\s*[\"']([\w-]+)"
    r"|\(request\.(?:args|form),\s*[\"']([\w-]+)"
)


def raw_names(views: list[Callable[..., Any]]) -> list[str]:
    modules = {inspect.getmodule(inspect.unwrap(view)) for view in views}
    found: set[str] = set()
    for module in modules - {None}:
        for match in RAW_NAME.finditer(inspect.getsource(module)):  # type: ignore[arg-type]
            found.add(match.group(1) or match.group(2))
    return sorted(found)


def fields_for(view: Callable[..., Any]) -> list[FieldSpec]:
    by_name: dict[str, FieldSpec] = {}
    for form in form_classes(view):
        for spec in fields_of(form):
            by_name.setdefault(spec.name, spec)
    return list(by_name.values())
