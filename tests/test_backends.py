"""Both backends (HiGHS and PuLP/CBC) on the same programs, and the cross-check."""

from __future__ import annotations

import json
import random
import tempfile

import pytest

from optimus.build import build
from optimus.crosscheck import CrossCheck, compare_results
from optimus.pipeline import cross_check
from optimus.formulation import Formulation
from optimus.result import Result, Status
from optimus.pipeline import solve_formulation, solve_program as solve_lp
from optimus.solvers import SolverOptions, get_backend
from optimus.solvers.pulp_cbc import PulpBackend, _parse_log, map_cbc_status

BACKENDS = ["highs", "pulp"]


def model(variables, constraints, objective, sense="minimize", **extra) -> Formulation:
    return Formulation.model_validate({"name": "t", "variables": variables,
                                       "constraints": constraints,
                                       "objective": {"sense": sense, "expression": objective},
                                       **extra})


def production_lp() -> Formulation:
    return model([{"name": "x"}, {"name": "y"}],
                 [{"name": "cap", "expression": "x + 2*y <= 4"},
                  {"name": "spread", "expression": "1 <= x - y <= 3"}],
                 "3*x + 4*y + 7", "maximize")


def transport_lp() -> Formulation:
    S, D = ["s1", "s2", "s3"], ["d1", "d2", "d3", "d4"]
    rnd = random.Random(7)
    cost = [{"index": [s, d], "value": rnd.randint(1, 20)} for s in S for d in D]
    return Formulation.model_validate({
        "name": "transport",
        "sets": [{"name": "S", "elements": S}, {"name": "D", "elements": D}],
        "parameters": [
            {"name": "supply", "index": ["S"], "values": [{"index": [s], "value": v} for s, v in zip(S, [40, 50, 60])]},
            {"name": "demand", "index": ["D"], "values": [{"index": [d], "value": v} for d, v in zip(D, [30, 35, 40, 25])]},
            {"name": "cost", "index": ["S", "D"], "values": cost}],
        "variables": [{"name": "ship", "index": ["S", "D"]}],
        "constraints": [
            {"name": "out", "forall": "s in S", "expression": "sum(ship[s, d] for d in D) <= supply[s]"},
            {"name": "meet", "forall": "d in D", "expression": "sum(ship[s, d] for s in S) >= demand[d]"}],
        "objective": {"sense": "minimize", "expression": "sum(cost[s, d] * ship[s, d] for s in S for d in D)"}})


def knapsack_mip() -> Formulation:
    items = ["a", "b", "c", "d", "e"]
    w = [12, 7, 11, 8, 9]
    v = [24, 13, 23, 15, 16]
    return Formulation.model_validate({
        "name": "knap",
        "sets": [{"name": "I", "elements": items}],
        "parameters": [{"name": "w", "index": ["I"], "values": [{"index": [i], "value": x} for i, x in zip(items, w)]},
                       {"name": "v", "index": ["I"], "values": [{"index": [i], "value": x} for i, x in zip(items, v)]}],
        "variables": [{"name": "take", "index": ["I"], "domain": "binary"}],
        "constraints": [{"name": "cap", "expression": "sum(w[i] * take[i] for i in I) <= 26"}],
        "objective": {"sense": "maximize", "expression": "sum(v[i] * take[i] for i in I)"}})


def general_int_mip() -> Formulation:
    return model([{"name": "x", "domain": "integer"}, {"name": "y", "domain": "integer", "upper": 10}],
                 [{"name": "cap", "expression": "2*x + 3*y <= 12.5"},
                  {"name": "mix", "expression": "x - y >= -2"}],
                 "3*x + 4*y + 7", "maximize")


