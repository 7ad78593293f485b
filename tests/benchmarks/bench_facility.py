"""Benchmark: uncapacitated facility location MILP, ours against raw highspy.

100 facilities x 100 customers (by default): 100 ``open`` binaries and 10,000 ``assign``
binaries, one assignment row per customer and one linking row ``assign[f, c] <= open[f]``
per pair (the strong formulation), random points in the unit square with a fixed seed,
a 60 s time limit. Each side runs in its own subprocess:

* ``ours``: a :class:`~optimus.formulation.Formulation` -> ``analyze`` -> ``build`` ->
  ``solve_lp`` (HiGHS through our backend, with ``time_limit``);
* ``raw``: the same matrix assembled with vectorized numpy, ``passModel`` on a ``HighsLp``
  with integrality, ``time_limit`` set, ``run``.

The two sides hand HiGHS the same model in a different row/column layout, so the branch
and bound may take different paths: the objectives must agree when both prove
optimality; under the time limit compare objective, bound and gap.

    /work/venv/bin/python tests/benchmarks/bench_facility.py [--facilities 100] [--customers 100] [--seed 1] [--time-limit 60]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np


def instance(nf: int, nc: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed opening costs and assignment costs (demand x distance)."""
    rng = np.random.default_rng(seed)
    fac = rng.uniform(0, 1, size=(nf, 2))
    cus = rng.uniform(0, 1, size=(nc, 2))
    demand = rng.integers(5, 50, size=nc)
    fixed = np.round(rng.uniform(50.0, 150.0, size=nf), 2)
    dist = np.sqrt(((fac[:, None, :] - cus[None, :, :]) ** 2).sum(axis=2))
    assign = np.round(dist * demand[None, :] * 10, 2)
    return fixed, assign


def formulation_data(fixed: np.ndarray, assign: np.ndarray) -> dict[str, Any]:
    nf, nc = assign.shape
    fs = [f"f{i}" for i in range(nf)]
    cs = [f"c{j}" for j in range(nc)]
    return {
        "name": f"ufl_{nf}x{nc}",
        "sets": [{"name": "F", "elements": fs}, {"name": "C", "elements": cs}],
        "parameters": [
            {"name": "fixed", "index": ["F"],
             "values": [{"index": [f], "value": float(v)} for f, v in zip(fs, fixed)]},
            {"name": "cost", "index": ["F", "C"],
             "values": [{"index": [fs[i], cs[j]], "value": float(assign[i, j])}
                        for i in range(nf) for j in range(nc)]},
        ],
        "variables": [{"name": "open", "index": ["F"], "domain": "binary"},
                      {"name": "assign", "index": ["F", "C"], "domain": "binary"}],
        "constraints": [
            {"name": "serve", "forall": "c in C", "expression": "sum(assign[f, c] for f in F) == 1"},
            {"name": "link", "forall": "f in F, c in C", "expression": "assign[f, c] <= open[f]"},
        ],
        "objective": {"sense": "minimize",
                      "expression": "sum(fixed[f] * open[f] for f in F) + "
                                    "sum(cost[f, c] * assign[f, c] for f in F for c in C)"},
    }


