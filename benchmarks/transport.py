#!/usr/bin/env python3
"""Transportation LPs from the same CSV files, side by side: optimus, linopy, Pyomo, PuLP, raw highspy.

Each side reads supply.csv, demand.csv and cost.csv (a long table plant,market,cost),
builds the LP, solves it with HiGHS and has the solution values in hand; the time runs
from the first read to the values (imports excluded). Each run is a fresh subprocess, the
sides alternate, and the median of ``--repeat`` runs is reported with the largest peak
resident memory (``ru_maxrss``) of the child. Where a side exposes the HiGHS run time
(optimus, linopy, raw), the table also gives the total less that run: the time the
modelling layer adds, which the solve's own noise does not blur. optimus runs from a model file whose sets
and parameters are all read from the data files (``data: {path, column,
index_columns}``), through its public API (``load_formulation`` + ``solve_formulation``).

Peers come from the ``bench`` extra (``pip install -e ".[bench]"``: linopy; Pyomo and PuLP
are dependencies of optimus). Usage::

    python benchmarks/transport.py --sizes 300,600,1000 --repeat 3
    python benchmarks/transport.py --sizes 300 --sides optimus,raw --markdown

A script, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

PRE = "import time, sys, json, resource\nW = sys.argv[1]\nrun = None\n"
POST = ("\nprint(json.dumps({'t': t1 - t0, 'obj': float(obj), 'run': run, "
        "'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n")

SIDES = {
    "optimus": """
from optimus.formulation import load_formulation
from optimus.pipeline import solve_formulation
import highspy, pandas, optimus.checks, optimus.build, optimus.datafiles  # imports outside the timing
t0 = time.perf_counter()
r = solve_formulation(load_formulation(W + '/transport.yaml'))
vals = r.variables  # the solution in hand (lazy records)
obj = r.objective
t1 = time.perf_counter()
run = r.timings.solve  # the HiGHS run
assert r.status == 'optimal', r.status
""",
    "linopy": """
import pandas as pd, linopy, highspy
t0 = time.perf_counter()
sup = pd.read_csv(W + '/supply.csv', index_col='plant')['supply']
dem = pd.read_csv(W + '/demand.csv', index_col='market')['demand']
c = pd.read_csv(W + '/cost.csv', index_col=['plant', 'market'])['cost'].to_xarray()
m = linopy.Model()
x = m.add_variables(lower=0, coords=[sup.index, dem.index], name='x')
m.add_constraints(x.sum('market') <= sup.to_xarray(), name='supply_limit')
m.add_constraints(x.sum('plant') >= dem.to_xarray(), name='meet_demand')
m.add_objective((c * x).sum())
m.solve(solver_name='highs', io_api='direct', output_flag=False)
obj = m.objective.value; vals = x.solution.values
t1 = time.perf_counter()
run = m.solver_model.getRunTime()  # HiGHS's own clock of the run
""",
    "pyomo": """
import csv, pyomo.environ as pyo
from pyomo.contrib.appsi.solvers import Highs
t0 = time.perf_counter()
sup = {r['plant']: float(r['supply']) for r in csv.DictReader(open(W + '/supply.csv'))}
dem = {r['market']: float(r['demand']) for r in csv.DictReader(open(W + '/demand.csv'))}
c = {(r['plant'], r['market']): float(r['cost']) for r in csv.DictReader(open(W + '/cost.csv'))}
m = pyo.ConcreteModel(); m.S = pyo.Set(initialize=list(sup)); m.D = pyo.Set(initialize=list(dem))
m.x = pyo.Var(m.S, m.D, domain=pyo.NonNegativeReals)
m.s = pyo.Constraint(m.S, rule=lambda m, i: sum(m.x[i, j] for j in m.D) <= sup[i])
m.d = pyo.Constraint(m.D, rule=lambda m, j: sum(m.x[i, j] for i in m.S) >= dem[j])
m.o = pyo.Objective(expr=sum(c[i, j] * m.x[i, j] for i in m.S for j in m.D))
s = Highs(); s.solve(m); obj = pyo.value(m.o); vals = [m.x[k].value for k in m.x]
t1 = time.perf_counter()
""",
    "pulp": """
