"""The package's shape: no import circles, front doors through the engine's face, no research deps.

The graph is read from the source with ast (function-level imports count; `if TYPE_CHECKING:`
blocks do not, since they never run), so a circle fails here before it fails at import time.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BOT = ROOT / "bot"
HEAVY = (
    "langchain",
    "langchain_community",
    "langchain_huggingface",
    "onnx",
    "onnxruntime",
    "matplotlib",
)
FRONT_DOOR_MAY_IMPORT = (
    "bot.engine",
    "bot.errors",
    "bot.settings",
    "bot.render_text",
    "bot.feedback",  # votes: written by Discord, exported by the CLI
    "bot.i18n",  # the bot's own words in the asker's language (gettext catalogues)
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(tree: ast.AST, modules: set[str], here: str) -> set[str]:
    """The bot modules `tree` imports, outside TYPE_CHECKING blocks."""
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else node.module)
        stack.extend(ast.iter_child_nodes(node))
    return {m for m in found if m in modules and m != here}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in BOT.rglob("*.py")}
    modules = set(files)
    return {
        name: imported(ast.parse(path.read_text(encoding="utf-8")), modules, name)
        for name, path in files.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_circles_in_bot() -> None:
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_type_checking_imports_are_not_edges() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x.y\nimport x.z"
    )
    assert imported(tree, {"x.y", "x.z"}, "here") == {"x.z"}


def test_function_level_imports_are_edges() -> None:
    tree = ast.parse("def f():\n    from x import y\n")
    assert imported(tree, {"x", "x.y"}, "here") == {"x.y"}


def test_front_doors_use_only_the_engines_face() -> None:
    graph = import_graph()
    doors = {m: deps for m, deps in graph.items() if m.startswith(("bot.cli", "bot.chat"))}
    outside = {
        (m, d)
        for m, deps in doors.items()
        for d in deps
        if not d.startswith(("bot.cli", "bot.chat", "bot.evaluate", *FRONT_DOOR_MAY_IMPORT))
        or d.startswith("bot.engine.")
    }
    assert outside == set()


def test_the_product_imports_no_research_dependencies() -> None:
    code = (
        "import sys, bot.cli, bot.chat.client\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"
