"""Independent optima of the data-backed problems: pandas + numpy + scipy, never optimus.

Each function reads the problem's data files itself, builds the problem its own way
(a constraint matrix assembled by hand for ``scipy.optimize.linprog``/``milp``, or a
different algorithm altogether: dynamic programming, brute force, Dijkstra, a maximum
flow, Hungarian assignment, a closed form) and returns ``(optimum, how)``::

    >>> from pathlib import Path
    >>> opt, how = OPTIMA["knapsack"](Path(__file__).parent / "knapsack")  # doctest: +SKIP

This module must not import optimus (``tests/test_data_problems.py`` checks it).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, linprog, milp
from scipy.sparse.csgraph import dijkstra, maximum_flow


def _setting(path: Path, key: str) -> float:
    t = pd.read_csv(path)
    return float(t.loc[t["Parameter_Name"] == key, "Value"].iloc[0])


def _lp(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=(0, None)) -> float:
    r = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs-ds")
    assert r.status == 0, r.message
    return float(r.fun)


def production_plan(d: Path) -> tuple[float, str]:
    prod = pd.read_csv(d / "products.csv")
    dem = pd.read_parquet(d / "demand.parquet").pivot(index="product", columns="week", values="demand")
    dem = dem.loc[prod["product"]].to_numpy(float)
    cap = pd.read_csv(d / "capacity.csv").sort_values("week")["regular_hours"].to_numpy(float)
    ot_cost, ot_max = _setting(d / "settings.csv", "overtime_cost"), _setting(d / "settings.csv", "max_overtime")
    n, T = dem.shape
    # columns: make[p,t] (n*T), inv[p,t] (n*T), ot[t] (T)
    nm = n * T
    col = lambda p, t: p * T + t  # noqa: E731
    rows, cols, vals = [], [], []
    for p in range(n):  # inv[p,t-1] + make[p,t] - inv[p,t] = demand[p,t]
        for t in range(T):
            r = p * T + t
            rows += [r, r]
            cols += [col(p, t), nm + col(p, t)]
            vals += [1.0, -1.0]
            if t:
                rows.append(r)
                cols.append(nm + col(p, t - 1))
                vals.append(1.0)
    A_eq = sparse.csr_matrix((vals, (rows, cols)), shape=(nm, 2 * nm + T))
    h = prod["labour_hours"].to_numpy(float)
    A_ub = sparse.lil_matrix((T, 2 * nm + T))
    for t in range(T):  # sum_p hours[p] make[p,t] - ot[t] <= cap[t]
        for p in range(n):
            A_ub[t, col(p, t)] = h[p]
        A_ub[t, 2 * nm + t] = -1.0
    c = np.concatenate([np.repeat(prod["unit_cost"].to_numpy(float), T),
                        np.repeat(prod["holding_cost"].to_numpy(float), T), np.full(T, ot_cost)])
    bounds = [(0, None)] * (2 * nm) + [(0, ot_max)] * T
    return _lp(c, A_ub.tocsr(), cap, A_eq, dem.ravel(), bounds), \
        "scipy.optimize.linprog (dual simplex) on a balance/capacity matrix assembled by hand"


def nurse_roster(d: Path) -> tuple[float, str]:
    book = pd.read_excel(d / "roster.xlsx", sheet_name=None)
    nurses, grid, cover = book["nurses"], book["availability"], book["cover"]
    N = list(nurses["nurse"])
    days, shifts = sorted(set(grid["day"])), ["day", "night"]
    idx = {(n, dd, s): k for k, (n, dd, s) in enumerate(itertools.product(N, days, shifts))}
    avail = {(r.nurse, r.day, r.shift): r.available for r in grid.itertuples()}
    prem = {(r.day, r.shift): r.premium for r in cover.itertuples()}
    wage = dict(zip(nurses["nurse"], nurses["shift_cost"]))
    c = np.array([wage[n] * prem[dd, s] for (n, dd, s) in idx])
    ub = np.array([avail[k] for k in idx], float)
    A, lo, hi = [], [], []
    for r in cover.itertuples():  # cover each shift
        row = np.zeros(len(idx))
        for n in N:
            row[idx[n, r.day, r.shift]] = 1
        A.append(row), lo.append(r.required), hi.append(np.inf)
    for n, mx in zip(nurses["nurse"], nurses["max_shifts"]):  # at most max_shifts a week
        row = np.zeros(len(idx))
        for dd in days:
            for s in shifts:
                row[idx[n, dd, s]] = 1
        A.append(row), lo.append(0), hi.append(mx)
    for n in N:  # one shift a day, and no day shift straight after a night shift
        for dd in days:
            row = np.zeros(len(idx))
            row[idx[n, dd, "day"]] = row[idx[n, dd, "night"]] = 1
            A.append(row), lo.append(0), hi.append(1)
            if dd + 1 in days:
                row = np.zeros(len(idx))
                row[idx[n, dd, "night"]] = row[idx[n, dd + 1, "day"]] = 1
                A.append(row), lo.append(0), hi.append(1)
    r = milp(c, constraints=LinearConstraint(np.array(A), lo, hi), integrality=np.ones(len(idx)),
             bounds=Bounds(np.zeros(len(idx)), ub))
    assert r.status == 0, r.message
    return float(r.fun), "scipy.optimize.milp on a 0/1 matrix assembled by hand from the three sheets"


def diet(d: Path) -> tuple[float, str]:
    t = json.loads((d / "diet.json").read_text())
    foods = pd.DataFrame(t["foods"])
    content = pd.DataFrame(t["content"]).pivot(index="nutrient", columns="food", values="amount")
    req = pd.DataFrame(t["requirements"]).set_index("nutrient")
    M = content.loc[req.index, foods["food"]].to_numpy(float)
    A_ub = np.vstack([-M, M])
    b_ub = np.concatenate([-req["minimum"].to_numpy(float), req["maximum"].to_numpy(float)])
    bounds = [(0, m) for m in foods["max_servings"]]
    return _lp(foods["cost_per_serving"].to_numpy(float), A_ub, b_ub, bounds=bounds), \
        "scipy.optimize.linprog (dual simplex) on the nutrient-by-food matrix"


def facility_location(d: Path) -> tuple[float, str]:
    sites = pd.read_csv(d / "sites.csv")
    cost = pd.read_parquet(d / "serve_cost.parquet").pivot(index="site", columns="customer", values="cost")
    C = cost.loc[sites["site"]].to_numpy(float)
    fixed = sites["fixed_cost"].to_numpy(float)
    ns = len(fixed)
    best = np.inf
    for mask in range(1, 2 ** ns):  # every non-empty set of open sites; each customer to its cheapest
        open_ = [(mask >> k) & 1 == 1 for k in range(ns)]
        best = min(best, fixed[open_].sum() + C[open_].min(axis=0).sum())
    return float(best), f"brute force over all {2 ** ns - 1} non-empty sets of open sites"


def transportation(d: Path) -> tuple[float, str]:
    plants, markets = pd.read_csv(d / "plants.csv"), pd.read_csv(d / "markets.csv")
    cost = pd.read_csv(d / "freight.tsv", sep="\t").pivot(index="plant", columns="market", values="usd_per_t")
    C = cost.loc[plants["plant"], markets["market"]].to_numpy(float)
    n, m = C.shape
    k = np.arange(n * m)
    A_sup = sparse.csr_matrix((np.ones(n * m), (k // m, k)), shape=(n, n * m))
    A_dem = sparse.csr_matrix((-np.ones(n * m), (k % m, k)), shape=(m, n * m))
    return _lp(C.ravel(), sparse.vstack([A_sup, A_dem]),
               np.concatenate([plants["capacity_t"], -markets["demand_t"]]).astype(float)), \
        "scipy.optimize.linprog (dual simplex) on the supply/demand incidence matrix"


def feed_blending(d: Path) -> tuple[float, str]:
    book = pd.read_excel(d / "feed.xlsx", sheet_name=None)
    ing, specs = book["ingredients"], book["specs"]
    q = book["analysis"].pivot(index="attribute", columns="ingredient", values="value")
    batch = float(book["settings"].set_index("Parameter_Name").loc["batch_tonnes", "Value"])
    Q = q.loc[specs["attribute"], ing["ingredient"]].to_numpy(float)
    A_ub = np.vstack([-Q, Q])
    b_ub = np.concatenate([-specs["minimum"] * batch, specs["maximum"] * batch]).astype(float)
    bounds = [(0, s) for s in ing["stock_t"]]
    return _lp(ing["cost_usd_t"].to_numpy(float), A_ub, b_ub, np.ones((1, len(ing))), [batch], bounds), \
        "scipy.optimize.linprog (dual simplex) on the quality-by-ingredient matrix"


def knapsack(d: Path) -> tuple[float, str]:
    items = pd.read_csv(d / "projects.csv")
    cap = int(_setting(d / "settings.csv", "budget"))
    best = np.zeros(cap + 1)
    for w, v in zip(items["cost_k"], items["npv_k"]):  # 0/1 knapsack, one item at a time
        best[w:] = np.maximum(best[w:], best[:-w] + v if w else best + v)
    return float(best[cap]), f"dynamic programming over the budget (0..{cap})"


def assignment(d: Path) -> tuple[float, str]:
    techs, jobs = pd.read_csv(d / "technicians.csv"), pd.read_csv(d / "jobs.csv")
    H = pd.read_parquet(d / "hours.parquet").pivot(index="technician", columns="job", values="hours")
    H = H.loc[techs["technician"], jobs["job"]].to_numpy(float)
    r, c = linear_sum_assignment(H)
    return float(H[r, c].sum()), "scipy.optimize.linear_sum_assignment (Hungarian method)"


def shortest_path(d: Path) -> tuple[float, str]:
    names = list(pd.read_csv(d / "junctions.csv")["junction"])
    pos = {n: k for k, n in enumerate(names)}
    roads = pd.read_csv(d / "roads.csv")
    g = sparse.csr_matrix((roads["minutes"], (roads["from"].map(pos), roads["to"].map(pos))),
                          shape=(len(names), len(names)))
    dist = dijkstra(g, directed=True, indices=pos["J00"])
    return float(dist[pos["J59"]]), "Dijkstra (scipy.sparse.csgraph.dijkstra) from J00"


def pipeline_max_flow(d: Path) -> tuple[float, str]:
    t = json.loads((d / "pipeline.json").read_text())
    names = [r["node"] for r in t["nodes"]]
    pos = {n: k for k, n in enumerate(names)}
    p = pd.DataFrame(t["pipes"])
    g = sparse.csr_matrix((p["capacity_m3h"].astype(np.int32), (p["from"].map(pos), p["to"].map(pos))),
                          shape=(len(names), len(names)))
    return float(maximum_flow(g, pos["wellfield"], pos["terminal"]).flow_value), \
        "maximum flow (scipy.sparse.csgraph.maximum_flow, Edmonds-Karp/Dinic)"


def grain_purchasing(d: Path) -> tuple[float, str]:
    w = pd.read_parquet(d / "weeks.parquet").sort_values("week")
    h = _setting(d / "settings.csv", "storage_cost")
    price, dem = w["price_usd_t"].to_numpy(float), w["demand_t"].to_numpy(float)
    t = np.arange(len(price))
    # closed form: week t's grain is bought in the week s <= t with the least price[s] + h (t - s)
    unit = np.minimum.accumulate(price - h * t) + h * t
    return float(unit @ dem), "closed form: each week's demand bought in the cheapest earlier week, storage included"


def ambulance_cover(d: Path) -> tuple[float, str]:
    st, di = pd.read_csv(d / "stations.csv"), pd.read_csv(d / "districts.csv")
    reach = pd.read_csv(d / "reach.csv")
    ns = len(st)
    spos = {s: k for k, s in enumerate(st["station"])}
    dpos = {s: k for k, s in enumerate(di["district"])}
    R = np.zeros((ns, len(di)), bool)
    R[reach["station"].map(spos), reach["district"].map(dpos)] = True
    masks = np.arange(1, 2 ** ns)
    chosen = ((masks[:, None] >> np.arange(ns)[None, :]) & 1).astype(bool)  # every subset of stations
    covered = (chosen.astype(np.int32) @ R.astype(np.int32) > 0).all(axis=1)
    cost = chosen.astype(float) @ st["annual_cost_k"].to_numpy(float)
    return float(cost[covered].min()), f"brute force over all {2 ** ns - 1} sets of stations"


OPTIMA: dict[str, Callable[[Path], tuple[float, str]]] = {
    f.__name__: f for f in (production_plan, nurse_roster, diet, facility_location, transportation,
                            feed_blending, knapsack, assignment, shortest_path, pipeline_max_flow,
                            grain_purchasing, ambulance_cover)
}
