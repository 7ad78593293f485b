"""What-if: ``--set`` overrides, re-solve, and whether the duals predicted the change."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from optimus.cli import main
from optimus.errors import UserError
from optimus.formulation import load_formulation
from optimus.pipeline import SolveOptions, solve_model
from optimus.whatif import apply_overrides, parse_override, what_if

MODELS = Path(str(files("optimus.problems") / "models"))


def _w(model: str, *sets: str):
    f = load_formulation(MODELS / f"{model}.yaml")
    report = what_if(f, [parse_override(s) for s in sets])
    return report, report.result.what_if


def test_parse() -> None:
    assert parse_override("budget=500").index is None
    o = parse_override("cost['New York', 3] = 7.5")
    assert (o.name, o.index, o.value) == ("cost", ("New York", "3"), 7.5)
    for bad in ("budget", "budget=", "budget=abc", "=3", "x[a=3", "x['a]=3", "x[a,]=1",
                "x=inf", "x=nan"):
        with pytest.raises(UserError):
            parse_override(bad)


def test_inside_the_range_the_dual_predicts_the_objective() -> None:
    report, w = _w("dakota_furniture", "available[finishing]=21")
    assert w.kind == "rhs" and w.within_range is True and w.prediction_held is True
    assert w.objective_before == pytest.approx(280)
    assert w.predicted_objective == pytest.approx(280 + 10 * 1)
    assert report.result.objective == pytest.approx(290)
    assert w.plan_changed is False
    assert "stays inside the range" in w.explanation and "predicted the objective 280 -> 290" \
        in w.explanation
    assert w.changes[0].before == 20 and w.changes[0].after == 21


def test_beyond_the_range_the_plan_changes() -> None:
    report, w = _w("dakota_furniture", "available[finishing]=30")  # range 16..24
    assert w.within_range is False and w.prediction_held is False
    assert w.predicted_objective == pytest.approx(380)  # what the dual alone would say
    assert report.result.objective == pytest.approx(320)
    assert w.plan_changed is True and "goes beyond the range" in w.explanation


@pytest.mark.parametrize("model", ["dakota_furniture", "wyndor_glass", "diet", "transportation",
                                   "crop_planning"])
def test_every_binding_rhs_moves_the_objective_by_dual_times_change(model: str) -> None:
    """For each constraint whose rhs is one parameter entry: a step inside its range moves
    the objective by dual * step (and is said to be inside); a step past it is outside."""
    f = load_formulation(MODELS / f"{model}.yaml")
    base = solve_model(f, SolveOptions(sensitivity=True))
    tried = 0
    for c in base.sensitivity.constraints:
        if not c.rhs_parameter or c.sense == "range":
            continue
        lo, hi = c.rhs_range
        step = 0.5 * min(1.0, hi - c.rhs) if hi is not None and hi > c.rhs else (
            1.0 if hi is None else -0.5 * min(1.0, c.rhs - lo))
        w = what_if(f, [parse_override(f"{c.rhs_parameter}={c.rhs + step}")]).result.what_if
        assert w.within_range is True, c.label
        assert w.objective_after == pytest.approx(base.result.objective + c.dual * step,
                                                  rel=1e-7, abs=1e-7), c.label
        assert w.prediction_held is True
        tried += 1
        if hi is not None and c.binding:
            beyond = what_if(f, [parse_override(f"{c.rhs_parameter}={hi + 1}")]).result.what_if
            assert beyond.within_range is False, c.label
    assert tried


def test_costs_inside_and_outside_their_range() -> None:
    _, w = _w("dakota_furniture", "profit[tables]=33")  # tables enter above 35
    assert w.kind == "cost" and w.within_range is True and w.plan_changed is False
    assert w.objective_after == pytest.approx(280)
    _, w = _w("dakota_furniture", "profit[tables]=40")
    assert w.within_range is False and w.plan_changed is True
    assert any(v["name"] == "make" and v["index"] == ["tables"] and v["after"] > 0
               for v in w.variables)


def test_several_changes_use_the_hundred_percent_rule() -> None:
    # plant2 range 6..18 (room up 6), plant3 12..24 (room up 6): 3/6 + 3/6 = 100%
    _, w = _w("wyndor_glass", "available[plant2]=15", "available[plant3]=21")
    assert w.within_range is True
    assert w.predicted_objective == pytest.approx(36 + 1.5 * 3 + 1 * 3)
    assert w.prediction_held is True
    _, w = _w("wyndor_glass", "available[plant2]=16", "available[plant3]=22")  # 4/6 + 4/6
    assert w.within_range is False


def test_coefficient_changes_are_not_predicted() -> None:
    _, w = _w("dakota_furniture", "use[finishing,desks]=5")
    assert w.kind == "coefficients" and w.within_range is None
    assert "no dual predicts" in w.explanation


def test_data_files_pairs_scalars_and_mips() -> None:
    # a table read from a CSV file
    f = load_formulation(MODELS / "transportation_large.yaml")
    g, changes = apply_overrides(f, [parse_override("cost[plant1,m01]=99")])
    assert changes[0].after == 99 and g.parameter("cost").data is None
    assert f.parameter("cost").data is not None  # the original is untouched
    # a pair-indexed table (arcs)
    report, w = _w("min_cost_flow", "capacity[a,b]=3")
    assert w.changes[0].index == ["a", "b"] and report.result.objective is not None
    # a scalar; the infeasible model becomes feasible when the gadget line grows
    report, w = _w("infeasible_production", "line_capacity[gadgets]=130")
    assert w.status_before == "infeasible" and w.status_after == "optimal"
    assert "the model is optimal (it was infeasible)" in w.explanation
    # a MIP: the duals hold with the integers fixed only
    _, w = _w("knapsack", "capacity=401")
    assert w.within_range is None and "integer" in w.explanation


@pytest.mark.parametrize("arg, message", [
    ("availble=3", "did you mean `available`?"),
    ("available[finish]=3", "is not an element of set Resources"),
    ("available=3", "is indexed by Resources"),
    ("available[lumber,desks]=3", "takes 1 index value(s)"),
    ("available[lumber]=lots", "is not a number"),
])
def test_bad_overrides_exit_2(arg: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(MODELS / "dakota_furniture.yaml"), "--set", arg])
    out, err = capsys.readouterr()
    assert code == 2 and message in " ".join(err.split()) and "Traceback" not in err + out


def test_scalar_with_an_index_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(MODELS / "knapsack.yaml"), "--set", "capacity[x]=3"])
    assert code == 2 and "is a scalar parameter" in capsys.readouterr().err


def test_cli_json_and_console(capsys: pytest.CaptureFixture[str]) -> None:
    model = str(MODELS / "dakota_furniture.yaml")
    assert main(["run", model, "--set", "available[finishing]=21", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["objective"] == pytest.approx(290)
    assert data["what_if"]["within_range"] is True
    assert data["what_if"]["changes"] == [{"parameter": "available", "index": ["finishing"],
                                           "before": 20.0, "after": 21.0}]
    assert main(["run", model, "--json"]) == 0
    assert "what_if" not in json.loads(capsys.readouterr().out)
    assert main(["run", model, "--set", "available[finishing]=30",
                 "--set", "profit[chairs]=21"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "What if" in out and "with available[finishing]=30" in out
    assert "Right-hand sides and costs changed together" in out
