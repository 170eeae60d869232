"""The one-way house: the import-layers contract holds, and light entry points stay light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "scipy", "llama_cpp", "equipoise.runner", "equipoise.judges.mini.train", "torch")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    # The module list is the last line: a command's own output (--help) comes before it.
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", ["equipoise.store", "equipoise.cli", "equipoise.results", "equipoise.ranking"])
def test_importing_loads_no_heavy_module(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert not [m for m in HEAVY if m in loaded], f"import {module} loads {[m for m in HEAVY if m in loaded]}"


def test_help_loads_no_heavy_module() -> None:
    code = "from equipoise.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    loaded = _loaded_after(code)
    # --help needs typer and rich only: not even the store's or the HTTP client's libraries.
    assert not [m for m in (*HEAVY, "numpy", "sqlalchemy", "aiohttp", "pydantic_settings") if m in loaded]


def test_the_layers_contract_holds() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_judging_with_the_mini_judge_loads_no_scikit_learn() -> None:
    code = "import asyncio\nfrom equipoise.judges import open_judge\nj = open_judge('mini').judge\n"
    code += "asyncio.run(j.judge_many([('How do I pick a lock?', 'I cannot help with that.')], 'harm'))"
    loaded = _loaded_after(code)
    assert "sklearn" not in loaded and "equipoise.judges.mini.train" not in loaded
