"""The smallest change that restores feasibility (``diagnosis.relaxation``), and the
unbounded diagnosis in words."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from optimus.cli import main
from optimus.formulation import Formulation, load_formulation
from optimus.pipeline import solve_model, solve_program
from optimus.result import Status

MODELS = Path(str(files("optimus.problems") / "models"))
INFEASIBLE = [p for p in sorted(MODELS.glob("*.yaml"))
              if yaml.safe_load(p.read_text())["expected"]["status"] == "infeasible"]


def _apply(lp, entries):
    """``lp`` with the entries' limits moved to ``needed``."""
    moved = copy.copy(lp)
    moved.row_lower, moved.row_upper = lp.row_lower.copy(), lp.row_upper.copy()
    moved.col_lower, moved.col_upper = lp.col_lower.copy(), lp.col_upper.copy()
    for e in entries:
        if e.kind == "row":
            i = lp.row_keys.index((e.constraint, tuple(e.index)))
            if e.sense in (">=", "==") and e.current == lp.row_lower[i]:
                moved.row_lower[i] = e.needed
            if e.sense in ("<=", "==") and e.current == lp.row_upper[i]:
                moved.row_upper[i] = e.needed
        else:
            j = lp.col_keys.index((e.variable, tuple(e.index)))
            if e.kind == "lower bound":
                moved.col_lower[j] = e.needed
            else:
                moved.col_upper[j] = e.needed
    return moved


def _options(d):
    out: dict[int, list] = {}
    for e in d.relaxation:
        out.setdefault(e.option, []).append(e)
    return out


def _check_options(report) -> None:
    """Every option restores feasibility; half of each single change does not."""
    lp = report.program
    for option, entries in _options(report.result.diagnosis).items():
        assert solve_program(_apply(lp, entries)).status == Status.OPTIMAL, option
        if len(entries) == 1 and not lp.is_mip:
            e = entries[0]
            half = e.model_copy(update={"needed": (e.current + e.needed) / 2})
            assert solve_program(_apply(lp, [half])).status == Status.INFEASIBLE, option


@pytest.mark.parametrize("path", INFEASIBLE, ids=[p.stem for p in INFEASIBLE])
def test_infeasible_example_models_report_the_minimal_change(path: Path) -> None:
    expected = yaml.safe_load(path.read_text())["expected"]["relaxation"]
    report = solve_model(load_formulation(path))
    d = report.result.diagnosis
    got = [{"constraint": e.constraint, "index": e.index, "current": e.current,
            "needed": e.needed} for e in d.relaxation]
    for want in expected:
        assert want in got, (want, got)
    _check_options(report)


def test_gadgets_in_words_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    report = solve_model(load_formulation(MODELS / "infeasible_production.yaml"))
    d = report.result.diagnosis
    assert d.relaxation_text() == ("meet_demand[gadgets]: 120 -> 100 (demand[gadgets]), or "
                                   "line_capacity_limit[gadgets]: 100 -> 120 "
                                   "(line_capacity[gadgets])")
    assert "Smallest change that makes it feasible: meet_demand[gadgets]: 120 -> 100" in d.text()
    assert d.conflict  # beside the IIS
    code = main(["run", str(MODELS / "infeasible_production.yaml"), "--json"])
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    rel = data["diagnosis"]["relaxation"]
    assert data["diagnosis"]["conflict"]
    assert all({"constraint", "index", "current", "needed"} <= set(e) for e in rel)
    assert {"constraint": "meet_demand", "index": ["gadgets"], "current": 120.0,
            "needed": 100.0} in [{k: e[k] for k in ("constraint", "index", "current", "needed")}
                                 for e in rel]
    main(["run", str(MODELS / "infeasible_production.yaml")])
    out = " ".join(capsys.readouterr().out.split())
    assert "meet_demand[gadgets]: 120 -> 100" in out and "100 -> 120" in out


def _f(data: dict) -> Formulation:
    return Formulation.model_validate(data)


