"""Fuzzing every interface, not only `reply`: JSON lines of any bytes or JSON value, `restore()`
with any state, and content folders with one random mutation. Each runs in seconds."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import Engine, Session
from bot.engine import validate
from bot.jsonl import serve
from bot.session import Profile

from .conftest import ROOT

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


def _lines(data: bytes) -> list[str]:
    """The lines `careerbot jsonl` reads from these bytes (as its stdin wrapper decodes them)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace").readlines()


def _serve(engine: Engine, data: bytes) -> list[dict[str, Any]]:
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace")
    stdout = io.StringIO()
    count = serve(engine, stdin, stdout)
    text = stdout.getvalue()
    text.encode("utf-8")  # no lone surrogates reach the output
    rows = [json.loads(line) for line in text.split("\n")[:-1]]
    assert len(rows) == count == len(_lines(data))
    for row in rows:
        assert isinstance(row, dict)
        assert ("error" in row) != ("text" in row and "session" in row), row
    return rows


# -- JSON lines --------------------------------------------------------------------------------


@FAST
@given(st.lists(st.binary(max_size=200), max_size=6))
def test_jsonl_survives_any_bytes(engine: Engine, lines: list[bytes]) -> None:
    _serve(engine, b"\n".join(lines) + b"\n")


@FAST
@given(st.lists(json_values, max_size=5))
def test_jsonl_survives_any_json_value(engine: Engine, values: list[Any]) -> None:
    _serve(engine, "".join(json.dumps(v) + "\n" for v in values).encode())


@FAST
@given(
    st.lists(st.dictionaries(st.sampled_from(["session", "text", "x"]), json_values), max_size=5)
)
def test_jsonl_survives_any_request_object(engine: Engine, requests: list[dict[str, Any]]) -> None:
    rows = _serve(engine, "".join(json.dumps(r) + "\n" for r in requests).encode())
    for request, row in zip(requests, rows, strict=True):
        if isinstance(request.get("text"), str) and request.get("session", "ok") == "ok":
            assert "error" not in row  # a well-formed request is answered


# -- restore() ---------------------------------------------------------------------------------

_FIELDS = [f for f in Session().to_dict() if f != "profile"]
_PROFILE = list(Session().to_dict()["profile"])
_NAMES = ["salary", "company_hiring", "skill_gap_check", "more", "gone", "senior", "meta", "1"]
_VALUES = st.sampled_from(_NAMES) | json_values
_SOME = _VALUES | st.lists(_VALUES, max_size=3)
states = st.fixed_dictionaries(
    {},
    optional={
        **{name: _SOME for name in _FIELDS},
        "slots": st.dictionaries(st.sampled_from(["level", "company", "x"]), _VALUES),
        "citations": st.lists(st.dictionaries(st.sampled_from(["source", "title"]), _VALUES)),
        "profile": st.fixed_dictionaries({}, optional={name: _SOME for name in _PROFILE})
        | json_values,
    },
)
FOLLOW_UPS = ("tell me more", "1", "and at google?", "where is that from?", "why?", "2")


@FAST
@given(states | json_values)
def test_restore_takes_any_state_and_the_chat_goes_on(engine: Engine, state: Any) -> None:
    engine.restore("fuzz", state)
    kept = engine.session("fuzz")
    engine.explain("fuzz")
    for text in FOLLOW_UPS:
        reply = engine.reply(text, session="fuzz")
        assert reply.text != engine.settings.texts["error"], (state, text)
        json.dumps(reply.to_dict(), allow_nan=False)
    engine.restore("fuzz-again", kept)  # what restore kept is kept again, whole
    assert engine.session("fuzz-again") == kept
    engine.reset("fuzz")
    engine.reset("fuzz-again")


@FAST
@given(st.builds(Session, intent=st.text(max_size=10), profile=st.builds(Profile)))
def test_restore_takes_session_objects(engine: Engine, state: Session) -> None:
    engine.restore("fuzz", state)
    assert engine.reply("how much would I make?", session="fuzz").intent == "salary"
    engine.reset("fuzz")


