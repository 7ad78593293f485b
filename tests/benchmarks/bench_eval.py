"""Benchmark: `optimus eval` over 100 problems with a fake model that waits 1 s per call.

The real pipeline runs for every problem (agent loop or solve_fn -> check -> build ->
HiGHS -> diagnose -> results.jsonl, artifacts, reports); only the language model is fake:
a scripted chat model that reads the numbers from the text, sleeps 1 s and answers with a
small production LP. The references are computed independently (vertex enumeration in
plain Python). Target: 100 problems at --concurrency 16 in under 15 s.

    /work/venv/bin/python tests/benchmarks/bench_eval.py [--problems 100] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TEMPLATE = ("A workshop makes chairs and tables. Each chair earns ${a} and each table earns "
            "${b}. A chair needs {c} hours of labour and a table needs {d} hours; {H} hours "
            "are available. A chair uses {e} units of wood and a table uses {f} units; {W} "
            "units are in stock. How many chairs and tables maximize profit?")


def make_problem(i: int) -> dict[str, Any]:
    """Problem i: varying coefficients, reference by vertex enumeration."""
    a, b = 20 + i % 17, 35 + (3 * i) % 23
    c, d = 2 + i % 5, 5 + i % 7
    e, f = 3 + (2 * i) % 5, 2 + i % 4
    H, W = 200 + 10 * (i % 13), 180 + 7 * (i % 11)
    text = TEMPLATE.format(a=a, b=b, c=c, d=d, e=e, f=f, H=H, W=W)
    return {"id": f"bench-{i:03d}", "question": text, "answer": _lp_optimum(a, b, c, d, e, f, H, W),
            "meta": {}}


def _lp_optimum(a, b, c, d, e, f, H, W) -> float:  # type: ignore[no-untyped-def]
    lines = [(c, d, H), (e, f, W), (1, 0, 0), (0, 1, 0)]  # p*x + q*y = r
    best = 0.0
    for (p1, q1, r1), (p2, q2, r2) in itertools.combinations(lines, 2):
        det = p1 * q2 - p2 * q1
        if det == 0:
            continue
        x, y = (r1 * q2 - r2 * q1) / det, (p1 * r2 - p2 * r1) / det
        if x >= -1e-9 and y >= -1e-9 and c * x + d * y <= H + 1e-9 and e * x + f * y <= W + 1e-9:
            best = max(best, a * x + b * y)
    return round(best, 6)


def formulation_from_text(text: str) -> dict[str, Any]:
    """What the fake model "writes": the production LP with the text's numbers."""
    a, b, c, d, H, e, f, W = (float(x) for x in re.findall(r"\d+(?:\.\d+)?", text))
    return {
        "name": "workshop",
        "sets": [{"name": "Products", "elements": ["chairs", "tables"]}],
        "parameters": [
            {"name": "profit", "index": ["Products"], "values": [
                {"index": ["chairs"], "value": a}, {"index": ["tables"], "value": b}]},
            {"name": "hours", "index": ["Products"], "values": [
                {"index": ["chairs"], "value": c}, {"index": ["tables"], "value": d}]},
            {"name": "wood", "index": ["Products"], "values": [
                {"index": ["chairs"], "value": e}, {"index": ["tables"], "value": f}]},
            {"name": "labour_available", "value": H},
            {"name": "wood_in_stock", "value": W},
        ],
        "variables": [{"name": "make", "index": ["Products"], "domain": "continuous"}],
        "constraints": [
            {"name": "labour", "expression":
             "sum(hours[p] * make[p] for p in Products) <= labour_available"},
            {"name": "wood_stock", "expression":
             "sum(wood[p] * make[p] for p in Products) <= wood_in_stock"},
        ],
        "objective": {"sense": "maximize",
                      "expression": "sum(profit[p] * make[p] for p in Products)"},
    }


def make_fake_solver(delay: float):  # type: ignore[no-untyped-def]
    """solve_fn(text) through the agent with a scripted 1-s model, else a plain fallback."""
    try:
        from optimus.api import solve
        from optimus.testing import ScriptedChatModel
    except ImportError:
        from optimus.answer import Answer, Usage
        from optimus.formulation import Formulation
        from optimus.pipeline import solve_formulation

        def fallback(text: str) -> Any:
            time.sleep(delay)  # the "model call"
            f = Formulation.model_validate(formulation_from_text(text))
            return Answer.from_result(solve_formulation(f), formulation=f,
                                      usage=Usage(calls=1), formulator="fake")

        return fallback, "fallback solve_fn (sleep + solve_formulation)"

    def agent(text: str) -> Any:
        model = ScriptedChatModel(responses=[formulation_from_text(text)], delay=delay)
        return solve(text, chat_model=model)

    return agent, "optimus.api.solve + ScriptedChatModel"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--budget", type=float, default=15.0)
    args = ap.parse_args(argv)

    import optimus.commands.eval as eval_cmd
    from optimus.cli import main as cli_main

    solve_fn, how = make_fake_solver(args.delay)
    eval_cmd.make_solve_fn = lambda *a, **k: (solve_fn, "scripted")  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        bench = Path(tmp) / "bench.jsonl"
        bench.write_text("".join(json.dumps(make_problem(i)) + "\n"
                                 for i in range(args.problems)))
        out = Path(tmp) / "run"
        t0 = time.perf_counter()
        code = cli_main(["eval", str(bench), "--model", "scripted", "--out", str(out),
                         "--concurrency", str(args.concurrency), "--no-progress"])
        wall = time.perf_counter() - t0
        summary = json.loads((out / "summary.json").read_text()) if code == 0 else {}
        lines = (out / "results.jsonl").read_text().splitlines() if code == 0 else []
    serial = args.problems * args.delay
    print(f"solver: {how}")
    print(f"{args.problems} problems, concurrency {args.concurrency}, {args.delay:g} s per "
          f"model call: wall {wall:.2f} s (serial model time alone {serial:.0f} s, "
          f"speed-up {serial / wall:.1f}x); results.jsonl lines {len(lines)}")
    if summary:
        print(f"accuracy {summary['correct']}/{summary['scored']} "
              f"({100 * (summary['accuracy'] or 0):.1f}%), calls {summary['usage']['calls']['total']:.0f}, "
              f"latency p50 {summary['latency_seconds']['p50']:.2f} s, "
              f"p99 {summary['latency_seconds']['p99']:.2f} s")
    ok = code == 0 and wall < args.budget and len(lines) == args.problems
    print(("PASS" if ok else "FAIL") + f": under {args.budget:g} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
