"""The developer tools: their shared statistics, and clear errors where their data is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot import Engine
from bot.cli import main
from bot.devtools import bench, blind, clinc, evaluate, paths, stats

from .conftest import DATA, ROOT


def test_percentile_is_the_value_at_rank_floor_q_n() -> None:
    values = [float(v) for v in reversed(range(200))]
    assert [stats.percentile(values, q) for q in (0.05, 0.5, 0.95)] == [10.0, 100.0, 190.0]
    assert stats.percentile([3.0, 1.0, 2.0], 0.99) == 3.0
    assert stats.percentile([3.0, 1.0, 2.0], 0.0) == 1.0
    with pytest.raises(ValueError):
        stats.percentile([], 0.5)


confidences = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(
    in_scope=st.lists(st.tuples(st.booleans(), confidences), max_size=30),
    oos=st.lists(confidences, max_size=30),
)
def test_the_threshold_sweep_agrees_with_scoring_every_candidate(
    in_scope: list[tuple[bool, float]], oos: list[float]
) -> None:
    for objective in (stats.mean_accuracy_and_recall, lambda s: s.overall_accuracy):
        chosen = stats.choose_threshold(in_scope, oos, objective)
        scored = [stats.score(t, in_scope, oos) for t in stats.midpoints(in_scope, oos)]
        best = max(objective(s) for s in scored)
        lowest = next(s for s in scored if objective(s) > best - 1e-12)  # the lowest wins ties
        assert chosen == lowest


def test_a_fixed_grid_of_candidates_is_swept_the_same_way() -> None:
    in_scope = [(True, 0.9), (True, 0.6), (False, 0.55), (True, 0.3)]
    oos = [0.2, 0.5, 0.58]
    chosen = stats.choose_threshold(in_scope, oos, candidates=evaluate.GRID)
    assert chosen.threshold == 0.59  # all three declined, two of four in scope still right
    assert (chosen.in_scope_accuracy, chosen.oos_recall) == (0.5, 1.0)


def test_the_tools_share_one_threshold_and_one_percentile_helper() -> None:
    assert evaluate.best_threshold is stats.choose_threshold
    assert clinc.choose_threshold is stats.choose_threshold
    assert clinc.percentile is stats.percentile and bench.percentile is stats.percentile


def test_in_a_checkout_the_defaults_are_the_checkouts_files() -> None:
    assert paths.CHECKOUT == ROOT
    assert paths.default(paths.QUESTIONS) == DATA / "questions.yaml"
    assert paths.default(paths.SETS) == ROOT / "evaluation"


def test_a_missing_file_given_is_a_usage_error_naming_its_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--questions", str(tmp_path / "nope.yaml")]) == 2
    assert "no labelled questions at" in capsys.readouterr().err
    assert main(["eval", "--sets", str(tmp_path)]) == 2  # a folder holding no sets
    assert "no blind sets in" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions: [unclosed", encoding="utf-8")
    assert main(["bench", "--questions", str(broken)]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert main(["clinc", "bench", "--data", str(broken)]) == 2
    assert "is not CLINC150's data_full.json" in capsys.readouterr().err


def test_without_a_checkout_the_defaults_are_refused_naming_the_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(paths, "CHECKOUT", None)
    assert main(["eval"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("careerbot: no labelled questions") and "pass --questions FILE" in err


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package laid out as a wheel installs it: the content inside, no tests, no checkout."""
    site = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(ROOT / "bot", site / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("intents", "knowledge"):
        shutil.copytree(ROOT / name, site / "bot" / "content" / name)
    return site


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["eval"], "--questions"),
        (["eval", "--calibrate"], "--dev"),
        (["eval", "--failures"], "--sets"),
        (["eval", "--questions", str(DATA / "questions.yaml")], "--dialogues"),
        (["bench"], "--questions"),
        (["clinc", "bench"], "--data"),
        (["clinc", "convert", "out"], "--data"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_installed_tools_name_the_flag_for_data_outside_the_package(
    installed: Path, tmp_path: Path, args: list[str], flag: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args],
        check=False,
        capture_output=True,
        text=True,
        cwd="/",
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(installed),
            "XDG_CACHE_HOME": str(tmp_path),
        },
    )
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
    assert out.stderr.startswith("careerbot: no ") and f"pass {flag} " in out.stderr


def test_calibrate_chooses_the_threshold_on_whole_replies_to_blind_dev_sets(
    engine: Engine, tmp_path: Path
) -> None:
    text = "ml engineer salary chat"  # read as pay, not very surely
    top = engine.understand(text).top
    assert top is not None and 0.2 < top.score < 0.8
    low, high = top.score - 0.1, top.score + 0.1
    assert evaluate.with_threshold(engine, low).reply(text).kind == "answer"
    assert evaluate.with_threshold(engine, high).reply(text).kind == "decline"
    (tmp_path / "dev").mkdir()
    row = {"text": text, "style": "terse", "facts": ["$"]}
    sets = tmp_path / "dev" / "one.yaml"
    sets.write_text(yaml.safe_dump({"set": "one", "questions": [{**row, "expect": "answer"}]}))
    found = blind.find_sets(tmp_path, ("dev",))
    assert evaluate.choose_threshold_blind(engine, found, [low, high])[0] == low
    # declining it is right: the higher threshold wins
    sets.write_text(yaml.safe_dump({"set": "one", "questions": [{**row, "expect": "decline"}]}))
    assert evaluate.choose_threshold_blind(engine, found, [low, high])[0] == high


def test_a_turn_with_no_facts_to_find_is_answered_by_small_talk_but_a_question_is_not(
    engine: Engine,
) -> None:
    thanks = engine.reply("thank you so much")
    assert thanks.kind == "smalltalk"
    assert blind.judge(thanks, {"expect": "answer"})[0]
    assert not blind.judge(thanks, {"expect": "answer", "facts": ["Python"]})[0]
    assert not blind.judge(thanks, {"expect": "decline"})[0]
    declined = engine.reply("what is the best lasagne recipe")
    assert declined.kind == "decline" and not blind.judge(declined, {"expect": "answer"})[0]


def test_forum_near_miss_and_long_post_sets_stay_out_of_the_persona_sets() -> None:
    reports = []
    for name in ("personas3", "forum4", "nearmiss2", "longposts"):
        report = blind.SetReport(name, "sealed")
        report.answered.add(name == "personas3")
        reports.append(report)
    total = blind.combined(reports, "persona sets", "sealed")
    assert (total.answered.passed, total.answered.total) == (1, 1)
