#!/usr/bin/env python3
"""Write the data files of the data-backed problems, deterministically (seeded).

Run from anywhere; it rewrites the data files under ``problems/data/<id>/``, the
``expected`` block at the end of each ``<id>/model.yaml`` and ``problems.jsonl``
(question from ``<id>/problem.txt``, answer from the independent reference of
``reference.py``, which does not use optimus)::

    python problems/data/generate.py

The generated files are committed; the tests check that the committed answers match the
references and both solver backends. Data are synthetic but shaped like the real thing:
seasonal demand, an availability grid, food composition, customer coordinates, a road
network. Each problem has its own seed (``numpy.random.default_rng(seed)``).
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import reference  # noqa: E402  (problems/data/reference.py: the independent optima)

# id -> (category, data files in the order they are attached)
PROBLEMS: dict[str, tuple[str, list[str]]] = {
    "production_plan": ("production", ["products.csv", "demand.parquet", "capacity.csv", "settings.csv"]),
    "nurse_roster": ("staffing", ["roster.xlsx"]),
    "diet": ("diet", ["diet.json"]),
    "facility_location": ("location", ["sites.csv", "customers.parquet", "serve_cost.parquet"]),
    "transportation": ("transport", ["plants.csv", "markets.csv", "freight.tsv"]),
    "feed_blending": ("blending", ["feed.xlsx"]),
    "knapsack": ("selection", ["projects.csv", "settings.csv"]),
    "assignment": ("assignment", ["technicians.csv", "jobs.csv", "hours.parquet"]),
    "shortest_path": ("network", ["junctions.csv", "roads.csv"]),
    "pipeline_max_flow": ("network", ["pipeline.json"]),
    "grain_purchasing": ("inventory", ["weeks.parquet", "settings.csv"]),
    "ambulance_cover": ("covering", ["stations.csv", "districts.csv", "reach.csv"]),
}


def _settings(path: Path, rows: list[tuple[str, float, str, str]]) -> None:
    pd.DataFrame(rows, columns=["Parameter_Name", "Value", "Unit", "Description"]).to_csv(path, index=False)


def production_plan(d: Path) -> None:
    rng = np.random.default_rng(101)
    n, weeks = 50, 12
    products = [f"P{k:02d}" for k in range(1, n + 1)]
    hours = np.round(rng.uniform(0.2, 1.5, n), 2)
    unit_cost = np.round(rng.uniform(4, 40, n), 2)
    hold = np.round(unit_cost * rng.uniform(0.01, 0.04, n), 3)
    pd.DataFrame({"product": products, "unit_cost": unit_cost, "holding_cost": hold,
                  "labour_hours": hours}).to_csv(d / "products.csv", index=False)
    base = rng.integers(40, 200, n)
    season = 1 + 0.45 * np.sin(np.linspace(-0.5, 2.6, weeks))  # a peak in weeks 5-8
    dem = np.maximum(0, np.round(base[:, None] * season[None, :] * rng.uniform(0.85, 1.15, (n, weeks))))
    pd.DataFrame({"product": np.repeat(products, weeks), "week": np.tile(np.arange(1, weeks + 1), n),
                  "demand": dem.ravel().astype(int)}).to_parquet(d / "demand.parquet", index=False)
    need = (hours[:, None] * dem).sum(axis=0)
    cap = np.full(weeks, np.round(need.mean() * 0.97))
    cap[[3, 9]] *= 0.8  # two weeks of planned maintenance
    pd.DataFrame({"week": np.arange(1, weeks + 1), "regular_hours": np.round(cap)}).to_csv(
        d / "capacity.csv", index=False)
    _settings(d / "settings.csv", [
        ("overtime_cost", 38.5, "USD/h", "cost of one overtime labour hour"),
        ("max_overtime", round(float(need.mean()) * 0.12), "h/week", "overtime hours available per week"),
    ])


def nurse_roster(d: Path) -> None:
    rng = np.random.default_rng(202)
    nurses = [f"N{k:02d}" for k in range(1, 25)]
    days, shifts = list(range(1, 8)), ["day", "night"]
    avail = (rng.uniform(size=(24, 7, 2)) < 0.72).astype(int)
    req = np.array([[5, 3], [5, 3], [5, 3], [5, 3], [5, 3], [4, 3], [4, 2]])
    wage = np.round(rng.uniform(280, 420, 24), 0)
    grid = pd.DataFrame([{"nurse": n, "day": dd, "shift": s, "available": int(avail[i, j, k])}
                         for i, n in enumerate(nurses) for j, dd in enumerate(days)
                         for k, s in enumerate(shifts)])
    with pd.ExcelWriter(d / "roster.xlsx") as w:
        pd.DataFrame({"nurse": nurses, "shift_cost": wage,
                      "max_shifts": rng.integers(3, 6, 24)}).to_excel(w, sheet_name="nurses", index=False)
        grid.to_excel(w, sheet_name="availability", index=False)
        pd.DataFrame([{"day": dd, "shift": s, "required": int(req[j, k]),
                       "premium": 1.25 if s == "night" else 1.0}
                      for j, dd in enumerate(days) for k, s in enumerate(shifts)]).to_excel(
            w, sheet_name="cover", index=False)


def diet(d: Path) -> None:
    rng = np.random.default_rng(303)
    nutrients = ["energy_kcal", "protein_g", "fat_g", "carbs_g", "fibre_g", "calcium_mg", "iron_mg", "vitc_mg"]
    scale = np.array([250, 12, 9, 30, 3, 120, 2.0, 15])
    foods = [f"food_{k:03d}" for k in range(1, 101)]
    comp = np.round(scale[None, :] * rng.gamma(1.2, 1.0, (100, 8)) * (rng.uniform(size=(100, 8)) < 0.8), 2)
    cost = np.round(rng.uniform(0.15, 2.5, 100), 2)
    reqs = [(nut, lo, hi) for nut, lo, hi in zip(
        nutrients, [2000, 55, 40, 250, 28, 1000, 14, 75], [2600, 160, 90, 400, 60, 2500, 45, 1000])]
    tables = {
        "foods": [{"food": f, "cost_per_serving": float(c), "max_servings": 4} for f, c in zip(foods, cost)],
        "content": [{"food": f, "nutrient": nut, "amount": float(comp[i, j])}
                    for i, f in enumerate(foods) for j, nut in enumerate(nutrients)],
        "requirements": [{"nutrient": nut, "minimum": lo, "maximum": hi} for nut, lo, hi in reqs],
    }
    (d / "diet.json").write_text(json.dumps(tables, separators=(",", ":")) + "\n")


def facility_location(d: Path) -> None:
    rng = np.random.default_rng(404)
    ns, nc = 12, 200
    sx, sy = rng.uniform(0, 100, ns), rng.uniform(0, 100, ns)
    cx, cy = rng.uniform(0, 100, nc), rng.uniform(0, 100, nc)
    dem = rng.integers(5, 60, nc)
    sites = [f"S{k:02d}" for k in range(1, ns + 1)]
    cust = [f"C{k:03d}" for k in range(1, nc + 1)]
    fixed = np.round(rng.uniform(6000, 14000, ns), -2)
    pd.DataFrame({"site": sites, "fixed_cost": fixed, "x_km": np.round(sx, 2), "y_km": np.round(sy, 2)}
                 ).to_csv(d / "sites.csv", index=False)
    pd.DataFrame({"customer": cust, "x_km": np.round(cx, 2), "y_km": np.round(cy, 2),
                  "weekly_pallets": dem}).to_parquet(d / "customers.parquet", index=False)
    dist = np.hypot(sx[:, None] - cx[None, :], sy[:, None] - cy[None, :])
    cost = np.round(dist * dem[None, :] * 0.9, 2)  # $0.90 per pallet-km, a year of weeks folded in
    pd.DataFrame({"site": np.repeat(sites, nc), "customer": np.tile(cust, ns), "cost": cost.ravel()}
                 ).to_parquet(d / "serve_cost.parquet", index=False)


def transportation(d: Path) -> None:
    rng = np.random.default_rng(505)
    n, m = 50, 80
    px, py = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n)
    mx, my = rng.uniform(0, 1000, m), rng.uniform(0, 1000, m)
    demand = rng.integers(20, 150, m)
    cap = rng.integers(60, 200, n).astype(float)
    cap = np.ceil(cap * 1.15 * demand.sum() / cap.sum()).astype(int)
    plants = [f"plant_{k:02d}" for k in range(1, n + 1)]
    markets = [f"mkt_{k:02d}" for k in range(1, m + 1)]
    pd.DataFrame({"plant": plants, "capacity_t": cap}).to_csv(d / "plants.csv", index=False)
    pd.DataFrame({"market": markets, "demand_t": demand}).to_csv(d / "markets.csv", index=False)
    cost = np.round(5 + 0.04 * np.hypot(px[:, None] - mx[None, :], py[:, None] - my[None, :]), 2)
    pd.DataFrame({"plant": np.repeat(plants, m), "market": np.tile(markets, n),
                  "usd_per_t": cost.ravel()}).to_csv(d / "freight.tsv", sep="\t", index=False)


def feed_blending(d: Path) -> None:
    ingredients = ["maize", "barley", "wheat", "soybean_meal", "sunflower_meal", "fish_meal",
                   "wheat_bran", "limestone", "dicalcium_phosphate", "vegetable_oil"]
    cost = [212, 198, 224, 455, 290, 1380, 160, 60, 720, 1150]  # $/t
    avail = [600, 400, 500, 250, 200, 30, 150, 40, 20, 40]  # t in stock
    # attribute per ingredient: protein %, fibre %, calcium %, phosphorus %, energy MJ/kg
    q = {
        "maize": [8.5, 2.2, 0.02, 0.28, 13.9], "barley": [11.0, 5.0, 0.06, 0.36, 12.1],
        "wheat": [12.5, 2.6, 0.05, 0.33, 13.2], "soybean_meal": [46.0, 6.0, 0.30, 0.65, 12.3],
        "sunflower_meal": [33.0, 22.0, 0.38, 1.00, 8.8], "fish_meal": [65.0, 1.0, 4.0, 2.6, 13.5],
        "wheat_bran": [15.5, 10.5, 0.13, 1.10, 8.9], "limestone": [0.0, 0.0, 38.0, 0.0, 0.0],
        "dicalcium_phosphate": [0.0, 0.0, 23.0, 18.0, 0.0], "vegetable_oil": [0.0, 0.0, 0.0, 0.0, 34.0],
    }
    attrs = ["protein_pct", "fibre_pct", "calcium_pct", "phosphorus_pct", "energy_mj_kg"]
    specs = [("protein_pct", 17.0, 21.0), ("fibre_pct", 0.0, 5.5), ("calcium_pct", 0.9, 1.2),
             ("phosphorus_pct", 0.55, 0.8), ("energy_mj_kg", 12.4, 13.4)]
    with pd.ExcelWriter(d / "feed.xlsx") as w:
        pd.DataFrame([("batch_tonnes", 1000, "t", "size of the production run")],
                     columns=["Parameter_Name", "Value", "Unit", "Description"]).to_excel(
            w, sheet_name="settings", index=False)
        pd.DataFrame({"ingredient": ingredients, "cost_usd_t": cost, "stock_t": avail}).to_excel(
            w, sheet_name="ingredients", index=False)
        pd.DataFrame([{"ingredient": i, "attribute": a, "value": q[i][k]}
                      for i in ingredients for k, a in enumerate(attrs)]).to_excel(
            w, sheet_name="analysis", index=False)
        pd.DataFrame(specs, columns=["attribute", "minimum", "maximum"]).to_excel(
            w, sheet_name="specs", index=False)


def knapsack(d: Path) -> None:
    rng = np.random.default_rng(707)
    n = 500
    cost = rng.integers(5, 120, n)  # $k of budget
    value = np.maximum(1, np.round(cost * rng.uniform(0.6, 1.6, n) + rng.integers(-10, 30, n))).astype(int)
    pd.DataFrame({"project": [f"PRJ{k:03d}" for k in range(1, n + 1)], "cost_k": cost,
                  "npv_k": value}).to_csv(d / "projects.csv", index=False)
    _settings(d / "settings.csv", [("budget", int(cost.sum() // 3), "k USD", "capital budget this year")])


def assignment(d: Path) -> None:
    rng = np.random.default_rng(808)
    n = 30
    techs = [f"T{k:02d}" for k in range(1, n + 1)]
    jobs = [f"J{k:02d}" for k in range(1, n + 1)]
    skill = rng.uniform(0.7, 1.5, n)
    size = rng.uniform(2, 9, n)
    hrs = np.round(size[None, :] * skill[:, None] * rng.uniform(0.8, 1.25, (n, n)), 1)
    pd.DataFrame({"technician": techs, "grade": rng.choice(["A", "B", "C"], n)}).to_csv(
        d / "technicians.csv", index=False)
    pd.DataFrame({"job": jobs, "site": [f"site {k}" for k in rng.integers(1, 12, n)]}).to_csv(
        d / "jobs.csv", index=False)
    pd.DataFrame({"technician": np.repeat(techs, n), "job": np.tile(jobs, n), "hours": hrs.ravel()}
                 ).to_parquet(d / "hours.parquet", index=False)


def shortest_path(d: Path) -> None:
    rng = np.random.default_rng(909)
    n = 60
    x, y = rng.uniform(0, 40, n), rng.uniform(0, 40, n)
    names = [f"J{k:02d}" for k in range(n)]
    order = np.argsort(x)  # J00 far west, J59 far east
    x, y = x[order], y[order]
    rows = []
    for i in range(n):
        dist = np.hypot(x - x[i], y - y[i])
        for j in np.argsort(dist)[1:5]:  # roads to the four nearest junctions, both ways
            for a, b in ((i, j), (j, i)):
                rows.append((names[a], names[b], round(float(dist[j]) * float(rng.uniform(1.2, 2.0)), 1)))
    roads = pd.DataFrame(rows, columns=["from", "to", "minutes"]).drop_duplicates(["from", "to"])
    pd.DataFrame({"junction": names, "x_km": np.round(x, 2), "y_km": np.round(y, 2)}).to_csv(
        d / "junctions.csv", index=False)
    roads.to_csv(d / "roads.csv", index=False)


def pipeline_max_flow(d: Path) -> None:
    rng = np.random.default_rng(1010)
    layers = [["wellfield"], [f"pump_{k}" for k in range(1, 7)], [f"hub_{k}" for k in range(1, 9)],
              [f"valve_{k}" for k in range(1, 7)], ["terminal"]]
    pipes = {}
    for a_layer, b_layer in zip(layers, layers[1:]):
        for a in a_layer:
            targets = b_layer if len(b_layer) <= 6 and len(a_layer) == 1 else \
                list(rng.choice(b_layer, size=min(3, len(b_layer)), replace=False))
            for b in targets:
                pipes[(a, str(b))] = int(rng.integers(20, 90))
    hubs = layers[2]
    for _ in range(6):  # cross links between hubs
        a, b = rng.choice(hubs, 2, replace=False)
        pipes.setdefault((str(a), str(b)), int(rng.integers(10, 40)))
    nodes = [n for layer in layers for n in layer]
    (d / "pipeline.json").write_text(json.dumps({
        "nodes": [{"node": n, "kind": n.split("_")[0]} for n in nodes],
        "pipes": [{"from": a, "to": b, "capacity_m3h": c} for (a, b), c in pipes.items()],
    }, indent=1) + "\n")


def grain_purchasing(d: Path) -> None:
    rng = np.random.default_rng(1111)
    weeks = np.arange(1, 53)
    price = np.round(180 + 25 * np.sin(weeks / 52 * 2 * math.pi + 1.0) + rng.normal(0, 6, 52), 2)
    demand = np.round(rng.uniform(80, 140, 52) * (1 + 0.3 * (weeks > 40)))
    pd.DataFrame({"week": weeks, "price_usd_t": price, "demand_t": demand.astype(int)}).to_parquet(
        d / "weeks.parquet", index=False)
    _settings(d / "settings.csv", [("storage_cost", 1.8, "USD/t/week", "holding one tonne in the silo for a week")])


def ambulance_cover(d: Path) -> None:
    rng = np.random.default_rng(1212)
    ns, nd = 15, 60
    sx, sy = rng.uniform(0, 30, ns), rng.uniform(0, 30, ns)
    dx, dy = rng.uniform(0, 30, nd), rng.uniform(0, 30, nd)
    stations = [f"ST{k:02d}" for k in range(1, ns + 1)]
    districts = [f"D{k:02d}" for k in range(1, nd + 1)]
    minutes = np.hypot(sx[:, None] - dx[None, :], sy[:, None] - dy[None, :]) * 1.3 + rng.uniform(0, 2, (ns, nd))
    reach = minutes <= 12.0
    for j in np.flatnonzero(~reach.any(axis=0)):  # every district reachable from some station
        reach[np.argmin(minutes[:, j]), j] = True
    pd.DataFrame({"station": stations, "annual_cost_k": np.round(rng.uniform(300, 700, ns))}).to_csv(
        d / "stations.csv", index=False)
    pd.DataFrame({"district": districts, "population": rng.integers(2000, 30000, nd)}).to_csv(
        d / "districts.csv", index=False)
    i, j = np.nonzero(reach)
    pd.DataFrame({"station": np.array(stations)[i], "district": np.array(districts)[j],
                  "minutes": np.round(minutes[i, j], 1)}).to_csv(d / "reach.csv", index=False)


def clean(x: float) -> float:
    """The optimum at 10 significant digits (899.9999999999999 -> 900)."""
    return float(f"{x:.10g}")


def main() -> int:
    rows = []
    for pid, (category, files) in PROBLEMS.items():
        d = HERE / pid
        d.mkdir(exist_ok=True)
        globals()[pid](d)
        opt, how = reference.OPTIMA[pid](d)
        answer = clean(opt)
        model = d / "model.yaml"
        text = model.read_text(encoding="utf-8")
        block = (f"expected:\n  status: optimal\n  objective: {answer!r}\n"
                 f"  source: {json.dumps('Computed independently (problems/data/reference.py, no optimus): ' + how)}\n")
        model.write_text(re.sub(r"(?ms)^expected:.*\Z", "", text).rstrip("\n") + "\n" + block, encoding="utf-8")
        rows.append({"id": pid, "source": "optimus/problems/data",
                     "question": (d / "problem.txt").read_text(encoding="utf-8").strip(),
                     "answer": answer, "data": [f"{pid}/{f}" for f in files],
                     "meta": {"category": category, "model": f"data/{pid}/model.yaml", "method": how}})
        print(f"{pid:20s} {answer!r:>16}  {how}")
    with open(HERE / "problems.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
