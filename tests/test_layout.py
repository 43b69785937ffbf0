"""The layout holds: each package imports only the packages its docstring says it may.

Every module under kb/ is parsed (imports inside functions count too); the table below is the
"May import" paragraph of each package's docstring. A new package fails here until it is
given a line, and so does an import that runs up the layers.
"""

import ast
from pathlib import Path

import pytest

KB = Path(__file__).resolve().parent.parent / "kb"

# Lowest first: each package may import only packages before it (and web, which everybody may).
LAYERS = [
    "web",
    "content",
    "tools",
    "review",
    "insights",
    "editorial",
    "support",
    "search",
    "pages",
    "mcp",
]
ALLOWED = {
    "web": {"search"},  # its interface only, for /healthz
    "content": set(),
    "tools": {"content"},
    "review": {"content"},
    "insights": {"content", "web"},
    "editorial": {"content", "tools", "web", "review", "insights"},
    "support": {"content", "web", "insights", "editorial"},
    "search": {"content", "web", "tools", "insights"},
    "pages": {"content", "web", "tools", "review", "insights", "editorial", "support", "search"},
    "mcp": {"content", "web", "tools", "search", "pages"},
}
# Imports running down the layers, but for this one: web's /healthz asks the search interface.
UPWARD = {("web", "search")}
# Reached by other packages only through the names their __init__ exports.
INTERFACE_ONLY = {"search"}
# The wiring may import anything: settings, urls, apps, kb/models.py (which gathers every
# model), kb/faq.py, kb/retention.py, the management commands and the migrations.
WIRING = {"management", "migrations"}


def imported_modules(source: str) -> list[str]:
    """The kb modules a module's source imports, as dotted names (`from kb.x import y` names
    kb.x.y when y is a module of kb.x, else kb.x)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                path = KB.parent / name.replace(".", "/")
                found.append(
                    name if path.is_dir() or path.with_suffix(".py").exists() else node.module
                )
    return [name for name in found if name == "kb" or name.startswith("kb.")]


def violations(package: str, modules: list[str]) -> list[str]:
    wrong = []
    for module in modules:
        parts = module.split(".")
        target = parts[1] if len(parts) > 1 else "kb"
        if target == package:
            continue
        if target not in ALLOWED[package]:
            wrong.append(f"imports {module}, which it may not")
        elif target in INTERFACE_ONLY and len(parts) > 2:
            wrong.append(f"imports {module} instead of the kb.{target} interface")
    return wrong


def packages() -> list[str]:
    return sorted(path.parent.name for path in KB.glob("*/__init__.py"))


def test_every_package_has_a_line_in_the_table():
    assert set(packages()) - WIRING == set(ALLOWED)
    assert set(LAYERS) == set(ALLOWED)


def test_no_import_runs_up_the_layers_but_the_named_exception():
    upward = {
        (package, allowed)
        for package, allowed_ones in ALLOWED.items()
        for allowed in allowed_ones
        if LAYERS.index(allowed) > LAYERS.index(package)
    }
    assert upward == UPWARD


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_the_package_docstring_names_what_it_may_import(package):
    docstring = ast.get_docstring(ast.parse((KB / package / "__init__.py").read_text()))
    assert docstring
    missing = [f"kb.{allowed}" for allowed in ALLOWED[package] if f"kb.{allowed}" not in docstring]
    assert missing == []


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_the_package_imports_only_what_it_may(package):
    wrong = {}
    for path in sorted((KB / package).rglob("*.py")):
        found = violations(package, imported_modules(path.read_text()))
        if found:
            wrong[str(path.relative_to(KB.parent))] = found
    assert wrong == {}


def test_it_catches_an_import_up_the_layers_and_one_past_an_interface():
    source = (
        "from kb.pages import views\nfrom kb.search import sync\ndef f():\n    import kb.support\n"
    )
    assert violations("content", imported_modules(source)) == [
        "imports kb.pages.views, which it may not",
        "imports kb.search.sync, which it may not",
        "imports kb.support, which it may not",
    ]
    assert violations("web", imported_modules("from kb.search import sync")) == [
        "imports kb.search.sync instead of the kb.search interface"
    ]
    assert violations("web", imported_modules("from kb import search")) == []
