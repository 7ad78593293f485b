"""diagnose: IIS, elastic fallback, primal rays and sanity warnings, with both backends."""

from __future__ import annotations

import json

import pytest

from optimus.build import build
from optimus.diagnose import diagnose, looks_like_count
from optimus.formulation import Formulation
from optimus.result import Result
from optimus.pipeline import solve_formulation

BACKENDS = ["highs", "pulp"]


def model(variables, constraints, objective, sense="minimize", **extra) -> Formulation:
    return Formulation.model_validate({"name": "t", "variables": variables,
                                       "constraints": constraints,
                                       "objective": {"sense": sense, "expression": objective},
                                       **extra})


def table(name, index, data: dict) -> dict:
    return {"name": name, "index": index,
            "values": [{"index": list(k) if isinstance(k, tuple) else [k], "value": v}
                       for k, v in data.items()]}


def multi_product(demand_b=50.0, integer=False) -> Formulation:
    """Three products; only product B's demand (50) exceeds its capacity (30)."""
    P = ["A", "B", "C"]
    return Formulation.model_validate({
        "name": "multi",
        "sets": [{"name": "P", "elements": P}, {"name": "M", "elements": ["m1", "m2"]}],
        "parameters": [table("dem", ["P"], {"A": 10, "B": demand_b, "C": 5}),
                       table("cap", ["P"], {"A": 20, "B": 30, "C": 40}),
                       table("hours", ["P", "M"], {(p, m): 1 for p in P for m in ["m1", "m2"]})],
        "variables": [{"name": "make", "index": ["P"], "domain": "integer" if integer else "continuous"}],
        "constraints": [
            {"name": "demand", "forall": "p in P", "expression": "make[p] >= dem[p]"},
            {"name": "capacity", "forall": "p in P", "expression": "make[p] <= cap[p]"},
            {"name": "machine", "forall": "m in M", "expression": "sum(hours[p, m] * make[p] for p in P) <= 1000"}],
        "objective": {"sense": "minimize", "expression": "sum(make[p] for p in P)"}})


def conflict_keys(d) -> set[tuple]:
    return {(c.get("constraint") or c.get("variable"), tuple(c["index"]), c["kind"]) for c in d.conflict}


# ----------------------------------------------------------------- infeasible

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("integer", [False, True])
def test_iis_names_exactly_the_conflicting_rows(backend, integer):
    r = solve_formulation(multi_product(integer=integer), backend=backend)
    assert r.status == "infeasible"
    d = r.diagnosis
    assert d.kind == "infeasible" and d.conflict_method == "iis"
    assert conflict_keys(d) == {("demand", ("B",), "row"), ("capacity", ("B",), "row")}
    assert "demand[B]" in d.summary and "capacity[B]" in d.summary
    assert "demand[A]" not in d.summary
    by_name = {c["constraint"]: c for c in d.conflict}
    assert by_name["demand"]["sense"] == ">=" and by_name["demand"]["rhs"] == 50
    assert by_name["capacity"]["sense"] == "<=" and by_name["capacity"]["rhs"] == 30
    assert "demand[B]" in d.text() or "demand[B" in d.text()
    json.dumps(r.to_json_dict())


@pytest.mark.parametrize("backend", BACKENDS)
def test_iis_includes_variable_bounds(backend):
    f = Formulation.model_validate({
        "name": "bounds",
        "sets": [{"name": "S", "elements": ["north", "south"]}],
        "variables": [{"name": "ship", "index": ["S"], "upper": 5}, {"name": "y"}],
        "constraints": [{"name": "need", "forall": "s in S", "expression": "ship[s] >= 3"},
                        {"name": "need_south", "expression": "ship['south'] + 0*y >= 10"}],
        "objective": {"sense": "minimize", "expression": "sum(ship[s] for s in S)"}})
    r = solve_formulation(f, backend=backend)
    d = r.diagnosis
    assert r.status == "infeasible" and d.kind == "infeasible"
    assert conflict_keys(d) == {("need_south", (), "row"), ("ship", ("south",), "upper bound")}
    bound = next(c for c in d.conflict if c.get("variable"))
    assert bound["value"] == 5
    assert "ship[south] <= 5" in d.summary
    assert "- ship[south] (upper bound)" in d.text()


