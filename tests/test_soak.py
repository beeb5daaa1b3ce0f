"""The soak check of `careerbot bench --soak`, run short: the store stays bounded, memory is
sampled over time and the figures say whether it levelled off."""

from __future__ import annotations

from bot.cli import _parser
from bot.devtools.soak import run


def test_a_short_soak_fills_the_bounded_store_and_samples_memory() -> None:
    figures = run(None, replies=1_000, sessions=300, max_sessions=50, checkpoints=4)
    samples = figures["samples"]
    assert isinstance(samples, list) and len(samples) == 5
    assert [s["replies"] for s in samples] == [0, 250, 500, 750, 1_000]
    assert all(s["sessions"] <= 50 for s in samples)
    assert figures["store_full_after_replies"] is not None
    assert 0 < figures["rss_when_store_full_mb"] <= figures["peak_rss_mb"]  # type: ignore[operator]
    assert isinstance(figures["flat"], bool) and isinstance(figures["growth_after_full_mb"], float)


def test_the_bench_command_takes_the_soak_options() -> None:
    args = _parser().parse_args(["bench", "--soak", "--replies", "5000", "--sessions", "1000"])
    assert args.soak and args.replies == 5_000 and args.sessions == 1_000
    defaults = _parser().parse_args(["bench", "--soak"])
    assert (defaults.replies, defaults.sessions) == (1_000_000, 200_000)
