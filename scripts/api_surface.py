"""The public API as data: check it against the committed snapshot, or update the snapshot.

    python scripts/api_surface.py            # compare; exit 1 with a diff when it changed
    python scripts/api_surface.py --update   # rewrite test/api_surface.json on purpose

The surface (see docs/versioning.md) is every name a user may import from the
public modules, with what a caller depends on: function and method
signatures, class bases, properties, model fields (JSON name, type, required,
default), exception classes, constant values, the pytest fixtures, and every
subcommand and option of the ``katanemo-identity`` command. A change to any of
them shows as a diff of ``test/api_surface.json``: review it, decide what
version it needs (docs/versioning.md), and commit the updated file with the
change and a CHANGELOG line.
"""

from __future__ import annotations

import argparse
import difflib
import enum
import importlib
import inspect
import json
import pkgutil
import re
import sys
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent.parent / "test" / "api_surface.json"

#: The public modules. Each is described by its ``__all__`` when it has one,
#: else by the public names it defines itself.
PUBLIC_MODULES = (
    "katanemo_identity",
    "katanemo_identity.api",
    "katanemo_identity.api.identity_api",
    "katanemo_identity.api_client",
    "katanemo_identity.api_response",
    "katanemo_identity.configuration",
    "katanemo_identity.conformance",
    "katanemo_identity.exceptions",
    "katanemo_identity.hooks",
    "katanemo_identity.models",
    "katanemo_identity.otel",
    "katanemo_identity.rest",
    "katanemo_identity.testing",
    "katanemo_identity.testing.plugin",
    "katanemo_identity.testing.server",
    "katanemo_identity.cli",
    "katanemo_identity.legacy",
    "katanemo_identity.legacy.api_client",
    "katanemo_identity.legacy.apis.tags.identity_api",
    "katanemo_identity.legacy.exceptions",
    "katanemo_identity.legacy.schemas",
)

#: Dunder methods a caller relies on (construction, context managers, equality, iteration).
_PUBLIC_DUNDERS = frozenset(
    {"__init__", "__call__", "__enter__", "__exit__", "__iter__", "__len__", "__eq__"}
)

_CONSTANT_TYPES = (bool, int, float, str, bytes, tuple, frozenset)


def surface() -> dict[str, Any]:
    """Return the public surface as plain, sorted JSON-ready data."""
    for name in PUBLIC_MODULES:
        importlib.import_module(name)
    models = importlib.import_module("katanemo_identity.models")
    # The submodules by their own names: pytest's assertion rewriting adds module-valued
    # globals such as ``@py_builtins`` to an installed package's modules.
    model_modules = sorted(
        value.__name__
        for name, value in vars(models).items()
        if isinstance(value, types.ModuleType)
        and value.__name__ == f"katanemo_identity.models.{name}"
        and not name.startswith("_")
    )
    # The old client's models: one module per schema, imported by path, not from the package.
    legacy_models = importlib.import_module("katanemo_identity.legacy.model")
    model_modules += sorted(
        f"{legacy_models.__name__}.{found.name}"
        for found in pkgutil.iter_modules(legacy_models.__path__)
        if not found.name.startswith("_")
    )
    modules = {}
    for name in (*PUBLIC_MODULES, *model_modules):
        module = importlib.import_module(name)
        modules[name] = {
            public: describe(getattr(module, public), name) for public in public_names(module)
        }
    return {"modules": modules, "command_line": command_line()}


def public_names(module: types.ModuleType) -> list[str]:
    """The names ``module`` offers: its ``__all__``, else the public names it defines."""
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return sorted(declared)
    names = []
    for name, value in vars(module).items():
        if not name.isidentifier() or name.startswith(("_", "pytest_")):
            continue  # private, pytest's rewriting helpers, or a hook (plugin machinery)
        if isinstance(value, types.ModuleType):
            continue
        defined_in = getattr(value, "__module__", None)
        if isinstance(value, (types.UnionType, types.GenericAlias)):
            if name[0].isupper():
                names.append(name)  # a type alias such as ``TimeoutSetting``
        elif inspect.isclass(value) or inspect.isfunction(value) or _is_fixture(value):
            if defined_in == module.__name__:
                names.append(name)
        elif name.isupper() and name != "TYPE_CHECKING" and isinstance(value, _CONSTANT_TYPES):
            names.append(name)
    return sorted(names)


def describe(value: object, module: str) -> dict[str, Any]:
    """Describe one public object; an object defined elsewhere is named by where it lives."""
    if isinstance(value, (types.UnionType, types.GenericAlias)):
        # First: before 3.11, ``inspect.isclass(Mapping[str, str])`` is true.
        return {"kind": "type alias", "value": _type_name(value)}
    home = getattr(value, "__module__", None)
    public_home = home is not None and not any(part.startswith("_") for part in home.split("."))
    if (inspect.isclass(value) or inspect.isfunction(value)) and home != module and public_home:
        return {"kind": "re-export", "of": f"{home}.{value.__qualname__}"}  # type: ignore[union-attr]
    # Defined in a private module (``testing._faults``, ``cli._arguments``): the public
    # name is where users find it, so it is described here in full.
    if isinstance(value, types.ModuleType):
        return {"kind": "module", "of": value.__name__}
    if _is_fixture(value):
        return {"kind": "pytest fixture", "signature": _signature(_fixture_function(value))}
    if inspect.isclass(value):
        return describe_class(value)
    if inspect.isfunction(value):
        return {"kind": "function", "signature": _signature(value)}
    return {"kind": "constant", "value": _stable_repr(value)}


