"""Benchmark the offline formulator: accuracy, precision and ms per problem.

Run: ``python tests/benchmarks/bench_offline.py [--min-confidence 0.5] [--phrasings] [--rules] [--wrong] [FILE ...]``
(FILE defaults to nl4opt_dev and mamo_easy_clean_sirl in ../shared/benchmarks).
Correct when |objective - answer| <= max(1e-4*|answer|, 0.0051); rows with
``meta.answer_unknown`` or a null answer are skipped.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from optimus.offline import DEFAULT_MIN_CONFIDENCE, solve_offline

BENCH = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"
BANDS = [("[0.9,1]", 0.9), ("[0.7,0.9)", 0.7), ("[0.5,0.7)", 0.5), ("<0.5", 0.0)]


def correct(objective: float | None, reference: float) -> bool:
    """The evaluation rule shared with ``optimus eval``."""
    return objective is not None and abs(objective - reference) <= max(1e-4 * abs(reference), 0.0051)


def score_file(path: Path, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict:
    """Accuracy, precision, abstention, per-band accuracy and ms per problem of one file.

    Each problem is solved once with no confidence floor; an answer whose confidence is
    below ``min_confidence`` counts as abstained (what ``solve_offline`` does by default).
    """
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if not r.get("meta", {}).get("answer_unknown") and r["answer"] is not None]
    return score_rows(rows, path.name, min_confidence)


def phrasing_rows() -> list[dict]:
    """Our own plain-English problems (tests/offline_phrasings.py) as benchmark rows."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from offline_phrasings import CASES

    return [{"id": c.id, "question": c.text, "answer": c.expected} for c in CASES]


