"""End to end: the real program in a pseudo-terminal, driven with pexpect as a person would."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 10


@pytest.mark.parametrize("term", ["dumb", "xterm"])
def test_a_conversation_in_a_terminal(tmp_path: Path, term: str) -> None:
    env = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path),
        "NO_COLOR": "1",
        "TERM": term,
        # pexpect does not answer cursor-position requests; don't make prompt-toolkit wait for one.
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "PYTHONPATH": str(ROOT),
    }
    child = pexpect.spawn(
        sys.executable,
        ["main.py"],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 100),
    )

    def prompt() -> None:
        # "you>" (in xterm mode the space after it is a cursor move), then wait for raw mode:
        # typed before it, Ctrl-D would be the tty driver's end-of-file, not a key.
        child.expect_exact("you>")
        child.waitnoecho(TIMEOUT)

    try:
        child.expect_exact("Ask in your own words")
        prompt()

        child.sendline("how much do senior ml engineers make")
        child.expect_exact("$210,000")
        prompt()

        child.sendline("and in new york?")
        child.expect_exact("New York")
        prompt()

        child.sendline("/why")
        child.expect_exact("(salary)")
        prompt()

        child.sendcontrol("d")
        child.expect_exact("Goodbye")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert (
        "how much do senior ml engineers make" in (tmp_path / "careerbot" / "history").read_text()
    )
