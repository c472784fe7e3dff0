"""The charter is pure Python: no Django, no project code, no I/O or clock outside __main__."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import meetings.charter

pytestmark = pytest.mark.unit

PACKAGE = Path(meetings.charter.__file__).parent
SOURCES = sorted(PACKAGE.glob("*.py"))
FORBIDDEN_ROOTS = {"django", "members", "minutes", "config", "channels", "celery"}
# Only the command line reads files and writes to the terminal.
IO_MODULES = {"os", "sys", "io", "pathlib", "time", "random", "subprocess", "socket", "shutil"}
IO_CALLS = {"open", "print", "input"}
CLOCK_CALLS = {"now", "today", "utcnow", "fromtimestamp", "time", "monotonic"}


def imported_modules(tree: ast.AST) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


def called_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def test_the_package_has_sources() -> None:
    assert {path.name for path in SOURCES} >= {"__init__.py", "__main__.py", "evaluate.py"}


@pytest.mark.parametrize("path", SOURCES, ids=[path.name for path in SOURCES])
def test_charter_imports_nothing_from_django_or_the_project(path: Path) -> None:
    modules = imported_modules(ast.parse(path.read_text(encoding="utf-8")))

    forbidden = [
        module
        for module in modules
        if module.split(".")[0] in FORBIDDEN_ROOTS
        or (
            module.split(".")[0] == "meetings"
            and module != "meetings.charter"
            and not module.startswith("meetings.charter.")
        )
    ]
    assert forbidden == []


@pytest.mark.parametrize(
    "path",
    [path for path in SOURCES if path.name != "__main__.py"],
    ids=[path.name for path in SOURCES if path.name != "__main__.py"],
)
def test_charter_does_no_io_and_reads_no_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))

    io_imports = [m for m in imported_modules(tree) if m.split(".")[0] in IO_MODULES]
    assert io_imports == []
    assert called_names(tree) & (IO_CALLS | CLOCK_CALLS) == set()


def test_purity_check_catches_forbidden_imports() -> None:
    tree = ast.parse(
        "import django.db\nfrom meetings.models import Meeting\nfrom meetings.charter import x\n"
        "from . import roster\n"
    )

    assert imported_modules(tree) == ["django.db", "meetings.models", "meetings.charter"]
    assert called_names(ast.parse("datetime.now()\nprint(1)\n")) == {"now", "print"}
