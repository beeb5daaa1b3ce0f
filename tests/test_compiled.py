"""The compiled-content cache: reused when nothing
changed, rebuilt when anything did or it is broken.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot import Engine


def _cache_files() -> list[Path]:
    return sorted((Path(os.environ["XDG_CACHE_HOME"]) / "careerbot").glob("index-*.pickle"))


def test_second_load_reuses_the_cache_and_answers_the_same(content_copy: Path) -> None:
    first = Engine.load(content_copy)
    files = _cache_files()
    assert len(files) == 1
    second = Engine.load(content_copy)
    assert _cache_files() == files
    question = "how much do senior ml engineers make"
    assert first.reply(question).to_dict() == second.reply(question).to_dict()


def test_changed_content_is_rebuilt(content_copy: Path) -> None:
    Engine.load(content_copy)
    before = [f.read_bytes() for f in _cache_files()]
    path = content_copy / "intents" / "smalltalk.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- hiya\n", "- hiya\n      - howdy partner\n"),
        encoding="utf-8",
    )
    engine = Engine.load(content_copy)
    assert [f.read_bytes() for f in _cache_files()] != before
    assert "howdy partner" in engine.intent("greeting").examples


def test_a_corrupt_cache_file_is_rebuilt(content_copy: Path) -> None:
    Engine.load(content_copy)
    (cache,) = _cache_files()
    cache.write_bytes(b"not a pickle")
    engine = Engine.load(content_copy)
    assert engine.reply("hi").intent == "greeting"
    assert cache.read_bytes() != b"not a pickle"


def test_what_a_killed_write_left_behind_is_pruned(content_copy: Path) -> None:
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "careerbot"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    left, fresh = folder / "tmpleft.tmp", folder / "tmpfresh.tmp"
    left.write_bytes(b"half a pickle")
    fresh.write_bytes(b"another process writing now")
    os.utime(left, (0, 0))
    Engine.load(content_copy)
    assert not left.exists() and fresh.exists()


def test_no_cache_when_asked(content_copy: Path) -> None:
    Engine.load(content_copy, cache=False)
    assert _cache_files() == []


def test_the_cache_goes_where_the_caller_says(content_copy: Path, tmp_path: Path) -> None:
    Engine.load(content_copy, cache=tmp_path / "elsewhere")
    assert _cache_files() == []
    assert len(list((tmp_path / "elsewhere").glob("index-*.pickle"))) == 1


def test_the_command_line_reads_no_cache_from_the_environment(content_copy: Path) -> None:
    env = {**os.environ, "CAREERBOT_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--content", str(content_copy), "ask", "hi"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip()
    assert _cache_files() == []


def test_the_typos_examples_are_written_with_are_no_words_of_the_speller() -> None:
    from collections import Counter

    from bot.compiled import _real_words

    examples = Counter({"scientsts": 1, "enginer": 8, "leetcode": 2, "rules": 1, "engineer": 90})
    vocabulary = ["scientists"] * 12 + ["engineer"] * 5 + ["roles"] * 3
    # a typo of a word used ten times as often is left out; a rare word near a rare one is kept
    assert Counter(_real_words(examples, vocabulary)) == Counter(
        {"leetcode": 2, "rules": 1, "engineer": 90}
    )
