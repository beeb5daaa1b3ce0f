"""The test suite itself never writes into the user's real cache or state folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import Engine

from .conftest import ROOT


def test_loads_the_engine(engine: Engine) -> None:
    """Run by the test below in a child pytest: the session-scoped engine writes the cache."""
    assert engine.reply("hi").intent == "greeting"


def test_the_suite_keeps_out_of_the_real_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), NO_COLOR="1")
    tests = [
        "tests/test_isolation.py::test_loads_the_engine",
        "tests/test_interfaces.py::test_ask_prints_the_answer_and_its_sources",
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert written == [], f"the tests wrote into the home folder: {written}"