def run_ours(nf: int, nc: int, seed: int, time_limit: float) -> dict[str, Any]:
    from optimus.build import build
    from optimus.checks import analyze
    from optimus.formulation import formulation_from_data
    from optimus.pipeline import solve_program as solve_lp
    from optimus.solvers import SolverOptions, get_backend

    get_backend("highs")  # import highspy before timing, as the raw side does
    fixed, assign = instance(nf, nc, seed)
    raw = formulation_data(fixed, assign)
    t0 = time.perf_counter()
    f = formulation_from_data(raw, source="bench")
    a = analyze(f)
    assert not a.issues, a.issues
    lp = build(f, a)
    t_compiled = time.perf_counter() - t0
    result = solve_lp(lp, options=SolverOptions(time_limit=time_limit))
    t_total = time.perf_counter() - t0
    solve = result.timings.solve
    return {"side": "ours", "status": result.status, "objective": result.objective,
            "bound": result.bound, "gap": result.gap, "build": t_total - solve,
            "compile": t_compiled, "solve": solve, "total": t_total,
            "binaries": int(lp.integrality.sum()), "rows": lp.num_rows,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_raw(nf: int, nc: int, seed: int, time_limit: float) -> dict[str, Any]:
    import highspy

    from optimus.solvers.highs import new_highs  # only to keep the banner off stdout

    fixed, assign = instance(nf, nc, seed)
    h = new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    t0 = time.perf_counter()
    n_pairs = nf * nc
    num_col = nf + n_pairs  # open[f] = f, assign[f, c] = nf + f * nc + c
    num_row = nc + n_pairs  # serve[c] = c, link[f, c] = nc + f * nc + c
    pair = np.arange(n_pairs)
    f_of, c_of = pair // nc, pair % nc
    # rowwise CSR: serve rows list assign[f, c] for every f; link rows hold assign, -open
    serve_idx = (nf + f_of.reshape(nf, nc).T * nc + np.arange(nc)[:, None]).ravel()
    link_idx = np.stack([nf + pair, f_of], axis=1).ravel()
    m = highspy.HighsLp()
    m.num_col_, m.num_row_ = num_col, num_row
    m.col_cost_ = np.concatenate([fixed, assign.ravel()])
    m.col_lower_ = np.zeros(num_col)
    m.col_upper_ = np.ones(num_col)
    m.row_lower_ = np.concatenate([np.ones(nc), np.full(n_pairs, -highspy.kHighsInf)])
    m.row_upper_ = np.concatenate([np.ones(nc), np.zeros(n_pairs)])
    m.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    m.a_matrix_.num_col_, m.a_matrix_.num_row_ = num_col, num_row
    m.a_matrix_.start_ = np.concatenate([np.arange(0, nc * nf + 1, nf),
                                         nc * nf + 2 + np.arange(0, 2 * n_pairs, 2)]
                                        ).astype(np.int32)
    m.a_matrix_.index_ = np.concatenate([serve_idx, link_idx]).astype(np.int32)
    m.a_matrix_.value_ = np.concatenate([np.ones(nc * nf),
                                         np.tile([1.0, -1.0], n_pairs)])
    m.integrality_ = np.full(num_col, highspy.HighsVarType.kInteger)
    h.passModel(m)
    t_build = time.perf_counter() - t0
    t1 = time.perf_counter()
    h.run()
    solve = time.perf_counter() - t1
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value)
    t_total = time.perf_counter() - t0
    assert len(x) == num_col
    bound, gap = float(info.mip_dual_bound), float(info.mip_gap)
    return {"side": "raw", "status": h.modelStatusToString(h.getModelStatus()),
            "objective": float(info.objective_function_value),
            "bound": bound if math.isfinite(bound) else None,
            "gap": gap if math.isfinite(gap) else None, "build": t_build, "compile": t_build,
            "solve": solve, "total": t_total, "binaries": num_col, "rows": num_row,
            "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(side: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--side", side, "--facilities", str(args.facilities),
           "--customers", str(args.customers), "--seed", str(args.seed),
           "--time-limit", str(args.time_limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{side} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facilities", type=int, default=100)
    ap.add_argument("--customers", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--side", choices=("ours", "raw"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.side:
        run = run_ours if args.side == "ours" else run_raw
        print(json.dumps(run(args.facilities, args.customers, args.seed, args.time_limit)))
        return 0

    nb = args.facilities * (args.customers + 1)
    print(f"uncapacitated facility location: {args.facilities} facilities x {args.customers} "
          f"customers ({nb:,} binaries), seed {args.seed}, time limit {args.time_limit:g} s; "
          f"each side in its own subprocess")
    raw = child("raw", args)
    ours = child("ours", args)
    print(f"{'':6}{'build s':>9}{'solve s':>9}{'total s':>9}{'RSS MB':>8}  {'status':<22}"
          f"{'objective':>14}{'bound':>14}{'gap':>10}")
    for r in (ours, raw):
        print(f"{r['side']:6}{r['build']:9.3f}{r['solve']:9.3f}{r['total']:9.3f}"
              f"{r['max_rss_mb']:8.1f}  {r['status']:<22}{_fmt(r['objective'], '14.4f')}"
              f"{_fmt(r['bound'], '14.4f')}{_fmt(r['gap'], '10.2e')}")
    print(f"build-time ratio (ours / raw): {ours['build'] / raw['build']:.1f}x "
          f"(ours {ours['build']:.3f} s: validate + check + compile {ours['compile']:.3f} s, "
          f"then passModel and the Result)")
    print(f"total-time ratio (ours / raw): {ours['total'] / raw['total']:.2f}x")
    both_optimal = ours["status"] == "optimal" and raw["status"] == "Optimal"
    if both_optimal:
        tol = 1e-4 * max(1.0, abs(raw["objective"]))  # HiGHS's default relative MIP gap
        agree = abs(ours["objective"] - raw["objective"]) <= tol
        print(f"both optimal; objectives agree within the MIP gap: {agree}")
        return 0 if agree else 1
    print("at least one side stopped at the time limit: compare the bounds and gaps above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
