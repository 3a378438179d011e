"""The house rules a reader relies on: imports at the top of every module (no import at the
bottom to dodge a cycle), and blueprint packages whose __init__ imports nothing (their
views.py is the table of contents, so importing a sibling module never loads every view)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)


def test_imports_are_at_the_top_of_every_module():
    late = []
    for path in sorted((ROOT / "eventapp").rglob("*.py")):
        code_started = False
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                if code_started:
                    late.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            elif not _is_docstring(node):
                code_started = True
    assert not late, "imports after code: " + ", ".join(late)


def test_a_blueprint_package_init_imports_nothing():
    packages = sorted(p.parent for p in (ROOT / "eventapp").glob("*/views.py"))
    assert (
        len(packages) == 14
    )  # + fees (14), questions (12), invoices (15), programme (16), b2b (18)
    for package in packages:
        tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        assert all(_is_docstring(node) for node in tree.body), package.name
        assert (package / "blueprint.py").exists(), package.name