@pytest.mark.parametrize("backend", BACKENDS)
def test_integrality_only_infeasibility_uses_elastic(backend):
    f = model([{"name": "x", "domain": "integer"}, {"name": "y", "upper": 3}],
              [{"name": "half", "expression": "2*x == 1"},
               {"name": "fine", "expression": "x + y <= 10"}], "x")
    r = solve_formulation(f, backend=backend)
    assert r.status == "infeasible"
    d = r.diagnosis
    assert d.kind == "infeasible" and d.conflict_method == "elastic"
    assert [(c["constraint"], c["kind"]) for c in d.conflict] == [("half", "row")]
    assert d.conflict[0]["violation"] == pytest.approx(1.0)
    assert "integrality" in d.summary and "half" in d.summary


def test_elastic_names_the_indexed_row_and_amount():
    # sum of 2*x[i] must equal 7 over integer x: odd right-hand side, even coefficients.
    f = Formulation.model_validate({
        "name": "parity",
        "sets": [{"name": "I", "elements": [1, 2, 3]}, {"name": "T", "elements": ["a", "b"]}],
        "variables": [{"name": "x", "index": ["I"], "domain": "integer", "upper": 10}],
        "constraints": [{"name": "total", "forall": "t in T",
                         "expression": "sum(2 * x[i] for i in I) == 7"}],
        "objective": {"sense": "minimize", "expression": "sum(x[i] for i in I)"}})
    r = solve_formulation(f)
    d = r.diagnosis
    assert d.conflict_method == "elastic"
    assert {c["constraint"] for c in d.conflict} == {"total"}
    assert all(c["index"] in (["a"], ["b"]) for c in d.conflict)
    assert sum(c["violation"] for c in d.conflict) == pytest.approx(2.0)


def test_integer_bounds_without_an_integer():
    f = model([{"name": "crates", "domain": "integer", "lower": 0.2, "upper": 0.8}],
              [{"name": "c", "expression": "crates <= 5"}], "crates")
    r = solve_formulation(f)
    assert r.status == "infeasible"
    d = r.diagnosis
    assert d.conflict_method == "bounds"
    assert conflict_keys(d) == {("crates", (), "integrality")}


def test_empty_row_conflict():
    f = model([{"name": "x"}], [{"name": "impossible", "expression": "0*x >= 5"}], "x")
    d = solve_formulation(f).diagnosis
    assert conflict_keys(d) == {("impossible", (), "row")}
    assert "cannot hold" in d.summary


def transport(n: int, supply: float, demand: float) -> Formulation:
    S, D = [f"s{i}" for i in range(n)], [f"d{j}" for j in range(n)]
    return Formulation.model_validate({
        "name": "transport",
        "sets": [{"name": "S", "elements": S}, {"name": "D", "elements": D}],
        "variables": [{"name": "ship", "index": ["S", "D"]}],
        "constraints": [
            {"name": "out", "forall": "s in S", "expression": f"sum(ship[s, d] for d in D) <= {supply}"},
            {"name": "meet", "forall": "d in D", "expression": f"sum(ship[s, d] for s in S) >= {demand}"}],
        "objective": {"sense": "minimize", "expression": "sum(ship[s, d] for s in S for d in D)"}})


def test_small_aggregate_conflict_is_irreducible_and_groups_bounds():
    d = solve_formulation(transport(4, supply=10, demand=15)).diagnosis
    assert d.conflict_method == "iis"
    names = {c.get("constraint") or c.get("variable") for c in d.conflict}
    assert names == {"out", "meet", "ship"}
    # irreducible: 4*10 = 40 supply against 3 demand rows of 15 (45) suffices
    assert sum(1 for c in d.conflict if c.get("constraint") == "out") == 4
    assert sum(1 for c in d.conflict if c.get("constraint") == "meet") == 3
    assert "ship[...] >= 0 (4 of them)" in d.summary  # only the shipments to the dropped row


def test_large_conflict_reports_the_farkas_rows():
    # 50 x 50 = 2,500 columns: too large for the irreducible search, named by the certificate.
    d = solve_formulation(transport(50, supply=10, demand=15)).diagnosis
    assert d.kind == "infeasible" and d.conflict_method == "farkas"
    assert {c["constraint"] for c in d.conflict} == {"out", "meet"}
    assert len(d.conflict) == 100
    assert "100 constraints" in d.summary and "and 90 more" in d.summary


# ----------------------------------------------------------------- unbounded

