"""Smoke test of the CLINC150 tooling on a 10-intent
sample: convert, then match well above chance.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import Engine
from bot.devtools import clinc

DATA = Path(__file__).resolve().parents[2] / "shared" / "clinc150" / "data_full.json"
SAMPLE = 10

pytestmark = pytest.mark.skipif(
    not DATA.is_file(),
    reason=f"CLINC150 data not found at {DATA} (the checkout's sibling shared/clinc150)",
)


def test_convert_writes_intents_yaml(tmp_path: Path) -> None:
    files = clinc.convert(DATA, tmp_path, intents=SAMPLE)
    assert files and all(path.suffix == ".yaml" and path.parent == tmp_path for path in files)
    intents = [
        entry
        for path in files
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["intents"]
    ]
    names = [entry["name"] for entry in intents]
    assert len(names) == SAMPLE and names == sorted(names)
    for entry in intents:
        assert set(entry) == {"name", "examples", "answer"}
        assert entry["answer"] == f"Intent: {entry['name']}"
        assert len(entry["examples"]) == 100 and all(
            isinstance(e, str) and e for e in entry["examples"]
        )


def test_converted_folder_runs_through_engine_load_unchanged(tmp_path: Path) -> None:
    clinc.convert(DATA, tmp_path, intents=SAMPLE)
    engine = Engine.load(tmp_path)  # a bare intents folder from elsewhere, no code change
    test = clinc.load(DATA, intents=SAMPLE)["test"]
    correct = sum(1 for text, label in test if engine.reply(text, session="clinc").intent == label)
    assert correct / len(test) >= 0.85  # chance is 1 in 10
    assert engine.reply(test[0][0], session="clinc").text.startswith("Intent: ")


def test_benchmark_reports_both_rules() -> None:
    report = clinc.benchmark(DATA, intents=SAMPLE)
    assert report["intents"] == SAMPLE and report["test_in_scope"] == 30 * SAMPLE
    assert report["test_top1_no_threshold"] >= 0.85
    rules = report["rules"]
    assert len(rules) == 2
    for figures in rules.values():
        test = figures["test"]
        assert 0.0 <= test["in_scope_accuracy"] <= 1.0 and 0.0 <= test["oos_recall"] <= 1.0
    mean_rule = next(figures for name, figures in rules.items() if name.startswith("a"))
    assert (mean_rule["test"]["in_scope_accuracy"] + mean_rule["test"]["oos_recall"]) / 2 >= 0.7
    assert report["latency_ms"]["p50"] > 0.0
    assert "in-scope acc" in clinc.format_report(report)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        clinc.main(["convert", str(tmp_path / "out"), "--data", str(DATA), "--intents", "3"]) == 0
    )
    assert len(list((tmp_path / "out").glob("*.yaml"))) == 1
    assert clinc.main(["bench", "--data", str(DATA), "--intents", "3", "--json"]) == 0
    assert '"rules"' in capsys.readouterr().out
