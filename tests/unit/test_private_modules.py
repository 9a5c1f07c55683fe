"""No package reaches into another's private modules: what one package uses of another is
that package's public surface, so each can change its insides freely."""

from __future__ import annotations

import ast
from pathlib import Path

import pgyscout

ROOT = Path(pgyscout.__file__).parent


def imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_no_package_imports_another_packages_private_module() -> None:
    offences = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        package = parts[0] if len(parts) > 1 else None
        for name in imported_modules(path):
            pieces = name.split(".")
            if pieces[0] != "pgyscout" or len(pieces) < 3:
                continue
            owner, module = pieces[1], pieces[2]
            private = module.startswith("_") and not module.startswith("__")
            if private and owner != package and (ROOT / owner / f"{module}.py").exists():
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []
