"""The house rules of the layout: floors import downwards only, modules stay small, torch stays in model/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("docai", "model", "schemas", "workers", "ui")


def _modules(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in sorted((ROOT / pkg).rglob("*.py")) if "migrations/versions" not in str(p)]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _importing(paths: list[Path], prefix: str) -> list[str]:
    return [
        str(p.relative_to(ROOT))
        for p in paths
        if any(name == prefix or name.startswith(prefix + ".") for name in _imports(p))
    ]


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules(*PACKAGES) if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_engines_and_schemas_never_import_the_application():
    assert _importing(_modules("model"), "docai") == []
    assert _importing(_modules("schemas"), "docai") == []
    assert _importing(_modules("schemas"), "model") == []


def test_the_application_never_imports_the_worker_app():
    assert _importing(_modules("docai", "model", "schemas", "ui"), "workers") == []


def test_torch_is_imported_only_under_model():
    assert _importing(_modules("docai", "schemas", "workers", "ui"), "torch") == []


def test_the_top_of_docai_holds_few_loose_modules():
    loose = sorted(p.name for p in (ROOT / "docai").glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(loose) <= 8, loose
