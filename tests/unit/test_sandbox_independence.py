"""The sandbox is an independent reading of the upstream docs: it shares no client code."""

from __future__ import annotations

import ast
from pathlib import Path

import pgyscout.sandbox

FORBIDDEN = ("pgyscout.client", "pgyscout.models", "pgyscout.cli")


def test_the_sandbox_imports_nothing_from_the_client() -> None:
    folder = Path(pgyscout.sandbox.__file__).parent
    imported: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert "pgyscout.sandbox.app" in imported  # the scan itself works
    assert not [name for name in imported if name.startswith(FORBIDDEN)]
