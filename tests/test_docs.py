"""The README's two command lines and the documented settings cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from kamgraph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_block_after(heading: str) -> list[str]:
    section = README.split(heading, 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, heading
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_one_line_that_installs_and_serves_the_demo() -> None:
    (line,) = code_block_after("**Quick start**")
    assert line.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert line.endswith(".venv/bin/kamgraph serve")


def test_tests_are_one_line_and_ci_runs_it() -> None:
    assert code_block_after("**Tests**") == ["scripts/test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test" in ci


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`KAMGRAPH_{name.upper()}`" in README, name


def test_every_limit_is_documented_with_its_default() -> None:
    limits_doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        if name.startswith(("max_", "request_", "sqlite_")):
            default = f"{field.default:g}" if isinstance(field.default, float) else field.default
            assert f"| `KAMGRAPH_{name.upper()}` | `{default}` |" in README, name
            assert f"| `KAMGRAPH_{name.upper()}` | {int(float(default)):,} |" in limits_doc, name


def test_every_analysis_weight_and_command_is_documented() -> None:
    from dataclasses import fields

    from kamgraph.analysis.config import AnalysisConfig

    analyses = (ROOT / "docs" / "analyses.md").read_text(encoding="utf-8")
    for field in fields(AnalysisConfig):
        assert f"| `{field.name}` |" in analyses, field.name
    for command in ("rank", "tender", "paths", "next-best", "coverage", "factions", "brokers",
                    "what-if", "plans"):
        assert f"| `{command} " in analyses, command