@pytest.mark.parametrize("backend", BACKENDS)
def test_unbounded_lp_names_the_growing_variables(backend):
    f = Formulation.model_validate({
        "name": "unb",
        "sets": [{"name": "P", "elements": ["p1", "p2"]}],
        "variables": [{"name": "sell", "index": ["P"]}, {"name": "buy", "upper": 4}],
        "constraints": [{"name": "link", "expression": "sell['p1'] - sell['p2'] <= 2"}],
        "objective": {"sense": "maximize", "expression": "sum(sell[p] for p in P) + buy"}})
    r = solve_formulation(f, backend=backend)
    assert r.status == "unbounded"
    d = r.diagnosis
    assert d.kind == "unbounded"
    got = {(v["name"], tuple(v["index"]), v["direction"]) for v in d.unbounded_variables}
    assert got == {("sell", ("p1",), "increases"), ("sell", ("p2",), "increases")}
    assert "sell[p1] increases" in d.summary
    assert "Variables that can grow without limit" in d.text()


@pytest.mark.parametrize("backend", BACKENDS)
def test_unbounded_minimize_names_a_decreasing_free_variable(backend):
    f = model([{"name": "x", "lower": None}, {"name": "y", "upper": 1}],
              [{"name": "c", "expression": "x + y <= 2"}], "x")
    r = solve_formulation(f, backend=backend)
    assert r.status == "unbounded"
    got = {(v["name"], v["direction"]) for v in r.diagnosis.unbounded_variables}
    assert got == {("x", "decreases")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_mip_infeasible_or_unbounded_is_diagnosed_unbounded(backend):
    f = model([{"name": "trucks", "domain": "integer"}, {"name": "vans", "domain": "integer"},
               {"name": "z", "domain": "integer", "upper": 3}],
              [{"name": "fleet", "expression": "trucks - vans <= 2"}], "trucks + vans + z", "maximize")
    r = solve_formulation(f, backend=backend)
    assert r.status == "infeasible_or_unbounded"
    d = r.diagnosis
    assert d.kind == "unbounded"
    assert {(v["name"], v["direction"]) for v in d.unbounded_variables} == {
        ("trucks", "increases"), ("vans", "increases")}
    assert "feasible" in d.summary


def test_infeasible_or_unbounded_that_is_infeasible():
    # Relaxation unbounded, but 2x - 2y == 1 has no integer solution: diagnosed infeasible.
    f = model([{"name": "x", "domain": "integer"}, {"name": "y", "domain": "integer"}],
              [{"name": "odd", "expression": "2*x - 2*y == 1"}], "x + y", "maximize")
    lp = build(f)
    d = diagnose(f, lp, Result(status="infeasible_or_unbounded"))
    assert d.kind == "infeasible"
    assert [c["constraint"] for c in d.conflict] == ["odd"]


def test_infeasible_or_unbounded_with_infeasible_relaxation():
    f = model([{"name": "x", "domain": "integer", "upper": 5}], [{"name": "need", "expression": "x >= 10"}],
              "x", "maximize")
    d = diagnose(f, build(f), Result(status="infeasible_or_unbounded"))
    assert d.kind == "infeasible" and d.conflict_method == "iis"
    assert conflict_keys(d) == {("need", (), "row"), ("x", (), "upper bound")}


# ----------------------------------------------------------------- optimal: sanity

@pytest.mark.parametrize("backend", BACKENDS)
def test_fractional_count_declared_continuous_is_flagged(backend):
    f = Formulation.model_validate({
        "name": "staff",
        "sets": [{"name": "D", "elements": ["mon", "tue"]}],
        "variables": [{"name": "workers", "index": ["D"], "description": "number of workers on duty"},
                      {"name": "overtime", "index": ["D"], "description": "overtime hours worked"}],
        "constraints": [{"name": "cover", "forall": "d in D", "expression": "2 * workers[d] + overtime[d] >= 5"},
                        {"name": "ot", "forall": "d in D", "expression": "overtime[d] <= 0.5"}],
        "objective": {"sense": "minimize", "expression": "sum(10 * workers[d] + 30 * overtime[d] for d in D)"}})
    r = solve_formulation(f, backend=backend)
    assert r.status == "optimal"
    d = r.diagnosis
    assert d.kind == "suspicious"
    assert len(d.warnings) == 1
    assert "`workers`" in d.warnings[0] and "2 of its 2" in d.warnings[0]
    assert "overtime" not in d.warnings[0]


def test_integer_count_or_integral_values_not_flagged():
    f = model([{"name": "num_trucks", "domain": "integer"}], [{"name": "c", "expression": "2*num_trucks >= 5"}],
              "num_trucks")
    assert solve_formulation(f).diagnosis.kind == "ok"
    f = model([{"name": "num_trucks"}], [{"name": "c", "expression": "num_trucks >= 3"}], "num_trucks")
    assert solve_formulation(f).diagnosis.kind == "ok"


@pytest.mark.parametrize("backend", BACKENDS)
def test_all_zero_optimum_is_flagged(backend):
    f = model([{"name": "x"}, {"name": "y"}], [{"name": "c", "expression": "x + y <= 5"}], "3*x + 2*y")
    d = solve_formulation(f, backend=backend).diagnosis
    assert d.kind == "suspicious"
    assert any("Every variable is 0" in w for w in d.warnings)


def test_clean_optimum_is_ok():
    f = model([{"name": "x"}], [{"name": "c", "expression": "x >= 2"}], "x")
    d = solve_formulation(f).diagnosis
    assert d.kind == "ok" and d.warnings == []


@pytest.mark.parametrize("name, description, expected", [
    ("workers", None, True),
    ("numTrucks", "", True),
    ("x", "how many buses to buy", True),
    ("make", "units to make", True),
    ("labor", "hours of labor per worker", False),
    ("flow", "tons shipped", False),
    ("invest", "fraction of budget", False),
])
def test_looks_like_count(name, description, expected):
    assert looks_like_count(name, description) is expected


# ----------------------------------------------------------------- other statuses

def test_time_limit_and_error_summaries():
    f = model([{"name": "x"}], [{"name": "c", "expression": "x >= 2"}], "x")
    lp = build(f)
    d = diagnose(f, lp, Result(status="time_limit_no_solution"))
    assert d.kind == "time_limit" and "time limit" in d.summary
    d = diagnose(f, lp, Result(status="error", message="Solve error"))
    assert d.kind == "error" and "Solve error" in d.summary
    r = Result(status="time_limit_feasible", objective=2.0, bound=1.5, gap=0.25,
               variables=[{"name": "x", "index": [], "value": 2.0}])
    d = diagnose(f, lp, r)
    assert d.kind == "time_limit" and "25.00%" in d.summary


# ----------------------------------------------------------------- shipped examples

from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

MODELS = REPO / "problems" / "models"
WITH_DIAGNOSIS = sorted(p for p in MODELS.glob("*.yaml")
                        if "conflict:" in p.read_text() or "unbounded_variables:" in p.read_text())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", WITH_DIAGNOSIS, ids=[p.stem for p in WITH_DIAGNOSIS])
def test_shipped_examples_name_the_right_things(backend, path):
    from optimus.formulation import load_formulation, read_model_file

    expected = read_model_file(path)["expected"]
    r = solve_formulation(load_formulation(path), backend=backend)
    d = r.diagnosis
    if "conflict" in expected:
        assert d.kind == "infeasible" and d.conflict_method == "iis"
        want = {(c["constraint"], tuple(c.get("index") or [])) for c in expected["conflict"]}
        got = {(c.get("constraint") or c.get("variable"), tuple(c["index"])) for c in d.conflict}
        assert got == want
    if "unbounded_variables" in expected:
        assert d.kind == "unbounded"
        assert {v["name"] for v in d.unbounded_variables} == set(expected["unbounded_variables"])


def test_shipped_examples_exist():
    names = {p.stem for p in WITH_DIAGNOSIS}
    assert any("infeasible" in n for n in names) and any("unbounded" in n for n in names)


def test_diagnose_without_formulation_and_never_raises():
    f = model([{"name": "workers"}], [{"name": "c", "expression": "2*workers >= 5"}], "workers")
    lp = build(f)
    r = solve_formulation(f)
    assert diagnose(f, lp, r).kind == "suspicious"
    assert diagnose(None, lp, r).kind == "ok"  # no names to judge: only the all-zero check
    weird = Result(status="optimal", variables=[{"name": "x", "index": [], "value": 1.0}] * 3)
    assert diagnose(f, lp, weird).kind in ("ok", "suspicious")  # mismatched lengths: skipped


def test_unbounded_lists_every_unconstrained_improving_variable():
    f = Formulation.model_validate({
        "name": "shelves",
        "sets": [{"name": "P", "elements": ["oak", "pine", "elm"]}],
        "variables": [{"name": "chairs", "upper": 40}, {"name": "shelves", "index": ["P"]},
                      {"name": "waste", "index": ["P"]}],
        "constraints": [{"name": "cap", "expression": "chairs <= 30"}],
        "objective": {"sense": "maximize",
                      "expression": "chairs + sum(2 * shelves[p] - waste[p] for p in P)"}})
    d = solve_formulation(f).diagnosis
    got = {(v["name"], tuple(v["index"])) for v in d.unbounded_variables}
    assert got == {("shelves", ("oak",)), ("shelves", ("pine",)), ("shelves", ("elm",))}
