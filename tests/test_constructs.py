"""abs/min/max/piecewise of linear expressions, strict inequalities and semi-continuous
variables (optimus.constructs): compile, solve (both backends), render, script, wrong
uses and diagnoses in the user's terms. Optima are checked against brute force."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from optimus.build import build
from optimus.checks import check
from optimus.formulation import Formulation, load_formulation
from optimus.pipeline import SolveOptions, solve_model
from optimus.render.latex import expr_to_latex
from optimus.render.pyomo_code import to_pyomo_script
from optimus.render.unicode_math import expr_to_unicode

MODELS = Path(__file__).resolve().parents[1] / "problems" / "models"


def model(variables, objective, constraints=(), sense="minimize", **extra) -> Formulation:
    return Formulation.model_validate({
        "variables": list(variables), "constraints": list(constraints),
        "objective": {"sense": sense, "expression": objective}, **extra})


def solve(f: Formulation, backend: str = "highs"):
    r = solve_model(f, SolveOptions(backend=backend))
    return r


def build_issues(f: Formulation) -> list:
    r = solve_model(f, SolveOptions(solve=False))
    return r.issues


# --------------------------------------------------------------------------- abs/min/max
@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_minimax_is_an_lp_and_optimal(backend: str) -> None:
    f = load_formulation(MODELS / "minimax_facility.yaml")
    r = solve(f, backend)
    assert not r.program.is_mip  # a minimized max of abs: epigraph, no binary
    assert r.result.objective == pytest.approx(9.0)
    brute = min(max(abs(s / 10 - p) for p in (2, 7, 11, 20)) for s in range(0, 301))
    assert r.result.objective == pytest.approx(brute)
    # aux columns never appear in the solution
    assert [v.name for v in r.result.variables] == ["station"]


@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_max_maximized_uses_binaries_with_tight_big_m(backend: str) -> None:
    f = model([{"name": "x", "upper": 4}, {"name": "y", "upper": 3}], "max(x, 2*y)",
              [{"name": "c", "expression": "x + y <= 5"}], sense="maximize")
    r = solve(f, backend)
    assert r.program.is_mip
    assert r.result.objective == pytest.approx(6.0)
    lp = r.program
    big_m = [abs(v) for v in lp.a_value.tolist() if abs(v) not in (0.0, 1.0, 2.0)]
    assert big_m and max(big_m) <= 6.0  # from the bounds: max U - L = 6, never 1e6


def test_min_on_the_large_side_is_binary_free_and_exact_elsewhere() -> None:
    vs = [{"name": "x", "upper": 10}, {"name": "y", "upper": 10}]
    f = model(vs, "x + y", [{"name": "c", "expression": "min(x, 2*y) >= 4"}])
    r = solve(f)
    assert not r.program.is_mip and r.result.objective == pytest.approx(6.0)
    g = model(vs, "x - y", [{"name": "c", "expression": "min(x, 2*y) <= 4"},
                            {"name": "d", "expression": "x >= 6"}])
    r = solve(g)
    assert r.program.is_mip and r.result.objective == pytest.approx(4.0)  # x = 6, y = 2


def test_strict_abs_max_brute_force() -> None:
    f = load_formulation(MODELS / "strict_integer_mix.yaml")
    best = max(3 * x + 2 * y for x, y in itertools.product(range(21), repeat=2)
               if x + y < 10 and abs(x - y) <= 2 and max(x, y) >= 5)
    for backend in ("highs", "pulp"):
        assert solve(f, backend).result.objective == pytest.approx(best)


def test_max_over_data_is_a_number() -> None:
    f = model([{"name": "x"}], "x", [{"name": "c", "expression": "x >= max(d[i] for i in I)"}],
              sets=[{"name": "I", "elements": [1, 2, 3]}],
              parameters=[{"name": "d", "index": ["I"], "values": [
                  {"index": [1], "value": 4}, {"index": [2], "value": 9},
                  {"index": [3], "value": 2}]}])
    r = solve(f)
    assert r.program.num_cols == 1 and r.result.objective == pytest.approx(9.0)


def test_missing_bound_names_the_variable() -> None:
    f = model([{"name": "x"}, {"name": "y", "upper": 3}], "max(x, 2*y)",
              [{"name": "c", "expression": "x + y <= 5"}], sense="maximize")
    issues = build_issues(f)
    assert len(issues) == 1
    i = issues[0]
    assert i.code == "needs_bound" and i.symbol == "x"
    assert "`x` has no upper bound" in i.message and "upper" in i.fix
    assert "big-M" in i.fix


def test_wrong_uses_have_fixes() -> None:
    f = model([{"name": "x", "upper": 5}], "max(x)")
    (i,) = check(f)
    assert "two or more" in i.message and i.fix
    g = model([{"name": "x", "upper": 5}], "piecewise(x, [0, 2, 1], [0, 1, 2])")
    (i,) = check(g)
    assert "increase strictly" in i.message and "increasing order" in i.fix
    h = model([{"name": "x", "upper": 5}], "piecewise(x, [0, 2], [0, 1, 2])")
    (i,) = check(h)
    assert "2 x breakpoints but 3 y values" in i.message and i.fix


# --------------------------------------------------------------------------- piecewise
@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_concave_piecewise_minimized_is_exact(backend: str) -> None:
    f = load_formulation(MODELS / "piecewise_quantity_discount.yaml")
    r = solve(f, backend)
    assert r.program.is_mip

    def cost_a(q: float) -> float:
        return 5 * q if q <= 20 else 100 + 4 * (q - 20)

    brute = min(cost_a(qa / 10) + 4.5 * (30 - qa / 10) for qa in range(0, 301)
                if 30 - qa / 10 <= 25)
    assert r.result.objective == pytest.approx(brute)


def test_convex_piecewise_minimized_is_an_lp_and_domain_is_enforced() -> None:
    f = load_formulation(MODELS / "piecewise_overtime.yaml")
    r = solve(f)
    assert not r.program.is_mip and r.result.objective == pytest.approx(870.0)
    g = model([{"name": "x", "upper": 10}], "piecewise(x, [0, 4], [0, 4])",
              [{"name": "c", "expression": "x >= 5"}])
    assert solve(g).result.status == "infeasible"  # x stays within [x0, xn]


def test_piecewise_breakpoints_from_scalar_parameters() -> None:
    f = model([{"name": "x", "upper": 50}], "piecewise(x, [0, k, 50], [0, 10, 100])",
              [{"name": "c", "expression": "x >= 30"}],
              parameters=[{"name": "k", "value": 20}])
    assert solve(f).result.objective == pytest.approx(10 + (30 - 20) * 90 / 30)  # 40


# --------------------------------------------------------------------------- strict, semi
def test_strict_between_integers_becomes_a_margin_of_one() -> None:
    f = model([{"name": "x", "domain": "integer", "upper": 10}], "x",
              [{"name": "c", "expression": "2*x < 7"}], sense="maximize")
    r = solve(f)
    assert r.result.objective == 3.0 and r.program.row_upper[0] == 6.0


def test_strict_with_continuous_is_rejected_with_the_fix() -> None:
    f = model([{"name": "x", "upper": 10}], "x", [{"name": "c", "expression": "x < 7"}],
              sense="maximize")
    (i,) = build_issues(f)
    assert i.code == "strict_inequality" and "`x` is continuous" in i.message
    assert "margin" in i.fix and "integer" in i.fix


@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_semicontinuous_brute_force(backend: str) -> None:
    f = load_formulation(MODELS / "semicontinuous_lots.yaml")
    r = solve(f, backend)

    def allowed(v: float, lo: float, hi: float) -> bool:
        return v == 0 or lo <= v <= hi

    brute = min(2 * a + 3 * b + 4 * c
                for a in range(0, 31) for b in range(0, 41) for c in range(0, 61)
                if a + b + c >= 45 and allowed(a, 25, 30) and allowed(b, 20, 40)
                and allowed(c, 10, 60))
    assert r.result.objective == pytest.approx(brute, rel=1e-6)


def test_semicontinuous_needs_an_upper_bound() -> None:
    f = model([{"name": "x", "domain": "semicontinuous", "lower": 3}], "x", sense="maximize")
    (i,) = check(f)
    assert i.code == "needs_bound" and "upper" in i.fix
    g = model([{"name": "x", "domain": "semiinteger", "lower": 2.5, "upper": 9}], "x",
              [{"name": "c", "expression": "x <= 2.9"}], sense="maximize")
    assert solve(g).result.objective == 0.0


# --------------------------------------------------------------------------- rendering
def test_latex_and_unicode_render_as_written() -> None:
    assert expr_to_latex("abs(x - 2) <= 1") == r"\left|x - 2\right| \leq 1"
    assert expr_to_latex("max(abs(s - p[v]) for v in V)").startswith(r"\max_{v \in V}")
    assert r"\operatorname{piecewise}" in expr_to_latex("piecewise(q, [0, 20], [0, 100])")
    assert expr_to_unicode("max(abs(s - p[v]) for v in V)") == "max_{v ∈ V} |s - p[v]|"
    assert expr_to_unicode("piecewise(q, [0, 20], [0, 100])") == "piecewise(q; (0, 0) (20, 100))"
    assert expr_to_unicode("min(x, 2*y) >= 1") == "min(x, 2 y) ≥ 1"


# --------------------------------------------------------------------------- diagnosis
def test_diagnosis_names_the_users_constraint() -> None:
    f = model([{"name": "x", "lower": -10, "upper": 10}, {"name": "y", "upper": 10}], "y",
              [{"name": "near", "expression": "abs(x - 5) <= 1"},
               {"name": "low", "expression": "x <= 2"}])
    d = solve(f).result.diagnosis
    texts = [e.text for e in d.conflict]
    assert texts == ["near: abs(x - 5) <= 1", "low: x <= 2"]
    assert ".abs" not in d.summary and "and 1 more" not in d.summary
    assert {e.constraint for e in d.relaxation} <= {"near", "low"}
    assert all(e.variable is None or e.variable in ("x", "y") for e in d.relaxation)


def test_sensitivity_hides_auxiliary_rows_and_columns() -> None:
    f = load_formulation(MODELS / "minimax_facility.yaml")
    r = solve_model(f, SolveOptions(sensitivity=True))
    s = r.result.sensitivity
    assert s is not None and [v.name for v in s.variables] == ["station"]
    assert s.constraints == []


def test_lp_export_holds_the_compiled_model(tmp_path: Path) -> None:
    from optimus.export import write_lp, write_mps

    f = load_formulation(MODELS / "semicontinuous_lots.yaml")
    text = write_lp(f, tmp_path / "m.lp").read_text()
    assert re.search(r"semi", text, re.I)
    g = load_formulation(MODELS / "piecewise_quantity_discount.yaml")
    mps = write_mps(g, tmp_path / "m.mps").read_text()
    assert "meet_demand" in mps and "objective.z" in mps  # the binaries of the pieces


@pytest.mark.slow
def test_script_reproduces_an_exact_max(tmp_path: Path) -> None:
    f = model([{"name": "x", "upper": 4}, {"name": "y", "upper": 3}], "max(x, 2*y) - abs(x - y)",
              [{"name": "c", "expression": "x + y <= 5"}], sense="maximize", name="mx")
    ours = solve(f).result.objective
    script = tmp_path / "mx.py"
    script.write_text(to_pyomo_script(f), encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    got = float(re.search(r"^objective: (.+)$", out.stdout, re.M).group(1))
    assert got == pytest.approx(ours)
