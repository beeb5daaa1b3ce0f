"""Shared fixtures: one engine over the real content, and helpers to build broken content."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot import Engine

pytest_plugins = ["tests.servers"]  # fixtures starting real programs: redis-server, careerbot serve

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture(autouse=True)
def _isolated_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's real state (REPL history) or cache (compiled content) directories."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the real content folders, to break on purpose."""
    for name in ("intents", "knowledge"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


# -- tests that need a real server (Redis, Synapse, Chromium) ----------------------------------

_skipped_real: list[str] = []


_SANDBOX: Path | None = None
_ISOLATED = ("XDG_CACHE_HOME", "XDG_STATE_HOME")


def pytest_configure(config: pytest.Config) -> None:
    # Session-scoped fixtures (the engine, which writes the compiled cache) run before the
    # autouse fixture above, so the whole run gets private state and cache folders from the start.
    global _SANDBOX
    _SANDBOX = Path(tempfile.mkdtemp(prefix="careerbot-tests-"))
    for name in _ISOLATED:
        os.environ[name] = str(_SANDBOX / name.lower())
    config.addinivalue_line(
        "markers",
        "real_server: needs a real external program (Redis, Synapse, "
        "Chromium); skipped locally when it is missing, but CI fails if any was skipped",
    )


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "real_server" in report.keywords:
        _skipped_real.append(report.nodeid)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SANDBOX is not None:
        shutil.rmtree(_SANDBOX, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped_real and os.environ.get("CI"):
        print(
            f"\nCI: {len(_skipped_real)} test(s) needing a real server were skipped: "
            + ", ".join(_skipped_real)
        )
        session.exitstatus = 1
