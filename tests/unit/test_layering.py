"""The layers stay apart (design.md §9): the read side imports no service and never commits,
services import neither templating nor a blueprint, services import one another without a
loop, and no module grows past about 400 lines."""
from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "procurement"
BLUEPRINTS = ("procurement.public", "procurement.auth", "procurement.supplier", "procurement.buyer", "procurement.panel", "procurement.inbox", "procurement.officials")
MAX_LINES = 420  # "about 400": a module past it is split by use case


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _modules(folder: str) -> list[pathlib.Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_the_read_side_imports_no_service_and_never_commits():
    offenders = []
    for path in _modules("queries"):
        offenders += [f"{path.name} imports {name}" for name in _imports(path) if name.startswith("procurement.services")]
        offenders += [f"{path.name} imports {name}" for name in _imports(path) if name == "procurement.audit"]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("commit", "rollback"):
                offenders.append(f"{path.name}:{node.lineno} calls {node.attr}()")
    assert offenders == []


def test_services_import_neither_templating_nor_a_blueprint():
    offenders = []
    for path in _modules("services"):
        for name in _imports(path):
            if name.startswith("procurement.templating") or name.startswith(BLUEPRINTS) or name == "flask.render_template":
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_services_import_one_another_without_a_loop():
    graph: dict[str, set[str]] = {}
    services = {_module_name(path): path for path in _modules("services")}
    for name, path in services.items():
        graph[name] = set()
        for imported in _imports(path):
            # ``from procurement.services import award`` names the module award
            for candidate in (imported, imported.rpartition(".")[0]):
                if candidate in services and candidate != name and candidate != "procurement.services":
                    graph[name].add(candidate)
                    break
    loops = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                loops.append(" → ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert loops == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_grows_past_about_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by use case"
