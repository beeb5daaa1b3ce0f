"""The intent matcher against the public CLINC150
benchmark: convert it to intents YAML, and benchmark it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from ..engine import Engine

OOS = "oos"
CHUNK = 25  # intents per converted YAML file
BOOTSTRAP_ROUNDS = 200  # resamples of val for the threshold-stability figures
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "clinc150" / "data_full.json"

Pairs = list[tuple[str, str]]


def load(data_path: str | Path = DEFAULT_DATA, intents: int | None = None) -> dict[str, Pairs]:
    """The splits of a CLINC150 JSON file; with `intents`,
    only the first N labels (sorted) stay in scope.
    """
    raw = json.loads(Path(data_path).read_text(encoding="utf-8"))
    splits = {key: [(str(text), str(label)) for text, label in value] for key, value in raw.items()}
    labels = sorted({label for _, label in splits["train"]})
    if intents is not None:
        keep = set(labels[: max(1, intents)])
        for key in ("train", "val", "test"):
            splits[key] = [(text, label) for text, label in splits[key] if label in keep]
    return splits


def labels_of(pairs: Pairs) -> list[str]:
    return sorted({label for _, label in pairs})


def convert(
    data_path: str | Path, out_dir: str | Path, intents: int | None = None, seed: int = 0
) -> list[Path]:
    """Write the train split as intents YAML (files of
    CHUNK intents, labels sorted); return the files.

    `seed` is accepted for a reproducible sampling interface; the sample is the first N sorted
    labels, so it does not depend on it.
    """
    del seed
    splits = load(data_path, intents)
    by_label: dict[str, list[str]] = {}
    for text, label in splits["train"]:
        by_label.setdefault(label, []).append(text)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    labels = sorted(by_label)
    written = []
    for start in range(0, len(labels), CHUNK):
        chunk = labels[start : start + CHUNK]
        document = {
            "intents": [
                {"name": label, "examples": by_label[label], "answer": f"Intent: {label}"}
                for label in chunk
            ]
        }
        path = out / f"clinc_{start // CHUNK + 1:02d}.yaml"
        path.write_text(
            yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120),
            encoding="utf-8",
        )
        written.append(path)
    return written


class Pipeline:
    """The converted intents folder run through `Engine.load`, exactly as any content would be."""

    def __init__(self, data_path: str | Path, intents: int | None, folder: Path) -> None:
        start = time.perf_counter()
        convert(data_path, folder, intents)
        self.convert_seconds = time.perf_counter() - start
        self.engine = Engine.load(folder, cache=False)  # no cache: the whole load is measured
        self.load_seconds = time.perf_counter() - start - self.convert_seconds

    def top(self, text: str) -> tuple[str, float]:
        candidates = self.engine.rank(text, 1)
        return (candidates[0].intent, candidates[0].score) if candidates else (OOS, 0.0)


@dataclass(frozen=True)
class Scores:
    """Figures for one threshold on one split."""

    threshold: float
    in_scope_accuracy: float
    oos_recall: float
    oos_precision: float
    overall_accuracy: float


def score(
    threshold: float, in_scope: Sequence[tuple[str, float, str]], oos: Sequence[float]
) -> Scores:
    """`in_scope`: (predicted, confidence, gold) per
    query; `oos`: confidences of out-of-scope queries.
    """
    correct = sum(
        1 for predicted, conf, gold in in_scope if conf >= threshold and predicted == gold
    )
    false_oos = sum(1 for _, conf, _ in in_scope if conf < threshold)
    true_oos = sum(1 for conf in oos if conf < threshold)
    n_in, n_oos = len(in_scope), len(oos)
    return Scores(
        threshold=threshold,
        in_scope_accuracy=correct / n_in if n_in else 0.0,
        oos_recall=true_oos / n_oos if n_oos else 0.0,
        oos_precision=true_oos / (true_oos + false_oos) if true_oos + false_oos else 0.0,
        overall_accuracy=(correct + true_oos) / (n_in + n_oos) if n_in + n_oos else 0.0,
    )


def choose_threshold(
    in_scope: Sequence[tuple[str, float, str]],
    oos: Sequence[float],
    objective: Callable[[Scores], float],
) -> float:
    """The candidate threshold (midpoints between observed
    confidences) maximising `objective`; lowest wins ties.
    """
    values = sorted({conf for _, conf, _ in in_scope} | set(oos))
    # a query with no candidate at all has confidence 0 and is out of scope at any threshold > 0
    candidates = (
        [1e-12]
        + [(a + b) / 2 for a, b in itertools.pairwise(values)]
        + [values[-1] + 1e-9 if values else 1.0]
    )
    best, best_value = candidates[0], -1.0
    # sweep incrementally: O(n log n) instead of scoring every candidate from scratch
    events: list[tuple[float, int, int]] = []  # (confidence, kind, correct): kind 1 in scope, 0 oos
    events += [(conf, 1, int(predicted == gold)) for predicted, conf, gold in in_scope]
    events += [(conf, 0, 0) for conf in oos]
    events.sort()
    n_in, n_oos = len(in_scope), len(oos)
    correct = sum(flag for _, kind, flag in events if kind)
    rejected_in = rejected_oos = 0
    position = 0
    for threshold in candidates:
        while position < len(events) and events[position][0] < threshold:
            _, kind, flag = events[position]
            if kind:
                correct -= flag
                rejected_in += 1
            else:
                rejected_oos += 1
            position += 1
        figures = Scores(
            threshold,
            correct / n_in if n_in else 0.0,
            rejected_oos / n_oos if n_oos else 0.0,
            rejected_oos / (rejected_oos + rejected_in) if rejected_oos + rejected_in else 0.0,
            (correct + rejected_oos) / (n_in + n_oos) if n_in + n_oos else 0.0,
        )
        value = objective(figures)
        if value > best_value + 1e-12:
            best, best_value = threshold, value
    return best


RULES: dict[str, Callable[[Scores], float]] = {
    "a: mean(in-scope acc, OOS recall)": lambda s: (s.in_scope_accuracy + s.oos_recall) / 2,
    "b: accuracy with OOS as an extra class": lambda s: s.overall_accuracy,
}


def stability(
    val_in: Sequence[tuple[str, float, str]],
    val_oos: Sequence[float],
    test_in: Sequence[tuple[str, float, str]],
    test_oos: Sequence[float],
    objective: Callable[[Scores], float],
    rounds: int = BOOTSTRAP_ROUNDS,
) -> dict[str, list[float]]:
    """How much a rule's test figures move with the luck of the validation draw.

    The threshold is chosen again on `rounds` bootstrap resamples of val (in scope and out of
    scope resampled separately, fixed seed); returns the 5th, 50th and 95th percentiles of the
    resulting test in-scope accuracy and out-of-scope recall.
    """
    rng = random.Random(0)
    accuracy, recall = [], []
    for _ in range(rounds):
        threshold = choose_threshold(
            rng.choices(val_in, k=len(val_in)), rng.choices(val_oos, k=len(val_oos)), objective
        )
        figures = score(threshold, test_in, test_oos)
        accuracy.append(figures.in_scope_accuracy)
        recall.append(figures.oos_recall)
    return {"in_scope_accuracy": _percentiles(accuracy), "oos_recall": _percentiles(recall)}


def _percentiles(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.05, 0.5, 0.95)]


def _predict(pipeline: Pipeline, pairs: Pairs) -> tuple[list[tuple[str, float, str]], list[float]]:
    latencies: list[float] = []
    out = []
    for text, gold in pairs:
        start = time.perf_counter()
        predicted, conf = pipeline.top(text)
        latencies.append(time.perf_counter() - start)
        out.append((predicted, conf, gold))
    return out, latencies


def benchmark(data_path: str | Path = DEFAULT_DATA, intents: int | None = None) -> dict[str, Any]:
    """Train on `train`, choose thresholds on `val` + `oos_val`, report on `test` + `oos_test`."""
    splits = load(data_path, intents)
    with tempfile.TemporaryDirectory(prefix="clinc-intents-") as folder:
        pipeline = Pipeline(data_path, intents, Path(folder))
    val_in, _ = _predict(pipeline, splits["val"])
    val_oos = [conf for _, conf, _ in _predict(pipeline, splits["oos_val"])[0]]
    test_in, lat_in = _predict(pipeline, splits["test"])
    test_oos_rows, lat_oos = _predict(pipeline, splits["oos_test"])
    test_oos = [conf for _, conf, _ in test_oos_rows]
    latencies = sorted(lat_in + lat_oos)
    rules = {}
    for name, objective in RULES.items():
        threshold = choose_threshold(val_in, val_oos, objective)
        rules[name] = {
            "threshold": round(threshold, 4),
            "val": asdict(score(threshold, val_in, val_oos)),
            "test": asdict(score(threshold, test_in, test_oos)),
            "bootstrap_test": stability(val_in, val_oos, test_in, test_oos, objective)
            if val_oos
            else None,
        }
    top1 = (
        sum(1 for predicted, _, gold in test_in if predicted == gold) / len(test_in)
        if test_in
        else 0.0
    )
    return {
        "data": str(data_path),
        "intents": len(labels_of(splits["train"])),
        "train_examples": len(splits["train"]),
        "test_in_scope": len(test_in),
        "test_oos": len(test_oos),
        "test_top1_no_threshold": top1,
        "matcher_default_threshold": pipeline.engine.settings.threshold,
        "matcher_default_test": asdict(
            score(pipeline.engine.settings.threshold, test_in, test_oos)
        ),
        "rules": rules,
        "latency_ms": {
            "p50": 1000 * statistics.median(latencies),
            "p99": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            "mean": 1000 * statistics.fmean(latencies),
        },
        "convert_seconds": pipeline.convert_seconds,
        "load_seconds": pipeline.load_seconds,
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def format_report(report: dict[str, Any]) -> str:
    """A readable table of a benchmark() result."""
    lines = [
        (
            f"CLINC150 benchmark: {report['intents']} intents, "
            f"{report['train_examples']} train examples, "
            f"{report['test_in_scope']} in-scope + {report['test_oos']} out-of-scope test queries"
        ),
        f"top-1 in-scope accuracy without fallback: {report['test_top1_no_threshold']:.2%}",
        "",
        (
            f"{'threshold rule (chosen on val)':38s} {'thr':>7s} {'in-scope acc':>12s} "
            f"{'OOS recall':>10s} {'OOS prec':>8s} {'all acc':>8s}"
        ),
    ]
    rows = [(name, r["threshold"], r["test"]) for name, r in report["rules"].items()]
    rows.append(
        (
            "matcher default threshold",
            report["matcher_default_threshold"],
            report["matcher_default_test"],
        )
    )
    for name, threshold, t in rows:
        lines.append(
            f"{name:38s} {threshold:7.4f} {t['in_scope_accuracy']:12.2%} {t['oos_recall']:10.2%} "
            f"{t['oos_precision']:8.2%} {t['overall_accuracy']:8.2%}"
        )
    lines.append("")
    lines.append(
        f"with thresholds chosen on {BOOTSTRAP_ROUNDS} bootstrap resamples of val "
        "(5th / 50th / 95th percentile):"
    )
    for name, r in report["rules"].items():
        spread = r.get("bootstrap_test")
        if spread:
            acc, rec = spread["in_scope_accuracy"], spread["oos_recall"]
            lines.append(
                f"  {name[:1]}: in-scope acc {acc[0]:.2%} / {acc[1]:.2%} / {acc[2]:.2%}, "
                f"OOS recall {rec[0]:.2%} / {rec[1]:.2%} / {rec[2]:.2%}"
            )
    lat = report["latency_ms"]
    lines += [
        "",
        (
            f"latency per query: p50 {lat['p50']:.3f} ms, p99 {lat['p99']:.3f} ms, "
            f"mean {lat['mean']:.3f} ms"
        ),
        (
            f"Engine.load (YAML parse, validation, matcher build): {report['load_seconds']:.3f} s "
            f"(after converting to YAML in {report['convert_seconds']:.3f} s)"
        ),
        f"peak memory {report['peak_memory_mb']:.0f} MB",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data", default=str(DEFAULT_DATA), help="CLINC150 JSON file (default: %(default)s)"
    )
    common.add_argument(
        "--intents", type=int, default=None, metavar="N", help="only the first N labels (sorted)"
    )
    parser = argparse.ArgumentParser(prog="python -m bot.devtools.clinc", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    bench = sub.add_parser(
        "bench", parents=[common], help="benchmark the matcher on the test split"
    )
    bench.add_argument("--json", action="store_true", help="print the report as JSON")
    conv = sub.add_parser(
        "convert", parents=[common], help="write the train split as an intents folder"
    )
    conv.add_argument("out_dir")
    args = parser.parse_args(argv)
    if not Path(args.data).is_file():
        parser.error(f"no CLINC150 data at {args.data}")
    if args.command == "convert":
        files = convert(args.data, args.out_dir, args.intents)
        sys.stdout.write(f"wrote {len(files)} files to {args.out_dir}\n")
        return 0
    report = benchmark(args.data, args.intents)
    sys.stdout.write((json.dumps(report, indent=2) if args.json else format_report(report)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