def market_split() -> Formulation:
    """40 binaries, 4 equality knapsacks: far too hard to finish in a fraction of a second."""
    rnd = random.Random(3)
    items = [f"i{k}" for k in range(40)]
    rows = [f"k{k}" for k in range(4)]
    vals, rhs = [], []
    for k in rows:
        a = [rnd.randint(0, 99) for _ in items]
        vals += [{"index": [k, i], "value": x} for i, x in zip(items, a)]
        rhs.append({"index": [k], "value": sum(a) // 2})
    return Formulation.model_validate({
        "name": "market_split",
        "sets": [{"name": "I", "elements": items}, {"name": "K", "elements": rows}],
        "parameters": [{"name": "a", "index": ["K", "I"], "values": vals},
                       {"name": "b", "index": ["K"], "values": rhs}],
        "variables": [{"name": "x", "index": ["I"], "domain": "binary"}],
        "constraints": [{"name": "split", "forall": "k in K",
                         "expression": "sum(a[k, i] * x[i] for i in I) == b[k]"}],
        "objective": {"sense": "minimize", "expression": "sum(x[i] for i in I)"}})


# ----------------------------------------------------------------- same answers

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("make, expected", [
    (production_lp, 7 + 34 / 3),
    (transport_lp, None),  # checked against the other backend below
    (knapsack_mip, 51.0),
    (general_int_mip, 25.0),
])
def test_backends_solve_to_the_same_optimum(backend, make, expected):
    f = make()
    r = solve_formulation(f, backend=backend)
    assert r.status == "optimal"
    assert r.backend == backend
    ref = expected if expected is not None else solve_formulation(f, backend="highs").objective
    assert r.objective == pytest.approx(ref, rel=1e-6)
    assert r.bound == pytest.approx(r.objective, rel=1e-6)
    assert r.gap == pytest.approx(0.0, abs=1e-6)
    assert len(r.variables) == build(f).num_cols


@pytest.mark.parametrize("backend", BACKENDS)
def test_mip_values_are_integral(backend):
    r = solve_formulation(knapsack_mip(), backend=backend)
    assert all(v.value in (0.0, 1.0) for v in r.variables)
    assert sum(v.value for v in r.variables) > 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("make, status", [
    (lambda: model([{"name": "x", "upper": 5}], [{"name": "need", "expression": "x >= 10"}], "x"),
     "infeasible"),
    (lambda: model([{"name": "x", "domain": "integer"}], [{"name": "half", "expression": "2*x == 1"}], "x"),
     "infeasible"),
    (lambda: model([{"name": "x"}, {"name": "y"}], [{"name": "c", "expression": "x - y <= 2"}],
                   "x + y", "maximize"),
     "unbounded"),
    (lambda: model([{"name": "x", "domain": "integer"}, {"name": "y", "domain": "integer"}],
                   [{"name": "c", "expression": "x - y <= 2"}], "x + y", "maximize"),
     "infeasible_or_unbounded"),
    (lambda: model([{"name": "x"}], [{"name": "c", "expression": "0*x >= 5"}], "x"), "infeasible"),
])
def test_statuses_map_the_same_way(backend, make, status):
    r = solve_formulation(make(), backend=backend, diagnose=False)
    assert r.status == status
    assert r.objective is None and r.variables == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_time_limit_is_honoured(backend):
    r = solve_formulation(market_split(), backend=backend, time_limit=0.05, diagnose=False)
    assert r.status in ("time_limit_feasible", "time_limit_no_solution")


@pytest.mark.parametrize("backend", BACKENDS)
def test_objective_offset_is_kept(backend):
    f = model([{"name": "x"}], [{"name": "c", "expression": "x >= 5"}], "2*x + 100")
    assert solve_formulation(f, backend=backend).objective == pytest.approx(110.0)


def test_pulp_prints_nothing_and_leaves_no_files(capfd, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    r = solve_formulation(knapsack_mip(), backend="pulp")
    assert r.status == "optimal"
    out, _ = capfd.readouterr()
    assert out == ""
    assert list(tmp_path.iterdir()) == []


def test_get_backend_names():
    assert get_backend("pulp").name == "pulp"
    assert get_backend("cbc").name == "pulp"
    assert isinstance(get_backend("pulp"), PulpBackend)


def test_pulp_mip_gap_option_is_accepted():
    r = solve_lp(build(knapsack_mip()), "pulp", SolverOptions(mip_gap=0.5))
    assert r.status == "optimal"
    assert r.objective <= 51.0 + 1e-9


# ----------------------------------------------------------------- CBC status mapping

@pytest.mark.parametrize("line, log, is_mip, status", [
    ("Optimal - objective value 3.0", "", False, Status.OPTIMAL),
    ("Infeasible - objective value 10", "", False, Status.INFEASIBLE),
    ("Integer infeasible - objective value 0.5", "", True, Status.INFEASIBLE),
    ("Unbounded - objective value 0", "", False, Status.UNBOUNDED),
    ("Unbounded - objective value 0", "", True, Status.INFEASIBLE_OR_UNBOUNDED),
    ("Stopped on time - objective value 16633930.0", "Result - Stopped on time limit\n", True,
     Status.TIME_LIMIT_FEASIBLE),
    ("Stopped on time (no integer solution - continuous used) - objective value 15.6",
     "Result - Stopped on time limit\nNo feasible solution found\n", True,
     Status.TIME_LIMIT_NO_SOLUTION),
    ("Status unknown", "Result - Problem proven infeasible\n", True, Status.INFEASIBLE),
    ("", "Result - Optimal solution found\n", True, Status.OPTIMAL),
    ("Stopped on difficulties", "", True, Status.TIME_LIMIT_NO_SOLUTION),
    ("garbage", "", True, Status.UNKNOWN),
])
def test_map_cbc_status(line, log, is_mip, status):
    assert map_cbc_status(line, _parse_log(log), is_mip) == status


def test_parse_cbc_log_bound():
    log = _parse_log("Result - Stopped on time limit\n\nObjective value:    16633930.0\n"
                     "Upper bound:                    16633970.226\nGap: -0.00\n")
    assert log["result"] == "Stopped on time limit"
    assert log["objective"] == 16633930.0
    assert log["bound"] == 16633970.226


# ----------------------------------------------------------------- cross-check

@pytest.mark.parametrize("make", [production_lp, transport_lp, knapsack_mip, general_int_mip])
def test_cross_check_agrees(make):
    cc = cross_check(make())
    assert isinstance(cc, CrossCheck)
    assert cc.agree, cc.differences
    assert set(cc.results) == {"highs", "pulp"}
    data = cc.to_json_dict()
    json.dumps(data)
    assert data["agree"] is True and data["results"]["pulp"]["status"] == "optimal"


def test_cross_check_infeasible_and_unbounded_agree():
    inf = model([{"name": "x", "upper": 5}], [{"name": "need", "expression": "x >= 10"}], "x")
    cc = cross_check(inf)
    assert cc.agree and {r.status for r in cc.results.values()} == {"infeasible"}
    assert cc.results["pulp"].diagnosis.kind == "infeasible"
    unb = model([{"name": "x", "domain": "integer"}, {"name": "y", "domain": "integer"}],
                [{"name": "c", "expression": "x - y <= 2"}], "x + y", "maximize")
    cc = cross_check(unb)
    assert cc.agree
    assert cc.results["highs"].diagnosis.kind == "unbounded"


def test_cross_check_invalid_formulation():
    f = model([{"name": "x"}], [{"name": "c", "expression": "x + nope >= 1"}], "x")
    cc = cross_check(f)
    assert all(r.status == "error" and r.diagnosis.kind == "invalid" for r in cc.results.values())


def _r(status, objective=None, bound=None, gap=None):
    return Result(status=status, objective=objective, bound=bound, gap=gap)


def test_compare_reports_objective_disagreement():
    diffs, _ = compare_results({"highs": _r("optimal", 100.0), "pulp": _r("optimal", 101.0)})
    assert len(diffs) == 1 and "objectives differ" in diffs[0]


def test_compare_tolerates_rounding_and_mip_gap():
    assert compare_results({"highs": _r("optimal", 18.333333333), "pulp": _r("optimal", 18.33333322)})[0] == []
    ab = {"highs": _r("optimal", 1000.0, 999.0, 0.001), "pulp": _r("optimal", 999.5, 999.5, 0.0)}
    assert compare_results(ab, is_mip=True)[0] == []
    assert compare_results(ab, is_mip=False)[0] != []  # an LP has no gap to hide behind


def test_compare_reports_status_disagreement():
    diffs, _ = compare_results({"highs": _r("optimal", 1.0), "pulp": _r("infeasible")})
    assert diffs == ["status differs: highs optimal vs pulp infeasible"]
    assert compare_results({"highs": _r("error"), "pulp": _r("time_limit_no_solution")})[0]


def test_compare_compatible_statuses():
    for a, b in [("infeasible", "infeasible_or_unbounded"), ("unbounded", "infeasible_or_unbounded"),
                 ("optimal", "time_limit_no_solution")]:
        diffs, notes = compare_results({"highs": _r(a, 1.0 if a == "optimal" else None), "pulp": _r(b)})
        assert diffs == [] and notes
    diffs, _ = compare_results({"highs": _r("unbounded"), "pulp": _r("infeasible")})
    assert diffs


def test_compare_time_limited_solution_against_bound():
    # minimize: a time-limited objective of 90 beats the other's proven optimum 100 -> wrong
    diffs, _ = compare_results({"highs": _r("optimal", 100.0, 100.0), "pulp": _r("time_limit_feasible", 90.0, 80.0)},
                               sense="minimize", is_mip=True)
    assert diffs and "better than" in diffs[0]
    diffs, notes = compare_results({"highs": _r("optimal", 100.0, 100.0),
                                    "pulp": _r("time_limit_feasible", 120.0, 95.0)},
                                   sense="minimize", is_mip=True)
    assert diffs == [] and notes


@pytest.mark.parametrize("backend", BACKENDS)
def test_columns_in_no_row_keep_their_bounds(backend):
    f = model([{"name": "x"}, {"name": "z", "lower": 5, "upper": 9},
               {"name": "w", "domain": "integer", "lower": 3}],
              [{"name": "c", "expression": "x >= 1"}], "x")
    r = solve_formulation(f, backend=backend)
    assert (r.value("x"), r.value("z"), r.value("w")) == (1.0, 5.0, 3.0)
    g = model([{"name": "x"}, {"name": "w", "domain": "integer", "lower": 3.2, "upper": 3.7}],
              [{"name": "c", "expression": "x >= 1"}], "x")
    assert solve_formulation(g, backend=backend, diagnose=False).status == "infeasible"


@pytest.mark.parametrize("backend", BACKENDS)
def test_free_and_negative_bounds_and_ranges(backend):
    f = model([{"name": "x", "lower": None, "upper": -3},
               {"name": "y", "domain": "integer", "lower": -5, "upper": 5}],
              [{"name": "r", "expression": "-4 <= x + y <= 10"},
               {"name": "e", "expression": "x - y == -2"}], "x + 2*y")
    r = solve_formulation(f, backend=backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(-5.0)
    assert (r.value("x"), r.value("y")) == (pytest.approx(-3.0), -1.0)


# ----------------------------------------------------------------- shipped models

from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

SHIPPED = sorted((REPO / "problems" / "models").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_models_cross_check(path):
    from optimus.formulation import load_formulation, read_model_file

    expected = read_model_file(path).get("expected") or {}
    cc = cross_check(load_formulation(path))
    assert cc.agree, cc.differences
    for name, r in cc.results.items():
        if expected.get("status"):
            assert r.status == expected["status"], name


def test_cross_check_text():
    text = cross_check(production_lp()).text()
    assert "highs: optimal" in text and "pulp: optimal" in text and "Backends agree." in text