def describe_class(cls: type) -> dict[str, Any]:
    """Bases, constructor, members, and for a pydantic model its fields."""
    from pydantic import BaseModel

    kind = "class"
    if issubclass(cls, BaseException):
        kind = "exception"
    elif issubclass(cls, BaseModel):
        kind = "model"
    elif issubclass(cls, enum.Enum):
        kind = "enum"
    described: dict[str, Any] = {
        "kind": kind,
        "bases": [_qualified(base) for base in cls.__bases__],
    }
    if kind == "enum":
        described["members"] = {member.name: _stable_repr(member.value) for member in cls}  # type: ignore[var-annotated]
        return described
    if typing.is_typeddict(cls):
        required = cls.__required_keys__  # type: ignore[attr-defined]
        described["kind"] = "typed dict"
        described["keys"] = {
            name: f"{_type_name(annotation)}{'' if name in required else ' (optional)'}"
            for name, annotation in typing.get_type_hints(cls).items()
        }
        return described
    if kind == "model":
        described["fields"] = {
            name: {
                "alias": field.alias,
                "type": _type_name(field.annotation),
                "required": field.is_required(),
                **({} if field.is_required() else {"default": _stable_repr(field.default)}),
            }
            for name, field in cls.model_fields.items()  # type: ignore[attr-defined]
        }
    else:
        described["signature"] = _signature(cls)
    if kind == "exception":
        described["attributes"] = _instance_attributes(cls)
    members = {}
    for name, member in sorted(_own_and_inherited(cls).items()):
        if name.startswith("_") and name not in _PUBLIC_DUNDERS:
            continue
        if name.startswith("model_") and kind == "model":
            continue  # pydantic's own machinery
        if name == "__init__" and "signature" in described:
            continue
        entry = _member(member)
        if entry is not None:
            members[name] = entry
    if members:
        described["members"] = members
    return described


def _own_and_inherited(cls: type) -> dict[str, object]:
    """The class's members, with those inherited from this package's classes (also private ones)."""
    members: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        if klass is cls or klass.__module__.startswith("katanemo_identity"):
            members.update(vars(klass))
    return members


def _instance_attributes(cls: type) -> list[str]:
    """The public attributes an instance carries (exceptions set them in ``__init__``)."""
    for arguments in ((), ("message",)):
        try:
            instance = cls(*arguments)
        except TypeError:
            continue
        return sorted(name for name in vars(instance) if not name.startswith("_"))
    return []


def _member(member: object) -> str | None:
    if isinstance(member, property):
        writable = " (settable)" if member.fset is not None else ""
        returns = inspect.signature(member.fget).return_annotation if member.fget else None
        return f"property -> {returns}{writable}"
    if isinstance(member, classmethod):
        return f"classmethod {_signature(member.__func__)}"
    if isinstance(member, staticmethod):
        return f"staticmethod {_signature(member.__func__)}"
    if inspect.isfunction(member):
        return f"method {_signature(member)}"
    if isinstance(member, _CONSTANT_TYPES):
        return f"constant {_stable_repr(member)}"
    return None


def command_line() -> dict[str, list[str]]:
    """Every subcommand of ``katanemo-identity`` and the options and arguments it takes."""
    from katanemo_identity.cli import build_parser

    found: dict[str, list[str]] = {}

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        options: list[str] = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk(child, f"{path} {name}")
            elif action.option_strings:
                metavar = "" if action.nargs == 0 else f" {action.metavar or action.dest.upper()}"
                options.append(", ".join(action.option_strings) + metavar)
            else:
                options.append(str(action.metavar or action.dest.upper()))
        found[path] = sorted(options)

    walk(build_parser(), "katanemo-identity")
    return dict(sorted(found.items()))


def _is_fixture(value: object) -> bool:
    return type(value).__name__ == "FixtureFunctionDefinition" or hasattr(
        value, "_pytestfixturefunction"
    )


def _fixture_function(value: object) -> Callable[..., object]:
    wrapped = getattr(value, "_get_wrapped_function", None)
    if wrapped is not None:
        return wrapped()  # type: ignore[no-any-return]
    return getattr(value, "__wrapped__", value)  # type: ignore[return-value]


def _signature(value: Callable[..., object]) -> str:
    try:
        return _stable(str(inspect.signature(value)))
    except (TypeError, ValueError):
        return "(...)"


def _qualified(cls: type) -> str:
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def _type_name(annotation: object) -> str:
    if isinstance(annotation, type) and not isinstance(annotation, types.GenericAlias):
        return _qualified(annotation)
    return str(annotation).replace("typing.", "")


def _stable_repr(value: object) -> str:
    if isinstance(value, (set, frozenset)):  # set order follows string hashing, which varies
        return f"{type(value).__name__}({sorted(map(repr, value))})"
    return _stable(repr(value))


def _stable(text: str) -> str:
    # Object addresses change from run to run; what they point at is all that matters.
    return re.sub(r" at 0x[0-9a-f]+", "", text)


def render(data: dict[str, Any]) -> str:
    """The snapshot's text: sorted, indented, one fact a line where possible."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Compare the surface with the snapshot (exit 1 on a difference), or ``--update`` it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--update", action="store_true", help="rewrite the snapshot")
    args = parser.parse_args(argv)
    current = render(surface())
    if args.update:
        SNAPSHOT.write_text(current, encoding="utf-8")
        print(f"wrote {SNAPSHOT}")
        return 0
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    if committed == current:
        print("the public API matches test/api_surface.json")
        return 0
    sys.stdout.writelines(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            current.splitlines(keepends=True),
            "test/api_surface.json (committed)",
            "the public API now",
        )
    )
    print(
        "\nThe public API changed. If that is intended, run\n"
        "    python scripts/api_surface.py --update\n"
        "and commit test/api_surface.json with a CHANGELOG.md line (see docs/versioning.md)."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
