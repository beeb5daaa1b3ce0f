"""A template that fails when rendered fails the load, naming file, intent and line; `validate`
reports template problems with their lines even while other problems stop the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import ContentError, Engine
from bot.engine import validate

from .conftest import ROOT
from .test_content_errors import _edit

PERKS = "      {% set f = facts('perks') %}\n"


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _load_problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        Engine.load(root)
    return [str(p) for p in info.value.problems]


def test_an_undefined_name_fails_the_load_with_its_line(content_copy: Path) -> None:
    path = content_copy / "intents" / "pay.yaml"
    _edit(path, PERKS, PERKS + "      {{ perk_count }}\n")
    line = _line_of(path, "{{ perk_count }}")
    assert _load_problems(content_copy) == [
        (
            f"intents/pay.yaml:{line}: perks: template error: 'perk_count' is undefined "
            "(line 2 of the answer)"
        )
    ]


def test_a_failure_for_one_entity_only_names_it(content_copy: Path) -> None:
    path = content_copy / "intents" / "companies.yaml"
    old = "    answer: |\n"
    text = path.read_text(encoding="utf-8")
    at = text.index(old)  # the first intent of the file, company_overview, takes a company
    broken = old + "      {% if company and company.id == 'nvidia' %}{{ 1 // 0 }}{% endif %}\n"
    path.write_text(text[:at] + broken + text[at + len(old) :], encoding="utf-8")
    (problem,) = _load_problems(content_copy)
    assert problem.startswith(f"intents/companies.yaml:{_line_of(path, '1 // 0')}: ")
    assert "template failed: ZeroDivisionError" in problem and "company=nvidia" in problem


def test_a_syntax_error_names_the_line_in_the_file(content_copy: Path) -> None:
    path = content_copy / "intents" / "pay.yaml"
    _edit(path, PERKS, PERKS + "      {% if %}\n")
    line = _line_of(path, "{% if %}")
    (problem,) = _load_problems(content_copy)
    assert problem.startswith(f"intents/pay.yaml:{line}: perks: template error:")
    assert "(line 2 of the answer)" in problem


def test_validate_lists_template_problems_while_other_problems_exist(content_copy: Path) -> None:
    _edit(content_copy / "knowledge" / "pay.yaml", "pay: {min: 110000,", "pay: {min: lots,")
    pay = content_copy / "intents" / "pay.yaml"
    _edit(pay, PERKS, PERKS + "      {{ perk_count }}\n      {% for %}\n")
    skills = content_copy / "intents" / "skills.yaml"
    _edit(skills, "{% for f in guide %}", "{% for f in guide %}{{ missing_name }}")
    engine, problems = validate(content_copy)
    assert engine is None
    shown = [str(p) for p in problems]
    assert any("knowledge/pay.yaml:" in p and "'min'" in p for p in shown)
    for_line = _line_of(pay, "{% for %}")
    assert any(p.startswith(f"intents/pay.yaml:{for_line}: perks: template error:") for p in shown)
    missing = _line_of(skills, "missing_name")
    assert (
        f"intents/skills.yaml:{missing}: top_skills: template error: 'missing_name' is undefined "
        "(line 6 of the answer)" in shown
    )


def test_ask_exits_1_for_a_template_that_fails(content_copy: Path) -> None:
    _edit(content_copy / "intents" / "pay.yaml", PERKS, PERKS + "      {{ perk_count }}\n")
    for argv in (["ask", "what perks do ml engineers get"], ["validate"]):
        out = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--content", str(content_copy), *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert out.returncode == 1, out.stdout
        assert "Traceback" not in out.stderr and "'perk_count' is undefined" in out.stderr


def test_a_failure_only_with_a_profile_fails_the_load(content_copy: Path) -> None:
    path = content_copy / "intents" / "skills.yaml"
    _edit(path, "      You named: ", "      {{ 1 // 0 }}You named: ")  # only when skills are known
    (problem,) = _load_problems(content_copy)
    assert problem.startswith(f"intents/skills.yaml:{_line_of(path, '1 // 0')}: skill_gap_check: ")
