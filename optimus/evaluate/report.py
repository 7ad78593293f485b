"""Reports of an evaluation run: ``summary.json``, ``report.md`` and ``categories.png``.

Accuracy is ``correct / scored``: rows whose reference is unknown (``meta.answer_unknown``)
are left out of the denominator, and matches of ``meta.alt_answers`` are counted as
correct and reported in their own column. Every report names the rule, its tolerance and
the benchmark file.

Example::

    >>> s = summarize([{"id": "a", "correct": True, "category": "correct",
    ...                 "usage": {"calls": 1}, "latency": 0.5}], {"rule": "relative"})
    >>> s["accuracy"], s["scored"]
    (1.0, 1)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from optimus.evaluate.categories import CATEGORIES, label
from optimus.evaluate.runner import RESULTS, ResultsLog, read_run_info
from optimus.evaluate.scoring import TOLERANCE_TEXT

SUMMARY = "summary.json"
_PER_PROBLEM_ROWS = 500
REPORT = "report.md"
CHART = "categories.png"


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation; None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _stats(values: list[float]) -> dict[str, float | None]:
    total = float(sum(values))
    return {"total": total, "mean": total / len(values) if values else None}


def summarize(records: list[dict[str, Any]], info: dict[str, Any] | None = None) -> dict[str, Any]:
    """The figures of a run, as a JSON-ready dict."""
    info = info or {}
    rule = info.get("rule", "relative")
    scored = [r for r in records if r.get("correct") is not None]
    correct = [r for r in scored if r.get("correct")]
    alt = [r for r in correct if r.get("alt_match")]
    categories = {c: 0 for c in CATEGORIES}
    for r in records:
        c = r.get("category") or "error"
        categories[c] = categories.get(c, 0) + 1
    usage = [r.get("usage") or {} for r in records]
    cost = None
    if info.get("price_in") is not None or info.get("price_out") is not None:
        costs = [record_cost(u, info) for u in usage]
        cost = {"total": sum(costs), "mean": sum(costs) / len(costs) if costs else None,
                "price_in": float(info.get("price_in") or 0.0),
                "price_out": float(info.get("price_out") or 0.0)}
    latencies = [float(r.get("latency") or 0.0) for r in records]
    lat = {f"p{q}": percentile(latencies, q) for q in (50, 90, 99)}
    lat["max"] = max(latencies) if latencies else None
    lat["mean"] = sum(latencies) / len(latencies) if latencies else None
    return {
        "file": info.get("file"),
        "model": info.get("model"),
        "rule": rule,
        "tolerance": TOLERANCE_TEXT.get(rule, rule),
        "problems_in_selection": info.get("problems", len(records)),
        "done": len(records),
        "scored": len(scored),
        "excluded_unknown": sum(1 for r in records if r.get("correct") is None
                                and r.get("answer_unknown")),
        "correct": len(correct),
        "correct_via_alt_answers": len(alt),
        "accuracy": len(correct) / len(scored) if scored else None,
        "accuracy_without_alt_answers": ((len(correct) - len(alt)) / len(scored)
                                         if scored else None),
        "categories": {k: v for k, v in categories.items() if v or k in CATEGORIES[:8]},
        "errors": sum(1 for r in records if r.get("error")),
        "usage": {
            "calls": _stats([float(u.get("calls", 0)) for u in usage]),
            "input_tokens": _stats([float(u.get("input_tokens", 0)) for u in usage]),
            "output_tokens": _stats([float(u.get("output_tokens", 0)) for u in usage]),
        },
        "cost_usd": cost,
        "latency_seconds": lat,
        "started": info.get("started"),
        "finished": info.get("finished"),
        "concurrency": info.get("concurrency"),
    }


def record_cost(usage: dict[str, Any], info: dict[str, Any]) -> float:
    """USD for one record's tokens at ``info``'s prices (USD per million tokens)."""
    return (float(usage.get("input_tokens", 0)) * float(info.get("price_in") or 0.0)
            + float(usage.get("output_tokens", 0)) * float(info.get("price_out") or 0.0)) / 1e6


def _fmt(x: Any, digits: int = 2) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def render_markdown(summary: dict[str, Any], records: list[dict[str, Any]],
                    chart: str | None = CHART) -> str:
    """report.md: accuracy (rule, tolerance, file, denominator), categories, cost, latency."""
    s = summary
    lines = [f"# Evaluation: {Path(s['file']).name if s.get('file') else 'run'}", ""]
    lines += [f"- File: `{s.get('file')}`",
              f"- Model: `{s.get('model') or '-'}`",
              f"- Rule: `{s['rule']}`: {s['tolerance']}. A null reference is matched by "
              "infeasible, unbounded or infeasible_or_unbounded.",
              f"- Problems: {s['done']} done of {s['problems_in_selection']} selected; "
              f"{s['scored']} scored, {s['excluded_unknown']} left out because "
              "`meta.answer_unknown` is set.", ""]
    lines += [f"**Accuracy: {_pct(s['accuracy'])}** ({s['correct']} correct of {s['scored']} "
              f"scored rows; denominator = scored rows, excluding {s['excluded_unknown']} "
              "rows with unknown answers).", ""]
    lines += ["| rule | scored | correct | of which via alt_answers | accuracy | "
              "accuracy without alt_answers |",
              "|---|---:|---:|---:|---:|---:|",
              f"| {s['rule']} | {s['scored']} | {s['correct']} | "
              f"{s['correct_via_alt_answers']} | {_pct(s['accuracy'])} | "
              f"{_pct(s['accuracy_without_alt_answers'])} |", ""]
    lines += ["## Outcomes by category", "", "| category | count | share |", "|---|---:|---:|"]
    n = max(s["done"], 1)
    for cat, count in s["categories"].items():
        lines.append(f"| {label(cat)} | {count} | {100 * count / n:.1f}% |")
    lines.append("")
    if chart:
        lines += [f"![categories]({chart})", ""]
    u = s["usage"]
    lines += ["## Cost", "", "| per problem | mean | total |", "|---|---:|---:|"]
    for key, name in (("calls", "model calls"), ("input_tokens", "input tokens"),
                      ("output_tokens", "output tokens")):
        lines.append(f"| {name} | {_fmt(u[key]['mean'])} | {_fmt(u[key]['total'], 0)} |")
    cost = s.get("cost_usd")
    if cost:
        lines.append(f"| cost (USD) | {_fmt(cost['mean'], 4)} | {_fmt(cost['total'], 4)} |")
        lines += ["", f"Prices: ${cost['price_in']:g} per million input tokens, "
                      f"${cost['price_out']:g} per million output tokens."]
    if records and any((r.get("usage") or {}).get("calls") for r in records):
        lines += ["", "### Per problem", "",
                  "| id | calls | input tokens | output tokens |" + (" cost (USD) |" if cost else ""),
                  "|---|---:|---:|---:|" + ("---:|" if cost else "")]
        for r in records[:_PER_PROBLEM_ROWS]:
            ru = r.get("usage") or {}
            rid = str(r["id"]).replace("|", "\\|").replace("\n", " ")
            row = (f"| {rid} | {ru.get('calls', 0)} | {ru.get('input_tokens', 0)} | "
                   f"{ru.get('output_tokens', 0)} |")
            if cost:
                row += f" {_fmt(record_cost(ru, cost), 4)} |"
            lines.append(row)
        if len(records) > _PER_PROBLEM_ROWS:
            lines.append(f"\n({len(records) - _PER_PROBLEM_ROWS} more in results.jsonl)")
    lat = s["latency_seconds"]
    lines += ["", "## Latency (seconds per problem)", "", "| p50 | p90 | p99 | max |",
              "|---:|---:|---:|---:|",
              f"| {_fmt(lat['p50'])} | {_fmt(lat['p90'])} | {_fmt(lat['p99'])} | "
              f"{_fmt(lat['max'])} |", ""]
    failures = [r for r in records if r.get("category") not in ("correct", "unscored")]
    if failures:
        lines += ["## Problems not solved correctly", "",
                  "| id | category | status | objective | expected | note |",
                  "|---|---|---|---:|---:|---|"]
        for r in failures[:200]:
            note = (r.get("error") or r.get("message") or "").replace("|", "\\|")
            note = note.replace("\n", " ")[:100]
            rid = str(r["id"]).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {rid} | {label(r.get('category', ''))} | {r.get('status')} | "
                         f"{_fmt(r.get('objective'), 4)} | {_fmt(r.get('expected'), 4)} | "
                         f"{note} |")
        if len(failures) > 200:
            lines.append(f"\n({len(failures) - 200} more in results.jsonl)")
        lines.append("")
    return "\n".join(lines)


def plot_categories(summary: dict[str, Any], path: str | Path) -> Path:
    """A bar chart of the category counts (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cats = list(summary["categories"].items())
    names = [label(c) for c, _ in cats]
    counts = [n for _, n in cats]
    colors = ["#2e7d32" if c == "correct" else "#c62828" for c, _ in cats]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(cats) + 1.5))
    ax.barh(names[::-1], counts[::-1], color=colors[::-1])
    for i, v in enumerate(counts[::-1]):
        ax.text(v, i, f" {v}", va="center")
    title = f"{Path(summary['file']).name if summary.get('file') else 'run'}: " \
            f"accuracy {_pct(summary['accuracy'])} ({summary['rule']} rule)"
    ax.set_title(title)
    ax.set_xlabel("problems")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def load_records(out_dir: str | Path) -> list[dict[str, Any]]:
    """The complete records of ``DIR/results.jsonl``."""
    return ResultsLog(Path(out_dir) / RESULTS).read()


def write_report(out_dir: str | Path, records: list[dict[str, Any]] | None = None,
                 info: dict[str, Any] | None = None, *, inputs: Any = None) -> dict[str, Any]:
    """Write summary.json, report.md and categories.png into ``out_dir`` through the
    guarded writer (never over ``inputs``); return the summary."""
    from optimus.output import write_output

    out = Path(out_dir)
    records = load_records(out) if records is None else records
    info = read_run_info(out) if info is None else info
    summary = summarize(records, info)
    write_output(out / SUMMARY, json.dumps(summary, indent=2), inputs=inputs)
    chart: str | None = CHART
    try:
        write_output(out / CHART, lambda tmp: plot_categories(summary, tmp), inputs=inputs)
    except Exception:  # noqa: BLE001 - a report without its chart is still a report
        chart = None
    write_output(out / REPORT, render_markdown(summary, records, chart), inputs=inputs)
    return summary
