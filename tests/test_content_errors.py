"""Broken content is refused with every problem named by file, line and what is wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot import ContentError, Engine
from bot.engine import validate

from .conftest import ROOT


def _problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        Engine.load(root)
    return [str(p) for p in info.value.problems]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_invalid_yaml_names_file_and_line(content_copy: Path) -> None:
    (content_copy / "knowledge" / "perks_broken.yaml").write_text(
        "topics:\n  x: [unclosed\n", encoding="utf-8"
    )
    problems = _problems(content_copy)
    assert any(
        p.startswith("knowledge/perks_broken.yaml:") and "invalid YAML" in p for p in problems
    )


def test_fact_without_source(content_copy: Path) -> None:
    _edit(
        content_copy / "knowledge" / "pay.yaml",
        "      - source: blog\n        section: Perks and Equity\n",
        "      - section: Perks and Equity\n",
    )
    problems = _problems(content_copy)
    assert any(
        "knowledge/pay.yaml:" in p and "perks" in p and "missing required field 'source'" in p
        for p in problems
    )


def test_unknown_source(content_copy: Path) -> None:
    _edit(
        content_copy / "knowledge" / "pay.yaml",
        "      - source: blog\n        section: Perks and Equity\n",
        "      - source: wikipedia\n        section: Perks and Equity\n",
    )
    problems = _problems(content_copy)
    assert any("unknown source 'wikipedia'" in p for p in problems)


def test_salary_with_max_below_min_names_the_line(content_copy: Path) -> None:
    path = content_copy / "knowledge" / "pay.yaml"
    _edit(path, "pay: {min: 110000, max: 150000,", "pay: {min: 110000, max: 15000,")
    line = next(
        i for i, text in enumerate(path.read_text().splitlines(), 1) if "max: 15000," in text
    )
    problems = _problems(content_copy)
    assert (
        f"knowledge/pay.yaml:{line}: topics.salary_by_level.facts[0].pay.max: "
        "max 15000 is less than min 110000" in problems
    )


def test_wrong_type(content_copy: Path) -> None:
    _edit(content_copy / "knowledge" / "pay.yaml", "pay: {min: 110000,", "pay: {min: lots,")
    problems = _problems(content_copy)
    assert any("'min' must be a positive whole number, got 'lots'" in p for p in problems)


def test_duplicate_key_and_empty_list(content_copy: Path) -> None:
    (content_copy / "knowledge" / "dupes.yaml").write_text(
        "topics:\n  a:\n    title: A\n    title: B\n    facts: []\n", encoding="utf-8"
    )
    problems = _problems(content_copy)
    assert any("knowledge/dupes.yaml:4" in p and "duplicate key 'title'" in p for p in problems)


def test_every_problem_is_listed_not_only_the_first(content_copy: Path) -> None:
    _edit(content_copy / "knowledge" / "pay.yaml", "pay: {min: 110000,", "pay: {min: lots,")
    _edit(
        content_copy / "intents" / "pay.yaml",
        "    slots:\n      level: level\n",
        "    slots:\n      level: planet\n",
    )
    problems = _problems(content_copy)
    assert any("knowledge/pay.yaml" in p for p in problems)
    assert any("intents/pay.yaml" in p and "unknown entity type 'planet'" in p for p in problems)


def test_broken_template_reference_is_reported(content_copy: Path) -> None:
    _edit(content_copy / "intents" / "pay.yaml", "facts('perks')", "facts('perkz')")
    engine, problems = validate(content_copy)
    assert engine is None  # a template that fails to render stops the load
    assert any(
        str(p).startswith("intents/pay.yaml:")
        and "perks: template error: unknown knowledge topic 'perkz'" in str(p)
        and p.line
        for p in problems
    )
    # ... and only it: the other templates' names are all known to the scan that follows
    assert len(problems) == 1, problems


def test_a_template_printing_none_is_reported(content_copy: Path) -> None:
    """A value the knowledge does not have, printed: "Cloud Platforms: None"."""
    _edit(
        content_copy / "intents" / "skills.yaml",
        "(f.text or f.items | map('string') | join('; '))",
        "f.text",
    )
    texts = [str(p) for p in validate(content_copy)[1]]
    assert any("skill_info: template error: it prints None" in t for t in texts), texts


def test_unreached_topic_is_reported(content_copy: Path) -> None:
    _edit(content_copy / "knowledge" / "pay.yaml", "  perks:\n", "  perks_unused:\n")
    _edit(content_copy / "intents" / "pay.yaml", "facts('perks')", "facts('salary_factors')")
    _, problems = validate(content_copy)
    assert any(
        "topics.perks_unused: no intent's answer reaches this topic" in str(p) for p in problems
    )


def test_a_keyword_naming_an_entity_is_reported(content_copy: Path) -> None:
    _edit(
        content_copy / "intents" / "career_path.yaml",
        "ladder, next role",
        "ladder, senior, next role",
    )
    _, problems = validate(content_copy)
    assert any(
        "intents/career_path.yaml: career_progression.keywords: "
        "'senior' names the level 'Senior level'"
        in str(p)
        and "'@level'" in str(p)
        for p in problems
    ), problems


def test_validate_command_exit_codes(content_copy: Path) -> None:
    ok = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "validate"],
        check=False,
        capture_output=True,
        text=True,
        cwd="/",
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "content OK" in ok.stdout and "facts" in ok.stdout
    _edit(content_copy / "knowledge" / "pay.yaml", "pay: {min: 110000,", "pay: {min: lots,")
    bad = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--content", str(content_copy), "validate"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "knowledge/pay.yaml:" in bad.stderr


def test_a_mistyped_setting_names_file_line_and_fix(content_copy: Path) -> None:
    _edit(content_copy / "intents" / "lexicon.yaml", "  common_words: [", "  common_words: [no, ")
    _edit(content_copy / "intents" / "lexicon.yaml", "  threshold: ", "  threshold: 7 #")
    problems = _problems(content_copy)
    assert any(
        "intents/lexicon.yaml:" in p and "settings.common_words" in p and "got False" in p
        for p in problems
    )
    assert any(
        "settings.threshold: 'threshold' must be a number from 0 to 1, got 7" in p for p in problems
    )


def test_a_kind_word_naming_no_entity_type_is_reported(content_copy: Path) -> None:
    _edit(content_copy / "intents" / "lexicon.yaml", "firms: company,", "firms: compnay,")
    problems = _problems(content_copy)
    assert any("settings.kind_words.firms" in p and "'compnay'" in p for p in problems)


def test_a_mapping_used_as_a_key_is_a_content_error(content_copy: Path) -> None:
    (content_copy / "intents" / "faq.yaml").write_text("? {a: 1}\n: b\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        Engine.load(content_copy, cache=False)
    assert any("faq.yaml" in str(p) and "plain value" in str(p) for p in caught.value.problems)


def test_an_asked_entry_must_name_the_start_of_a_passage(content_copy: Path) -> None:
    (content_copy / "knowledge" / "asked_broken.yaml").write_text(
        "asked:\n"
        "  - passage: No guide says this\n"
        "    lines: [who says this]\n"
        "  - passage: Monitor\n"
        "    lines: [fine, '']\n",
        encoding="utf-8",
    )
    problems = _problems(content_copy)
    assert any(
        p.startswith("knowledge/asked_broken.yaml:2") and "no passage" in p and "No guide" in p
        for p in problems
    ), problems
    assert any("asked[1].lines[1]" in p for p in problems), problems
    # the knowledge's problems, not every gap naming a topic of the knowledge as unknown
    assert not any("gaps.yaml" in p for p in problems), problems


def test_an_example_without_a_word_its_intent_needs_is_reported(content_copy: Path) -> None:
    _edit(
        content_copy / "intents" / "pay.yaml",
        "      - which states pay ml engineers the most\n",
        "      - which states pay ml engineers the most\n      - which states are nicest\n",
    )
    problems = _problems(content_copy)
    assert any("salary_by_location" in p and "which states are nicest" in p for p in problems)


def test_an_insiders_intent_must_exist(content_copy: Path) -> None:
    _edit(
        content_copy / "intents" / "getting_started.yaml",
        "insiders: career_progression",
        "insiders: career_progresion",
    )
    texts = [str(p) for p in validate(content_copy)[1]]
    assert any(
        "become_ml_engineer.insiders: unknown intent 'career_progresion'" in t for t in texts
    ), texts


def test_an_insider_role_must_be_a_role(content_copy: Path) -> None:
    lexicon = content_copy / "intents" / "lexicon.yaml"
    _edit(lexicon, "insider_roles: [ml_engineer,", "insider_roles: [ml_enginer,")
    texts = [str(p) for p in validate(content_copy)[1]]
    wrong = "settings.insider_roles: unknown entity 'role:ml_enginer'"
    assert any(wrong in t for t in texts), texts


def test_a_gap_defined_twice_is_reported(content_copy: Path) -> None:
    _edit(
        content_copy / "intents" / "gaps.yaml",
        "    - id: kaggle\n",
        "    - id: bootcamps\n      what: bootcamps again\n      patterns: ['bootcamp']\n"
        "      nearby: [education]\n    - id: kaggle\n",
    )
    problems = _problems(content_copy)
    assert any("gaps.yaml" in p and "'bootcamps' is already defined" in p for p in problems), (
        problems
    )


def test_a_gap_of_an_intent_that_does_not_exist_is_reported(content_copy: Path) -> None:
    _edit(
        content_copy / "intents" / "gaps.yaml",
        "intents: [work_environment, work_hours, typical_workday]",
        "intents: [work_environment, work_hour, typical_workday]",
    )
    texts = [str(p) for p in validate(content_copy)[1]]
    assert any("gaps.company_detail.intents: unknown intent 'work_hour'" in t for t in texts), texts


def test_whole_must_be_true_or_false(content_copy: Path) -> None:
    _edit(content_copy / "intents" / "smalltalk.yaml", "    whole: true", "    whole: yes please")
    texts = [str(p) for p in validate(content_copy)[1]]
    assert any("'whole' must be true or false" in t for t in texts), texts


def test_a_place_alias_must_name_a_place(content_copy: Path) -> None:
    _edit(
        content_copy / "intents" / "gaps.yaml",
        "  place_aliases: {uk: United Kingdom,",
        "  place_aliases: {gb: [United Kingdom], uk: United Kingdom,",
    )
    problems = _problems(content_copy)
    assert any("gaps.place_aliases" in p and "short name" in p for p in problems), problems
