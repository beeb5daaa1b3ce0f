"""The intent matcher against the public CLINC150
benchmark: convert it to intents YAML, and benchmark it.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from ..engine import Engine
from ..errors import UsageError
from . import paths
from .stats import Judged, Scores, choose_threshold, mean_accuracy_and_recall, percentile, score

OOS = "oos"
CHUNK = 25  # intents per converted YAML file
BOOTSTRAP_ROUNDS = 200  # resamples of val for the threshold-stability figures

Pairs = list[tuple[str, str]]


def load(data_path: str | Path, intents: int | None = None) -> dict[str, Pairs]:
    """The splits of a CLINC150 JSON file; with `intents`,
    only the first N labels (sorted) stay in scope.
    """
    try:
        raw = json.loads(Path(data_path).read_text(encoding="utf-8"))
        splits = {k: [(str(text), str(label)) for text, label in v] for k, v in raw.items()}
        labels = sorted({label for _, label in splits["train"]})
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise UsageError(f"{data_path} is not CLINC150's data_full.json: {exc!r}") from None
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


RULES: dict[str, Callable[[Scores], float]] = {
    "a: mean(in-scope acc, OOS recall)": mean_accuracy_and_recall,
    "b: accuracy with OOS as an extra class": lambda s: s.overall_accuracy,
}


def stability(
    val_in: Sequence[Judged],
    val_oos: Sequence[float],
    test_in: Sequence[Judged],
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
        chosen = choose_threshold(
            rng.choices(val_in, k=len(val_in)), rng.choices(val_oos, k=len(val_oos)), objective
        )
        figures = score(chosen.threshold, test_in, test_oos)
        accuracy.append(figures.in_scope_accuracy)
        recall.append(figures.oos_recall)
    return {"in_scope_accuracy": _spread(accuracy), "oos_recall": _spread(recall)}


def _spread(values: list[float]) -> list[float]:
    return [percentile(values, q) for q in (0.05, 0.5, 0.95)]


def _judged(rows: Sequence[tuple[str, float, str]]) -> list[Judged]:
    """(predicted, confidence, gold) per query -> (right, confidence)."""
    return [(predicted == gold, conf) for predicted, conf, gold in rows]


def _predict(pipeline: Pipeline, pairs: Pairs) -> tuple[list[tuple[str, float, str]], list[float]]:
    latencies: list[float] = []
    out = []
    for text, gold in pairs:
        start = time.perf_counter()
        predicted, conf = pipeline.top(text)
        latencies.append(time.perf_counter() - start)
        out.append((predicted, conf, gold))
    return out, latencies


def benchmark(data_path: str | Path, intents: int | None = None) -> dict[str, Any]:
    """Train on `train`, choose thresholds on `val` + `oos_val`, report on `test` + `oos_test`."""
    splits = load(data_path, intents)
    with tempfile.TemporaryDirectory(prefix="clinc-intents-") as folder:
        pipeline = Pipeline(data_path, intents, Path(folder))
    val_in, _ = _predict(pipeline, splits["val"])
    val_oos = [conf for _, conf, _ in _predict(pipeline, splits["oos_val"])[0]]
    test_in, lat_in = _predict(pipeline, splits["test"])
    test_oos_rows, lat_oos = _predict(pipeline, splits["oos_test"])
    test_oos = [conf for _, conf, _ in test_oos_rows]
    latencies = lat_in + lat_oos
    val_judged, test_judged = _judged(val_in), _judged(test_in)
    rules = {}
    for name, objective in RULES.items():
        chosen = choose_threshold(val_judged, val_oos, objective)
        rules[name] = {
            "threshold": round(chosen.threshold, 4),
            "val": asdict(chosen),
            "test": asdict(score(chosen.threshold, test_judged, test_oos)),
            "bootstrap_test": stability(val_judged, val_oos, test_judged, test_oos, objective)
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
            score(pipeline.engine.settings.threshold, test_judged, test_oos)
        ),
        "rules": rules,
        "latency_ms": {
            "p50": 1000 * statistics.median(latencies),
            "p99": 1000 * percentile(latencies, 0.99),
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
        "--data",
        metavar="FILE",
        help=f"CLINC150's data_full.json (default: {paths.default(paths.CLINC) or 'none'})",
    )
    common.add_argument(
        "--intents", type=int, default=None, metavar="N", help="only the first N labels (sorted)"
    )
    parser = argparse.ArgumentParser(prog="careerbot clinc", description=__doc__)
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
    data = paths.given_or_default(args.data, paths.CLINC, "--data", "CLINC150 data")
    if args.command == "convert":
        files = convert(data, args.out_dir, args.intents)
        sys.stdout.write(f"wrote {len(files)} files to {args.out_dir}\n")
        return 0
    report = benchmark(data, args.intents)
    sys.stdout.write((json.dumps(report, indent=2) if args.json else format_report(report)) + "\n")
    return 0


if __name__ == "__main__":  # the same as `careerbot clinc ...`, errors shown the same way
    from ..cli import main as careerbot

    raise SystemExit(careerbot(["clinc", *sys.argv[1:]]))