def score_rows(rows: list[dict], name: str, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict:
    """Score rows with ``question`` and ``answer`` (see :func:`score_file`)."""
    bands: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ok = answered = 0
    graded: list[tuple[float, bool]] = []  # (confidence, correct) of each answer
    t0 = time.perf_counter()
    for r in rows:
        a = solve_offline(r["question"], min_confidence=0.0)
        good = a.status == "optimal" and correct(a.objective, r["answer"])
        conf = a.confidence or 0.0
        if a.status == "abstained":
            band = "abstained"
        else:
            graded.append((conf, good))
            band = next(name for name, lo in BANDS if conf >= lo)
            if conf >= min_confidence:
                answered += 1
                ok += good
        bands[band][0] += good
        bands[band][1] += 1
    ms = (time.perf_counter() - t0) / max(len(rows), 1) * 1000
    n = len(rows)
    return {"file": name, "scored": n, "correct": ok, "answered": answered,
            "accuracy": ok / max(n, 1), "precision": ok / answered if answered else None,
            "abstention": (n - answered) / max(n, 1), "ms_per_problem": ms,
            "bands": {k: {"correct": v[0], "n": v[1]} for k, v in bands.items()},
            "curve": trade_off(graded, n)}


#: the confidence floors of the trade-off curve
FLOORS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def trade_off(graded: list[tuple[float, bool]], n: int) -> list[dict]:
    """Per confidence floor: the correct answers, the answers and the precision.

    >>> [(c["floor"], c["correct"], c["answered"]) for c in trade_off([(0.95, True), (0.6, False)], 2)][:2]
    [(0.5, 1, 2), (0.6, 1, 2)]
    """
    out = []
    for floor in FLOORS:
        kept = [good for conf, good in graded if conf >= floor]
        out.append({"floor": floor, "correct": sum(kept), "answered": len(kept),
                    "coverage": sum(kept) / max(n, 1),
                    "precision": sum(kept) / len(kept) if kept else None})
    return out


def rule_table(rows: list[dict], min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> dict:
    """Per registered rule (``optimus.offline.rules.ORDER`` names; ``formula`` for the
    grammar): the answered readings it read something of, and how many of them are correct.
    A reading counts once for each rule that fired on it (``OfflineResult.rules``)."""
    from optimus.offline import formulate_offline

    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        a = solve_offline(r["question"], min_confidence=min_confidence)
        if a.status == "abstained":
            continue
        good = a.status == "optimal" and correct(a.objective, r["answer"])
        for name in formulate_offline(r["question"]).rules or ("(no rule)",):
            table[name][0] += good
            table[name][1] += 1
    return {k: {"correct": v[0], "answered": v[1]} for k, v in sorted(table.items())}


def wrong_answers(rows: list[dict], min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[dict]:
    """The answers at or above ``min_confidence`` that disagree with the reference."""
    out = []
    for r in rows:
        a = solve_offline(r["question"], min_confidence=min_confidence)
        if a.status != "abstained" and not (a.status == "optimal" and correct(a.objective, r["answer"])):
            out.append({"id": r["id"], "confidence": a.confidence or 0.0,
                        "objective": a.objective if a.objective is not None else float("nan"),
                        "answer": r["answer"]})
    return out


def _rows(name: str, rows: list[dict] | None) -> list[dict]:
    if rows is not None:
        return rows
    path = Path(name) if Path(name).exists() else BENCH / name
    out = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in out if not r.get("meta", {}).get("answer_unknown") and r["answer"] is not None]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", default=["nl4opt_dev.jsonl", "mamo_easy_clean_sirl.jsonl"])
    ap.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    ap.add_argument("--phrasings", action="store_true",
                    help="also score our own plain-English problems (tests/offline_phrasings.py)")
    ap.add_argument("--curve", action="store_true",
                    help="also print coverage and precision per confidence floor")
    ap.add_argument("--rules", action="store_true",
                    help="precision of the answered readings per registered rule")
    ap.add_argument("--wrong", action="store_true",
                    help="list the wrong answers above the floor: id, confidence, ours, reference")
    args = ap.parse_args()
    jobs = [(name, None) for name in args.files]
    if args.phrasings:
        jobs.append(("offline_phrasings", phrasing_rows()))
    if args.wrong:
        for name, rows in jobs:
            print(f"{Path(name).name}: wrong answers at min confidence {args.min_confidence}")
            for w in wrong_answers(_rows(name, rows), args.min_confidence):
                print(f"  {w['id']}: confidence {w['confidence']:.2f}, "
                      f"ours {w['objective']:g}, reference {w['answer']:g}")
        return
    if args.rules:
        for name, rows in jobs:
            print(f"{Path(name).name}: precision per rule (answered readings using it)")
            for rule, v in rule_table(_rows(name, rows), args.min_confidence).items():
                n = v["answered"]
                print(f"  {rule:>20}: {v['correct']}/{n} correct ({v['correct'] / n:.0%})")
        return
    for name, rows in jobs:
        if rows is not None:
            s = score_rows(rows, name, args.min_confidence)
        else:
            path = Path(name) if Path(name).exists() else BENCH / name
            s = score_file(path, args.min_confidence)
        prec = "-" if s["precision"] is None else f"{s['precision']:.1%}"
        print(f"{s['file']}: scored {s['scored']}, accuracy {s['accuracy']:.1%}, "
              f"precision {prec} ({s['correct']}/{s['answered']}), "
              f"abstained {s['abstention']:.1%} "
              f"(min confidence {args.min_confidence}), {s['ms_per_problem']:.1f} ms/problem")
        print("  accuracy per confidence band (all problems, before the floor):")
        for band in ["[0.9,1]", "[0.7,0.9)", "[0.5,0.7)", "<0.5", "abstained"]:
            b = s["bands"].get(band, {"correct": 0, "n": 0})
            acc = f"{b['correct'] / b['n']:.0%}" if b["n"] else "-"
            print(f"  {band:>10}: {b['correct']}/{b['n']} correct ({acc})")
        if args.curve:
            print("  trade-off (min confidence: correct/answered, coverage, precision):")
            for c in s["curve"]:
                prec = "-" if c["precision"] is None else f"{c['precision']:.1%}"
                print(f"  {c['floor']:>10}: {c['correct']}/{c['answered']}, "
                      f"{c['coverage']:.1%}, {prec}")


if __name__ == "__main__":
    main()