def test_the_minimum_is_over_all_constraints() -> None:
    """A farm needs 240 labor hours for its contracts with 200 available: the cheapest fix
    (in units) is 20 fewer acres of corn, not 40 more hours or 40 fewer acres of wheat."""
    f = _f({"sets": [{"name": "Crops", "elements": ["wheat", "corn"]}],
            "parameters": [{"name": "hours", "index": ["Crops"], "values": [
                {"index": ["wheat"], "value": 1}, {"index": ["corn"], "value": 2}]},
                {"name": "contract", "index": ["Crops"], "values": [
                    {"index": ["wheat"], "value": 100}, {"index": ["corn"], "value": 70}]},
                {"name": "labor_available", "value": 200}],
            "variables": [{"name": "acres", "index": ["Crops"]}],
            "constraints": [
                {"name": "labor", "expression": "sum(hours[c] * acres[c] for c in Crops) <= labor_available"},
                {"name": "meet_contract", "forall": "c in Crops", "expression": "acres[c] >= contract[c]"}],
            "objective": {"sense": "minimize", "expression": "sum(acres[c] for c in Crops)"}})
    report = solve_model(f)
    opts = _options(report.result.diagnosis)
    first = opts[1]
    assert [(e.constraint, e.index, e.current, e.needed, e.parameter) for e in first] == \
        [("meet_contract", ["corn"], 70, 50, "contract[corn]")]
    singles = {(e.constraint, tuple(e.index)): e.needed for o, es in opts.items() if o > 1 for e in es}
    assert singles[("labor", ())] == 240
    assert singles[("meet_contract", ("wheat",))] == 60
    _check_options(report)


def test_a_mip_infeasible_only_from_integrality() -> None:
    f = _f({"variables": [{"name": "x", "domain": "integer"}, {"name": "y", "domain": "integer"}],
            "constraints": [{"name": "even", "expression": "2*x + 2*y == 7"}],
            "objective": {"sense": "minimize", "expression": "x + y"}})
    report = solve_model(f)
    d = report.result.diagnosis
    assert "only because of integrality" in d.summary
    assert sorted(e.needed for e in d.relaxation) == [6, 8]
    _check_options(report)


def test_teams_of_three_need_a_multiple_of_three() -> None:
    """Integer teams of 3 must staff exactly 10 seats: 9 or 12 seats would do."""
    f = _f({"variables": [{"name": "teams", "domain": "integer", "upper": 10}],
            "constraints": [{"name": "seats", "expression": "3 * teams == 10"}],
            "objective": {"sense": "minimize", "expression": "teams"}})
    report = solve_model(f)
    d = report.result.diagnosis
    assert [(e.option, e.current, e.needed) for e in d.relaxation] == [(1, 10, 9), (2, 10, 12)]
    _check_options(report)


def test_a_variable_bound_can_be_the_change() -> None:
    f = _f({"variables": [{"name": "x", "upper": 5}],
            "constraints": [{"name": "need", "expression": "x >= 8"}],
            "objective": {"sense": "minimize", "expression": "x"}})
    report = solve_model(f)
    d = report.result.diagnosis
    assert d.relaxation_text() == "need: 8 -> 5, or x (upper bound): 5 -> 8"
    bound = [e for e in d.relaxation if e.kind == "upper bound"][0]
    assert bound.variable == "x" and bound.constraint == "x"
    _check_options(report)


# --------------------------------------------------------------------------- unbounded
def test_unbounded_in_words() -> None:
    report = solve_model(load_formulation(MODELS / "unbounded_production.yaml"))
    d = report.result.diagnosis
    shelves = [v for v in d.unbounded_variables if v.name == "shelves"][0]
    assert "appears in no constraint" in shelves.missing and "upper bound" in shelves.missing
    assert "shelves (increases): it appears in no constraint" in d.text()


def test_unbounded_with_only_minimums() -> None:
    f = _f({"variables": [{"name": "x"}],
            "constraints": [{"name": "need", "expression": "x >= 3"}],
            "objective": {"sense": "maximize", "expression": "x"}})
    d = solve_model(f).result.diagnosis
    x = d.unbounded_variables[0]
    assert "need" in x.missing and "a maximum such as a capacity" in x.missing