import csv, pulp
t0 = time.perf_counter()
sup = {r['plant']: float(r['supply']) for r in csv.DictReader(open(W + '/supply.csv'))}
dem = {r['market']: float(r['demand']) for r in csv.DictReader(open(W + '/demand.csv'))}
c = {(r['plant'], r['market']): float(r['cost']) for r in csv.DictReader(open(W + '/cost.csv'))}
p = pulp.LpProblem('t', pulp.LpMinimize)
x = {k: pulp.LpVariable(f'x_{k[0]}_{k[1]}', lowBound=0) for k in c}
p += pulp.lpSum(c[k] * x[k] for k in c)
for i in sup: p += pulp.lpSum(x[i, j] for j in dem) <= sup[i]
for j in dem: p += pulp.lpSum(x[i, j] for i in sup) >= dem[j]
p.solve(pulp.HiGHS(msg=False)); obj = pulp.value(p.objective); vals = [v.varValue for v in x.values()]
t1 = time.perf_counter()
""",
    "raw": """
import numpy as np, pandas as pd, highspy
t0 = time.perf_counter()
sup = pd.read_csv(W + '/supply.csv')['supply'].to_numpy(); dem = pd.read_csv(W + '/demand.csv')['demand'].to_numpy()
cc = pd.read_csv(W + '/cost.csv')['cost'].to_numpy(); n = len(sup); nd = len(dem)
h = highspy.Highs(); h.setOptionValue('output_flag', False)
lp = highspy.HighsLp(); nc = n * nd; lp.num_col_ = nc; lp.num_row_ = n + nd
lp.col_cost_ = cc; lp.col_lower_ = np.zeros(nc); lp.col_upper_ = np.full(nc, highspy.kHighsInf)
lp.row_lower_ = np.concatenate([np.full(n, -highspy.kHighsInf), dem]); lp.row_upper_ = np.concatenate([sup, np.full(nd, highspy.kHighsInf)])
k = np.arange(nc); lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
lp.a_matrix_.start_ = np.arange(0, 2 * nc + 1, 2, dtype=np.int32)
lp.a_matrix_.index_ = np.stack([k // nd, n + k % nd], axis=1).ravel().astype(np.int32); lp.a_matrix_.value_ = np.ones(2 * nc)
h.passModel(lp); r0 = time.perf_counter(); h.run(); run = time.perf_counter() - r0
obj = h.getInfo().objective_function_value; vals = np.asarray(h.getSolution().col_value)
t1 = time.perf_counter()
""",
}

MODEL = """\
name: transport
description: Ship from plants to markets at least cost; every number is read from the CSV files.
sets:
  - {name: Plants, data: {path: supply.csv, column: plant}}
  - {name: Markets, data: {path: demand.csv, column: market}}
parameters:
  - {name: supply, index: [Plants], data: {path: supply.csv, column: supply, index_columns: [plant]}}
  - {name: demand, index: [Markets], data: {path: demand.csv, column: demand, index_columns: [market]}}
  - {name: cost, index: [Plants, Markets], data: {path: cost.csv, column: cost, index_columns: [plant, market]}}
variables:
  - {name: x, index: [Plants, Markets]}
constraints:
  - {name: supply_limit, forall: i in Plants, expression: "sum(x[i, j] for j in Markets) <= supply[i]"}
  - {name: meet_demand, forall: j in Markets, expression: "sum(x[i, j] for i in Plants) >= demand[j]"}
objective: {sense: minimize, expression: "sum(cost[i, j] * x[i, j] for i in Plants for j in Markets)"}
"""


def write_instance(folder: Path, n: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    demand = rng.integers(10, 100, size=n).astype(float)
    supply = rng.integers(10, 100, size=n).astype(float)
    supply *= 1.1 * demand.sum() / supply.sum()
    cost = np.round(rng.uniform(1.0, 100.0, size=(n, n)), 2)
    plants = [f"s{i}" for i in range(n)]
    markets = [f"d{j}" for j in range(n)]
    with open(folder / "supply.csv", "w") as f:
        f.write("plant,supply\n")
        f.writelines(f"{s},{float(v)!r}\n" for s, v in zip(plants, supply))
    with open(folder / "demand.csv", "w") as f:
        f.write("market,demand\n")
        f.writelines(f"{d},{float(v)!r}\n" for d, v in zip(markets, demand))
    with open(folder / "cost.csv", "w") as f:
        f.write("plant,market,cost\n")
        for i in range(n):
            f.writelines(f"{plants[i]},{markets[j]},{float(cost[i, j])!r}\n" for j in range(n))
    (folder / "transport.yaml").write_text(MODEL)


def run_side(side: str, folder: Path, python: str) -> dict | None:
    code = PRE + textwrap.dedent(SIDES[side]) + POST
    p = subprocess.run([python, "-c", code, str(folder)], capture_output=True, text=True)
    if p.returncode:
        print(f"  {side} failed: {p.stderr.strip()[-600:]}", file=sys.stderr)
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def _model_time(runs: list[dict]) -> float | None:
    """Median of total less the solver's run (reading, building, passing, reading back):
    the part a modelling layer adds, steadier than the total on a loaded machine."""
    got = [r["t"] - r["run"] for r in runs if r.get("run") is not None]
    return statistics.median(got) if got else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="300,600,1000", help="comma-separated n for n x n problems")
    ap.add_argument("--repeat", type=int, default=3, help="runs per side and size (median)")
    ap.add_argument("--sides", default=",".join(SIDES), help=f"subset of {','.join(SIDES)}")
    ap.add_argument("--python", default=sys.executable, help="the Python that runs each side")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    sides = [s for s in args.sides.split(",") if s]
    unknown = [s for s in sides if s not in SIDES]
    if unknown:
        ap.error(f"unknown sides: {unknown}")
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        folder = Path(tempfile.mkdtemp(prefix=f"optimus-transport-{n}-"))
        try:
            write_instance(folder, n)
            runs: dict[str, list[dict]] = {s: [] for s in sides}
            for _ in range(args.repeat):
                for s in sides:
                    got = run_side(s, folder, args.python)
                    if got:
                        runs[s].append(got)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        raw_t = statistics.median(r["t"] for r in runs["raw"]) if runs.get("raw") else None
        raw_m = max(r["rss"] for r in runs["raw"]) if runs.get("raw") else None
        raw_o = _model_time(runs.get("raw", []))
        for s in sides:
            if not runs[s]:
                continue
            t = statistics.median(r["t"] for r in runs[s])
            m = max(r["rss"] for r in runs[s])
            o = _model_time(runs[s])
            rows.append({"n": n, "side": s, "seconds": t, "ratio": t / raw_t if raw_t else None,
                         "model_seconds": o, "model_ratio": o / raw_o if o and raw_o else None,
                         "rss_mb": m, "rss_ratio": m / raw_m if raw_m else None,
                         "objective": runs[s][0]["obj"], "runs": len(runs[s])})
        print(f"done {n}x{n}", file=sys.stderr, flush=True)
    print(f"| size | variables | side | seconds (median of {args.repeat}) | x raw highspy | "
          "seconds less the HiGHS run | x raw | peak RSS MB | x raw | objective |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        def f(x: float | None, fmt: str) -> str:
            return format(x, fmt) if x else "-"
        print(f"| {r['n']}x{r['n']} | {r['n'] ** 2:,} | {r['side']} | {r['seconds']:.3f} | "
              f"{f(r['ratio'], '.2f')} | {f(r['model_seconds'], '.3f')} | "
              f"{f(r['model_ratio'], '.2f')} | {r['rss_mb']:.0f} | {f(r['rss_ratio'], '.2f')} | "
              f"{r['objective']:.4f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
