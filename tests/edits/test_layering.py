"""The claim edits sit below the records (cli | api | web -> records -> edits): no edits
module imports ``medcoder.records``, so the two cannot form an import loop again (the
claim-edit gate for stored encounters lives in ``records/claim_gate.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import medcoder.edits

EDITS = Path(medcoder.edits.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_edits_module_imports_the_records() -> None:
    modules = sorted(EDITS.rglob("*.py"))
    assert len(modules) > 5  # the package was found
    offenders = {
        p.name: sorted(n for n in _imports(p) if n.split(".")[:2] == ["medcoder", "records"])
        for p in modules
        # A command group stands at the top layer wherever its file lives.
        if p.name != "cli.py"
    }
    assert {name: found for name, found in offenders.items() if found} == {}
