"""Benchmark: a 300 x 300 transportation LP (90,000 variables), ours against raw highspy.

Both sides solve the same instance (random data, fixed seed), each in its own subprocess
so that peak memory (``ru_maxrss``) is measured per side:

* ``ours``: a JSON model file, as a user gives it to ``optimus run`` (sets, parameters
  as ``{index, value}`` records or read from a CSV data file, variables, constraints
  with ``forall`` and ``sum``) -> ``load_formulation`` (read, parse, validate; with
  ``--start dict`` it validates the already parsed dict instead) -> ``analyze`` -> ``build`` ->
  ``solve_lp`` (a full ``Result``; its 90,000 ``{name, index, value}`` records are kept
  as the column keys plus the values and built as ``VariableValue`` models on first
  access, so the time to serialize the Result and to read every record is printed
  separately, after the totals);
* ``raw``: the constraint matrix assembled with vectorized numpy and handed to highspy
  with ``passModel`` on a ``HighsLp``.

Times: ``build`` is everything before HiGHS's ``run`` (for ours: loading the model file
and its data file, checking, compiling; for raw: numpy assembly; both: passing the model to
HiGHS), ``solve`` is ``run``, ``total`` is wall time until the solution values are in
hand (for ours: the ``Result``), ``CPU`` the process CPU time over the same span (steadier
than wall time on a busy machine). Generating the random data, writing the files and
importing modules are not timed. Each side runs ``--repeat`` times, alternating, and the run with the median
total is shown.

    /work/venv/bin/python tests/benchmarks/bench_transport.py [--n 300] [--seed 7] \
        [--data inline|csv] [--start file|dict] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

TARGET_RATIO = 2.0


def instance(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Supplies, demands (total supply 10% above total demand) and a cost matrix."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(10, 100, size=n).astype(float)
    supply = rng.integers(10, 100, size=n).astype(float)
    supply *= 1.1 * demand.sum() / supply.sum()
    cost = np.round(rng.uniform(1.0, 100.0, size=(n, n)), 2)
    return supply, demand, cost


# --------------------------------------------------------------------------- ours
def formulation_data(supply: np.ndarray, demand: np.ndarray, cost: np.ndarray,
                     data: str, workdir: Path) -> dict[str, Any]:
    """The model as a Formulation dict (what a language model or a YAML file holds)."""
    n = len(supply)
    src = [f"s{i}" for i in range(n)]
    dst = [f"d{j}" for j in range(n)]
    if data == "csv":
        with (workdir / "cost.csv").open("w", encoding="utf-8") as fh:
            fh.write("S,D,cost\n")
            for i in range(n):
                fh.writelines(f"{src[i]},{dst[j]},{float(cost[i, j])!r}\n" for j in range(n))
        cost_param: dict[str, Any] = {"name": "cost", "index": ["S", "D"],
                                      "data": {"path": "cost.csv", "column": "cost"}}
    else:
        cost_param = {"name": "cost", "index": ["S", "D"],
                      "values": [{"index": [src[i], dst[j]], "value": float(cost[i, j])}
                                 for i in range(n) for j in range(n)]}
    return {
        "name": f"transport_{n}x{n}",
        "sets": [{"name": "S", "elements": src}, {"name": "D", "elements": dst}],
        "parameters": [
            {"name": "supply", "index": ["S"],
             "values": [{"index": [s], "value": float(v)} for s, v in zip(src, supply)]},
            {"name": "demand", "index": ["D"],
             "values": [{"index": [d], "value": float(v)} for d, v in zip(dst, demand)]},
            cost_param,
        ],
        "variables": [{"name": "x", "index": ["S", "D"]}],
        "constraints": [
            {"name": "supply_limit", "forall": "i in S",
             "expression": "sum(x[i, j] for j in D) <= supply[i]"},
            {"name": "meet_demand", "forall": "j in D",
             "expression": "sum(x[i, j] for i in S) >= demand[j]"},
        ],
        "objective": {"sense": "minimize",
                      "expression": "sum(cost[i, j] * x[i, j] for i in S for j in D)"},
    }


def run_ours(n: int, seed: int, data: str, start: str) -> dict[str, Any]:
    from optimus.build import build
    from optimus.checks import analyze
    from optimus.formulation import formulation_from_data, load_formulation
    from optimus.pipeline import solve_program as solve_lp
    from optimus.solvers import get_backend

    get_backend("highs")  # import highspy before timing, as the raw side does

    supply, demand, cost = instance(n, seed)
    with tempfile.TemporaryDirectory() as tmp:
        raw: dict[str, Any] | None = formulation_data(supply, demand, cost, data, Path(tmp))
        model_file = Path(tmp) / "transport.json"
        if start == "file":  # the process then holds no copy of the model, as `optimus run`
            model_file.write_text(json.dumps(raw), encoding="utf-8")
            raw = None
        gc.collect()  # both sides start timing from a collected heap
        c0 = time.process_time()
        t0 = time.perf_counter()
        if start == "file":  # what `optimus run transport.json` does first
            f = load_formulation(model_file)
        else:
            f = formulation_from_data(raw, source="bench").with_base_dir(tmp)
        t_validate = time.perf_counter() - t0
        a = analyze(f)
        assert not a.issues, a.issues
        t_check = time.perf_counter() - t0 - t_validate
        lp = build(f, a)
        t_compile = time.perf_counter() - t0
        result = solve_lp(lp)
        t_total = time.perf_counter() - t0
        cpu = time.process_time() - c0
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result.status == "optimal", result.status
    assert len(result.variables) == n * n
    # not in the totals: what a caller pays later to read the solution as records
    t1 = time.perf_counter()
    json_dict = result.to_json_dict()
    t_json = time.perf_counter() - t1
    t1 = time.perf_counter()
    records = [v.value for v in result.variables]
    t_records = time.perf_counter() - t1
    assert len(json_dict["variables"]) == len(records) == n * n
    solve = result.timings.solve
    return {"side": "ours", "objective": result.objective, "status": result.status,
            "build": t_total - solve, "solve": solve, "total": t_total, "cpu": cpu,
            "detail": {"validate": t_validate, "check": t_check,
                       "compile": t_compile - t_validate - t_check,
                       "pass_model_and_result": t_total - t_compile - solve,
                       "to_json_dict": t_json, "records": t_records},
            "rows": lp.num_rows, "cols": lp.num_cols, "nnz": int(len(lp.a_value)),
            "max_rss_mb": max_rss_mb,
            "max_rss_mb_after_records": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --------------------------------------------------------------------------- raw highspy
def run_raw(n: int, seed: int) -> dict[str, Any]:
    import highspy

    from optimus.solvers.highs import new_highs  # only to keep the banner off stdout

    supply, demand, cost = instance(n, seed)
    h = new_highs()
    gc.collect()  # both sides start timing from a collected heap
    c0 = time.process_time()
    t0 = time.perf_counter()
    num_col, num_row = n * n, 2 * n
    cols = np.arange(num_col)
    i_of, j_of = cols // n, cols % n  # column k = x[i, j] with k = i * n + j
    m = highspy.HighsLp()
    m.num_col_, m.num_row_ = num_col, num_row
    m.col_cost_ = cost.ravel()
    m.col_lower_ = np.zeros(num_col)
    m.col_upper_ = np.full(num_col, highspy.kHighsInf)
    m.row_lower_ = np.concatenate([np.full(n, -highspy.kHighsInf), demand])
    m.row_upper_ = np.concatenate([supply, np.full(n, highspy.kHighsInf)])
    m.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    m.a_matrix_.num_col_, m.a_matrix_.num_row_ = num_col, num_row
    m.a_matrix_.start_ = np.arange(0, 2 * num_col + 1, 2, dtype=np.int32)
    m.a_matrix_.index_ = np.stack([i_of, n + j_of], axis=1).ravel().astype(np.int32)
    m.a_matrix_.value_ = np.ones(2 * num_col)
    h.passModel(m)
    t_build = time.perf_counter() - t0
    t1 = time.perf_counter()
    h.run()
    solve = time.perf_counter() - t1
    status = h.modelStatusToString(h.getModelStatus())
    x = np.asarray(h.getSolution().col_value)
    objective = float(h.getInfo().objective_function_value)
    t_total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    assert len(x) == num_col
    return {"side": "raw", "objective": objective, "status": status, "build": t_build,
            "solve": solve, "total": t_total, "cpu": cpu,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


# --------------------------------------------------------------------------- driver
def child(side: str, n: int, seed: int, data: str, start: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--side", side, "--n", str(n), "--seed", str(seed),
           "--data", data, "--start", start]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{side} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median total time, with every run's total under ``totals``."""
    ordered = sorted(runs, key=lambda r: r["total"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["totals"] = [round(r["total"], 3) for r in runs]
    return chosen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="sources = destinations (300)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", choices=("inline", "csv"), default="inline",
                    help="cost table as inline {index, value} records or a CSV data file")
    ap.add_argument("--start", choices=("file", "dict"), default="file",
                    help="ours starts from the JSON model file (read, parse, validate: as "
                    "`optimus run` does) or from the already parsed dict (file)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="processes per side; the run with the median total is shown (3)")
    ap.add_argument("--side", choices=("ours", "raw"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.side:
        out = run_ours(args.n, args.seed, args.data, args.start) if args.side == "ours" \
            else run_raw(args.n, args.seed)
        print(json.dumps(out))
        return 0

    print(f"transportation LP {args.n} x {args.n} ({args.n * args.n:,} variables, "
          f"{2 * args.n} rows), seed {args.seed}, cost data {args.data}, ours from the model "
          f"{'file' if args.start == 'file' else 'dict'}; each side in its own "
          f"subprocess, median of {args.repeat} run(s) per side")
    runs: dict[str, list[dict[str, Any]]] = {"raw": [], "ours": []}
    for _ in range(args.repeat):  # alternate the sides: background load hits both alike
        for side in ("raw", "ours"):
            runs[side].append(child(side, args.n, args.seed, args.data, args.start))
    raw, ours = (median(runs["raw"]), median(runs["ours"]))
    print(f"{'':8}{'build s':>10}{'solve s':>10}{'total s':>10}{'CPU s':>10}{'peak RSS MB':>13}"
          f"  objective")
    for r in (ours, raw):
        print(f"{r['side']:8}{r['build']:10.3f}{r['solve']:10.3f}{r['total']:10.3f}"
              f"{r['cpu']:10.3f}{r['max_rss_mb']:13.1f}  {r['objective']:.6f}")
    ratio = {k: ours[k] / raw[k] if raw[k] else float("inf")
             for k in ("build", "solve", "total", "cpu")}
    print(f"{'ratio':8}{ratio['build']:10.2f}{ratio['solve']:10.2f}{ratio['total']:10.2f}"
          f"{ratio['cpu']:10.2f}{ours['max_rss_mb'] / raw['max_rss_mb']:13.2f}  (ours / raw)")
    d = ours["detail"]
    what = "read + parse + validate the model file" if args.start == "file" else "validate"
    print(f"ours, build in detail: {what} {d['validate']:.3f} s, check {d['check']:.3f} s, "
          f"compile {d['compile']:.3f} s, passModel + Result {d['pass_model_and_result']:.3f} s")
    print(f"ours, after the total (not in it): Result.to_json_dict() {d['to_json_dict']:.3f} s, "
          f"then reading all {ours['cols']:,} VariableValue records {d['records']:.3f} s "
          f"(peak RSS then {ours['max_rss_mb_after_records']:.1f} MB)")
    agree = abs(ours["objective"] - raw["objective"]) <= 1e-6 * max(1.0, abs(raw["objective"]))
    print(f"all totals (s): ours {ours['totals']}, raw {raw['totals']}")
    print(f"objectives agree: {agree}")
    ok = ratio["total"] <= TARGET_RATIO
    print(f"target: ours total within {TARGET_RATIO:g}x of raw highspy: "
          f"{'MET' if ok else 'MISSED'} ({ratio['total']:.2f}x)")
    return 0 if agree and ok else 1


if __name__ == "__main__":
    sys.exit(main())