# -- content folders ---------------------------------------------------------------------------

#: a small consistent content cut from the real one: a build takes about 0.1 s
MINI = {
    "intents": ("lexicon", "faq", "smalltalk", "dialogue"),
    "knowledge": ("sources", "entities", "faqs"),
}
LABELS = [f"{folder}/{name}.yaml" for folder, names in MINI.items() for name in names]
ODD = ["", "null", "[]", "{}", "-1", "1e999", "yes", "~", "'{{ x }}'", "{% for %}", "*a", "&b"]
ODD += ["!!python/object/apply:os.system ['true']", "{{ 1 // 0 }}", "'", '"', ": :", "- -"]


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mini")
    for label in LABELS:
        (root / label).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / label, root / label)
    lexicon = root / "intents" / "lexicon.yaml"
    data = yaml.safe_load(lexicon.read_text(encoding="utf-8"))
    known = {
        intent["name"]
        for path in (root / "intents").glob("*.yaml")
        for intent in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents", [])
    }
    entity_intents = data["settings"].get("entity_intents", {})
    data["settings"]["entity_intents"] = {k: v for k, v in entity_intents.items() if v in known}
    lexicon.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    engine, problems = validate(root)
    assert engine is not None, problems
    return root


def _mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """`data` with one random change."""
    lines = data.split(b"\n")
    at = st.integers(0, len(lines) - 1)
    pos = st.integers(0, len(data))
    odd = st.sampled_from(ODD).map(str.encode) | st.text(max_size=12).map(str.encode)

    def with_line(i: int, new: list[bytes]) -> bytes:
        return b"\n".join(lines[:i] + new + lines[i + 1 :])

    def value(i: int, text: bytes) -> bytes:
        key, sep, _ = lines[i].partition(b": ")
        return with_line(i, [key + b": " + text if sep else lines[i] + text])

    def insert(n: int, text: bytes) -> bytes:
        return data[:n] + text + data[n:]

    def flip(n: int, byte: int) -> bytes:
        return data[:n] + bytes([byte]) + data[n + 1 :]

    return st.one_of(
        at.map(lambda i: with_line(i, [])),  # a line deleted
        at.map(lambda i: with_line(i, [lines[i], lines[i]])),  # a line given twice
        at.map(lambda i: with_line(i, [b"  " + lines[i]])),  # indented further
        at.map(lambda i: with_line(i, [lines[i][2:]])),  # indented less
        st.tuples(at, odd).map(lambda a: value(*a)),  # a value replaced
        st.tuples(pos, odd).map(lambda a: insert(*a)),  # text inserted
        pos.map(lambda n: data[:n]),  # cut short
        st.tuples(pos, st.integers(0, 255)).map(lambda a: flip(*a)),  # one byte changed
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_mutated_content_file_is_a_content_error_naming_it(
    mini: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    label = data.draw(st.sampled_from(LABELS), label="file")
    mutated = data.draw(_mutated((mini / label).read_bytes()), label="bytes")
    root = tmp_path_factory.mktemp("mutated")
    shutil.copytree(mini, root, dirs_exist_ok=True)
    (root / label).write_bytes(mutated)
    engine, problems = validate(root)  # never a traceback: the test fails on any exception
    files = {p.file for p in problems}
    allowed = set(LABELS) | {"intents", "knowledge", str(root / "intents"), str(root / "knowledge")}
    assert files <= allowed, problems
    if engine is None:
        assert problems
        if not _parses(mutated):
            assert label in files, (label, problems)
        return
    for text in ("what are the faqs", "hi", "tell me more", "thanks"):
        reply = engine.reply(text, session="mutated")
        assert reply.text != engine.settings.texts["error"], (label, text)


def _parses(data: bytes) -> bool:
    try:
        yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return False
    return True
