"""Issue 12, part B: indicator constraints, several objectives, computed parameters and
convex quadratic objectives. Per construct: compile, solve (both backends where the
construct allows), LaTeX, Unicode, Pyomo script agreement, a wrong use with its message,
and a diagnosis that names the user's constraint; the optima of the model files are
recomputed here independently (enumeration, numpy, scipy)."""

from __future__ import annotations

import itertools
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from optimus.build import build
from optimus.checks import check
from optimus.export import write_lp, write_mps
from optimus.formulation import Formulation, load_formulation, strict_json_schema
from optimus.pipeline import SolveOptions, solve_formulation, solve_model
from optimus.render.latex import to_markdown
from optimus.render.pyomo_code import to_pyomo_script
from optimus.render.unicode_math import to_unicode

MODELS = Path(__file__).resolve().parent.parent / "problems" / "models"


def _run_script(f: Formulation, tmp_path: Path) -> tuple[str, float | None]:
    script = tmp_path / "model.py"
    script.write_text(to_pyomo_script(f), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    status = re.search(r"^status: (\S+)", proc.stdout, re.M)
    obj = re.search(r"^objective: (\S+)", proc.stdout, re.M)
    assert status and obj, proc.stdout
    return status.group(1), None if obj.group(1) == "None" else float(obj.group(1))


def _close(a: float | None, b: float, tol: float = 1e-6) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=tol, abs_tol=tol)


# =========================================================================== indicators
def fixed_charge(**changes: Any) -> Formulation:
    data = {
        "sets": [{"name": "P", "elements": ["a", "b"]}],
        "parameters": [{"name": "cap", "index": ["P"], "values": [
            {"index": ["a"], "value": 30}, {"index": ["b"], "value": 50}]}],
        "variables": [{"name": "x", "index": ["P"], "upper": 60},
                      {"name": "open", "index": ["P"], "domain": "binary"}],
        "constraints": [
            {"name": "demand", "expression": "sum(x[p] for p in P) >= 40"},
            {"name": "capacity", "forall": "p in P", "expression": "x[p] <= cap[p]",
             "when": "open[p] == 1"},
            {"name": "closed", "forall": "p in P", "expression": "x[p] == 0",
             "when": "open[p] == 0"}],
        "objective": {"sense": "minimize",
                      "expression": "x['a'] + 2*x['b'] + 10*open['a'] + 5*open['b']"}}
    data.update(changes)
    return Formulation.model_validate(data)


def test_indicator_compiles_to_tight_big_m_per_row_and_side() -> None:
    lp = build(fixed_charge())
    rows = {}
    for i, key in enumerate(lp.row_keys):
        idx, val = lp.row(i)
        rows.setdefault(key, []).append(
            ({lp.col_name(int(j)): float(v) for j, v in zip(idx, val)},
             float(lp.row_lower[i]), float(lp.row_upper[i])))
    # x[a] <= 30 when open[a] == 1: M = 60 - 30 = 30 -> x[a] + 30 open[a] <= 60
    assert rows[("capacity", ("a",))] == [({"x[a]": 1.0, "open[a]": 30.0}, -math.inf, 60.0)]
    assert rows[("capacity", ("b",))] == [({"x[b]": 1.0, "open[b]": 10.0}, -math.inf, 60.0)]
    # x[a] == 0 when open[a] == 0: the <= side with M = 60, the >= side always holds
    assert rows[("closed", ("a",))] == [({"x[a]": 1.0, "open[a]": -60.0}, -math.inf, 0.0),
                                        ({"x[a]": 1.0}, 0.0, math.inf)]
    # no auxiliary row names: every row is the user's constraint
    assert {k[0] for k in lp.row_keys} == {"demand", "capacity", "closed"}


@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_indicator_solves_on_both_backends(backend: str) -> None:
    # enumerate open sets: {a}: cap 30 < 40; {b}: 40*2 + 5 = 85; {a, b}: 30 + 20 + 15 = 65
    r = solve_formulation(fixed_charge(), backend=backend)
    assert r.status == "optimal" and _close(r.objective, 65.0)


def test_indicator_renders_with_an_arrow() -> None:
    f = fixed_charge()
    assert r"\mathit{open}_{p} = 1 \Rightarrow x_{p} \leq \mathit{cap}_{p}" in to_markdown(f)
    assert "capacity: open[p] = 1 ⇒ x[p] ≤ cap[p]   ∀ p ∈ P" in to_unicode(f)


def test_indicator_script_agrees(tmp_path: Path) -> None:
    assert _run_script(fixed_charge(), tmp_path) == ("optimal", pytest.approx(65.0))


def test_indicator_without_a_bound_names_the_variable() -> None:
    f = fixed_charge(variables=[{"name": "x", "index": ["P"]},
                                {"name": "open", "index": ["P"], "domain": "binary"}])
    issues = solve_model(f).issues
    assert issues and issues[0].code == "indicator_bound"
    assert "`x[a]` has no upper bound" in issues[0].message
    assert "Give variable `x` an `upper` bound" in issues[0].fix


@pytest.mark.parametrize("when, words", [
    ("x[p] == 1", "not binary"), ("open[p] >= 1", "is not of the form"),
    ("open[p] == 2", "must be 0 or 1"), ("shut[p] == 1", "unknown symbol `shut`")])
def test_indicator_wrong_use(when: str, words: str) -> None:
    f = fixed_charge()
    f.constraints[1].when = when
    issues = check(f)
    assert len(issues) == 1 and words in issues[0].message and issues[0].fix


def test_indicator_diagnosis_names_the_users_constraint() -> None:
    f = fixed_charge()
    f.constraints.append(f.constraints[0].model_copy(update={
        "name": "only_a", "expression": "open['b'] == 0"}))
    r = solve_formulation(f)
    assert r.status == "infeasible"
    names = {c.get("constraint") for c in r.diagnosis.conflict if c.get("constraint")}
    assert names and names <= {"demand", "capacity", "closed", "only_a"}  # no auxiliary row
    assert "only_a" in r.diagnosis.text()


# =========================================================================== objectives
def goals(**changes: Any) -> Formulation:
    data = {
        "variables": [{"name": "x", "upper": 8}, {"name": "y", "upper": 7}],
        "constraints": [{"name": "assembly", "expression": "x + y <= 10"}],
        "objective": None,
        "objectives": [
            {"name": "profit", "sense": "maximize", "expression": "2*x + 2*y", "priority": 1},
            {"name": "chairs", "sense": "maximize", "expression": "y", "priority": 2},
            {"name": "tables", "sense": "minimize", "expression": "x", "priority": 2,
             "weight": 2}]}
    data.update(changes)
    return Formulation.model_validate(data)


@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_objectives_lexicographic_on_both_backends(backend: str) -> None:
    r = solve_formulation(goals(), backend=backend)
    assert r.status == "optimal"
    assert r.objectives == pytest.approx({"profit": 20.0, "chairs": 7.0, "tables": 3.0})
    assert _close(r.objective, 20.0)
    data = r.to_json_dict()
    assert data["objectives"] == pytest.approx({"profit": 20.0, "chairs": 7.0, "tables": 3.0})


def test_objectives_values_in_console_and_markdown() -> None:
    from rich.console import Console

    from optimus.render.console import print_result

    r = solve_formulation(goals())
    assert "  - tables: $3$" in to_markdown(goals(), r)
    console = Console(record=True, width=100)
    print_result(console, r)
    text = console.export_text()
    assert "profit" in text and "chairs" in text and "tables" in text


def test_objectives_priority_order_matters() -> None:
    f = goals()
    f.objectives[0].priority = 3  # profit last: y = 7 first, x = 0, then profit 14
    r = solve_formulation(f)
    assert r.objectives == pytest.approx({"profit": 14.0, "chairs": 7.0, "tables": 0.0})


def test_objectives_equal_priority_blend_is_sense_aware() -> None:
    lp = build(goals())
    assert [lv.names for lv in lp.objective_levels] == [["profit"], ["chairs", "tables"]]
    level = lp.objective_levels[1]
    assert level.sense == "maximize"
    assert dict(zip(lp.col_names(), level.cost.tolist())) == {"x": -2.0, "y": 1.0}


def test_objectives_render_and_json_schema() -> None:
    f = goals()
    md = to_markdown(f)
    assert "## Objectives" in md and r"**profit** (priority 1, weight 1): $\max \quad 2 \cdot x" \
        not in md
    assert "1. **profit** (priority 1, weight 1)" in md
    uni = to_unicode(f)
    assert "1. profit: max 2 x + 2 y   (priority 1, weight 1)" in uni
    assert "2. tables: min x   (priority 2, weight 2)" in uni
    props = strict_json_schema()["properties"]
    assert "objectives" in props and "objective" in props


def test_objectives_script_agrees(tmp_path: Path) -> None:
    assert _run_script(goals(), tmp_path) == ("optimal", pytest.approx(20.0))


@pytest.mark.parametrize("change, words", [
    ({"objectives": None}, "give `objective`"),
    ({"objective": {"sense": "minimize", "expression": "x"}}, "not both")])
def test_objectives_field_rules(change: dict, words: str) -> None:
    from optimus.errors import UserError
    from optimus.formulation import formulation_from_data

    data = goals().to_dict()
    data.update(change)
    with pytest.raises(UserError) as err:
        formulation_from_data(data)
    assert words in str(err.value)


def test_objectives_wrong_weights() -> None:
    f = goals()
    f.objectives[1].weight = -1
    f.objectives[2].weight = 1e7
    msgs = [i.message for i in check(f)]
    assert any("weight -1" in m for m in msgs)
    assert any("huge weight folds a priority" in m for m in msgs)


def test_objectives_diagnosis_names_the_users_constraint() -> None:
    f = goals()
    f.constraints.append(f.constraints[0].model_copy(update={
        "name": "at_least", "expression": "x + y >= 12"}))
    r = solve_formulation(f)
    assert r.status == "infeasible"
    assert {c.get("constraint") for c in r.diagnosis.conflict if c.get("constraint")} == {"assembly", "at_least"}


# =========================================================================== parameters
def distances(**changes: Any) -> Formulation:
    data = {
        "sets": [{"name": "Customers", "elements": ["c1", "c2"]},
                 {"name": "Sites", "elements": ["s1", "s2"]},
                 {"name": "Ops", "elements": ["o1", "o2", "o3"]}],
        "parameters": [
            {"name": "cx", "index": ["Customers"], "values": [
                {"index": ["c1"], "value": 0}, {"index": ["c2"], "value": 3}]},
            {"name": "cy", "index": ["Customers"], "values": [
                {"index": ["c1"], "value": 0}, {"index": ["c2"], "value": 4}]},
            {"name": "sx", "index": ["Sites"], "values": [
                {"index": ["s1"], "value": 0}, {"index": ["s2"], "value": 6}]},
            {"name": "sy", "index": ["Sites"], "values": [
                {"index": ["s1"], "value": 0}, {"index": ["s2"], "value": 8}]},
            {"name": "dist", "index": ["Customers", "Sites"],
             "forall": "c in Customers, s in Sites",
             "expression": "sqrt((cx[c] - sx[s])**2 + (cy[c] - sy[s])**2)"},
            {"name": "scale", "expression": "ceil(exp(log(2.5))) + round(2.345, 2) + floor(-0.5) "
                                            "+ abs(-1) + min(1, 2) + max(1, 2) + 2**3"},
            {"name": "machine", "index": ["Ops"], "values": [
                {"index": ["o1"], "value": "M1"}, {"index": ["o2"], "value": "M2"},
                {"index": ["o3"], "value": "M1"}]}],
        "variables": [{"name": "a", "index": ["Customers", "Sites"], "upper": 1},
                      {"name": "y", "index": ["Ops"], "upper": 5}],
        "constraints": [
            {"name": "one", "forall": "c in Customers",
             "expression": "sum(a[c, s] for s in Sites) == 1"},
            {"name": "m1_only", "forall": "o in Ops if machine[o] == 'M1'",
             "expression": "y[o] <= 2"}],
        "objective": {"sense": "minimize", "expression":
                      "sum(dist[c, s] * a[c, s] for c in Customers for s in Sites) "
                      "- sum(y[o] for o in Ops) + scale"}}
    data.update(changes)
    return Formulation.model_validate(data)


def test_computed_parameters_compile_exactly() -> None:
    from optimus.checks import analyze

    sym = analyze(distances()).symbols
    assert sym.params["dist"][1] == {("c1", "s1"): 0.0, ("c1", "s2"): 10.0,
                                      ("c2", "s1"): 5.0, ("c2", "s2"): 5.0}
    assert sym.params["scale"][1] == pytest.approx(3 + 2.35 - 1 + 1 + 1 + 2 + 8)
    assert sym.params["machine"][1] == {("o1",): "M1", ("o2",): "M2", ("o3",): "M1"}


@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_computed_parameters_solve(backend: str) -> None:
    # c1 -> s1 (0), c2 -> 5; y: o1, o3 at most 2, o2 at 5: -9; scale 16.35
    r = solve_formulation(distances(), backend=backend)
    assert r.status == "optimal" and _close(r.objective, 5 - 9 + 16.35)


def test_computed_parameters_render_their_definition() -> None:
    f = distances()
    md = to_markdown(f)
    assert (r"\mathit{dist}_{c, s} = \sqrt{\left(\mathit{cx}_{c} - \mathit{sx}_{s}\right)^{2} + "
            r"\left(\mathit{cy}_{c} - \mathit{sy}_{s}\right)^{2}} \quad \forall c \in "
            r"\mathit{Customers},\ s \in \mathit{Sites}") in md
    uni = to_unicode(f)
    assert "dist[c, s] = √((cx[c] - sx[s])² + (cy[c] - sy[s])²)   ∀ c ∈ Customers, s ∈ Sites" in uni
    assert "machine[o], o ∈ Ops: {o1: M1, o2: M2, o3: M1}" in uni


def test_computed_parameters_script_computes_them(tmp_path: Path) -> None:
    code = to_pyomo_script(distances())
    assert "math.sqrt(" in code and "eval(" not in code
    assert _run_script(distances(), tmp_path) == ("optimal", pytest.approx(5 - 9 + 16.35))


@pytest.mark.parametrize("param, words", [
    ({"name": "bad", "index": ["Customers"], "forall": "c in Customers",
      "expression": "sqrt(cx[c] - 1)"}, "square root of the negative number -1 (computing "
                                        "parameter `bad` at ['c1'])"),
    ({"name": "bad", "index": ["Customers"], "forall": "c in Customers",
      "expression": "log(cx[c])"}, "logarithm of 0"),
    ({"name": "bad", "index": ["Customers"], "expression": "cx[c]"}, "has no `forall`"),
    ({"name": "bad", "index": ["Customers"], "forall": "s in Sites", "expression": "1"},
     "iterates ['Sites'] but its index is ['Customers']"),
    ({"name": "bad", "expression": "bad + 1"}, "depends on itself"),
    ({"name": "bad", "expression": "sqrt(y['o1'])"}, "sqrt() of a decision variable"),
    ({"name": "bad", "expression": "2**5000"}, "the limit is"),
])
def test_computed_parameters_wrong_use(param: dict, words: str) -> None:
    f = distances()
    f.parameters.append(type(f.parameters[0]).model_validate(param))
    issues = check(f)
    assert issues, words
    assert words in issues[0].message, issues[0].message
    assert issues[0].fix


def test_computed_parameter_diagnosis_names_the_users_constraint() -> None:
    f = distances()
    f.constraints.append(f.constraints[0].model_copy(update={
        "name": "far", "forall": None, "expression": "sum(dist[c, s] * a[c, s] for c in "
                                                     "Customers for s in Sites) >= 100"}))
    r = solve_formulation(f)
    assert r.status == "infeasible"
    names = {c.get("constraint") for c in r.diagnosis.conflict if c.get("constraint")}
    assert "far" in names and names <= {"one", "m1_only", "far"}


# =========================================================================== quadratic
def least_squares(**changes: Any) -> Formulation:
    data = {
        "sets": [{"name": "I", "range": [0, 4]}],
        "parameters": [
            {"name": "t", "index": ["I"], "values": [{"index": [i], "value": i} for i in range(5)]},
            {"name": "y", "index": ["I"], "values": [
                {"index": [i], "value": v} for i, v in enumerate([1.1, 2.9, 5.2, 7.1, 8.8])]}],
        "variables": [{"name": "a", "lower": None}, {"name": "b", "lower": None}],
        "objective": {"sense": "minimize",
                      "expression": "sum((a + b * t[i] - y[i])**2 for i in I)"}}
    data.update(changes)
    return Formulation.model_validate(data)


def test_quadratic_compiles_to_an_exact_hessian() -> None:
    lp = build(least_squares())
    # sum (a + b t - y)^2 = 5 a^2 + 2*10 a b + 30 b^2 - 2*25.1 a - 2*69.8 b + sum y^2
    assert lp.hessian.terms == pytest.approx({(0, 0): 5.0, (0, 1): 20.0, (1, 1): 30.0})
    assert lp.cost.tolist() == pytest.approx([-50.2, -139.6])
    assert lp.offset == pytest.approx(sum(v * v for v in [1.1, 2.9, 5.2, 7.1, 8.8]))


def test_quadratic_solves_with_highs_and_matches_numpy() -> None:
    t = np.arange(5.0)
    y = np.array([1.1, 2.9, 5.2, 7.1, 8.8])
    b, a = np.polyfit(t, y, 1)
    r = solve_formulation(least_squares())
    assert r.status == "optimal"
    assert _close(r.objective, float(((a + b * t - y) ** 2).sum()))
    assert _close(r.value("a"), a, 1e-5) and _close(r.value("b"), b, 1e-5)


def test_quadratic_pulp_refuses_and_cross_check_skips_it() -> None:
    r = solve_formulation(least_squares(), backend="pulp")
    assert r.status == "error" and "cannot solve a quadratic objective" in r.message
    report = solve_model(least_squares(), SolveOptions(cross_check=True))
    assert report.cross_check.agree and any("quadratic" in n for n in report.cross_check.notes)


def test_quadratic_renders_as_written() -> None:
    f = least_squares()
    assert r"\left(a + b \, t_{i} - y_{i}\right)^{2}" in to_markdown(f)
    assert "(a + b·t[i] - y[i])²" in to_unicode(f)


def test_quadratic_script_agrees(tmp_path: Path) -> None:
    status, obj = _run_script(least_squares(), tmp_path)
    assert status == "optimal" and _close(obj, 0.092, 1e-5)


def test_quadratic_export_carries_the_hessian(tmp_path: Path) -> None:
    lp = build(least_squares())
    text = write_lp(lp, tmp_path / "m.lp").read_text()
    assert "[ +10 a * a +40 a * b +60 b * b  ]/2" in text  # LP format: the Hessian
    mps = write_mps(lp, tmp_path / "m.mps").read_text()
    assert "QUADOBJ" in mps or "QMATRIX" in mps


@pytest.mark.parametrize("objective, words", [
    ({"sense": "minimize", "expression": "a * b"}, "not convex"),
    ({"sense": "maximize", "expression": "a**2"}, "not concave"),
    ({"sense": "minimize", "expression": "a**3"}, "a power of a decision variable"),
    ({"sense": "minimize", "expression": "a * b * a"}, "nonlinear term"),
])
def test_quadratic_wrong_use(objective: dict, words: str) -> None:
    issues = solve_model(least_squares(objective=objective)).issues
    assert issues and words in issues[0].message
    assert "piecewise" in issues[0].fix


def test_quadratic_integer_and_constraint_are_refused() -> None:
    f = least_squares(variables=[{"name": "a", "lower": None, "domain": "integer"},
                                 {"name": "b", "lower": None}])
    issue = solve_model(f).issues[0]
    assert issue.code == "quadratic_integer" and "piecewise" in issue.fix
    f = least_squares(constraints=[{"name": "q", "expression": "a * b <= 3"}])
    issue = check(f)[0]
    assert "nonlinear term `a * b`" in issue.message and "piecewise" in issue.fix


def test_quadratic_diagnosis_names_the_users_constraint() -> None:
    f = least_squares(constraints=[{"name": "low", "expression": "a <= 1"},
                                   {"name": "high", "expression": "a >= 2"}])
    r = solve_formulation(f)
    assert r.status == "infeasible"
    assert {c.get("constraint") for c in r.diagnosis.conflict if c.get("constraint")} == {"low", "high"}


# =========================================================================== model files
def test_model_files_optima_recomputed_independently() -> None:
    """The expected optima of the part-B model files, recomputed without optimus."""
    from scipy.optimize import linprog, minimize

    def exp(name: str) -> float:
        import yaml

        return float(yaml.safe_load((MODELS / f"{name}.yaml").read_text())["expected"]["objective"])

    # fixed charge: enumerate the open plants, fill cheapest first
    cap, fixed, unit = {"a": 30, "b": 50, "c": 40}, {"a": 100, "b": 180, "c": 120}, \
        {"a": 5, "b": 3, "c": 4}
    best = math.inf
    for k in (1, 2, 3):
        for s in itertools.combinations(cap, k):
            left, cost = 70, sum(fixed[p] for p in s)
            for p in sorted(s, key=unit.get):
                take = min(left, cap[p])
                cost, left = cost + take * unit[p], left - take
            if left == 0:
                best = min(best, cost)
    assert best == exp("fixed_charge_when")
    # facility: enumerate the open depots
    cust = {"c1": (0, 0), "c2": (4, 0), "c3": (0, 3), "c4": (5, 5)}
    sites = {"s1": (1, 1), "s2": (4, 3), "s3": (2, 5)}
    dem, fix = {"c1": 10, "c2": 20, "c3": 15, "c4": 5}, {"s1": 30, "s2": 25, "s3": 20}
    best = min(sum(fix[s] for s in S) + sum(dem[c] * min(math.dist(cust[c], sites[s]) for s in S)
                                            for c in cust)
               for k in (1, 2, 3) for S in itertools.combinations(sites, k))
    assert math.isclose(best, exp("facility_distances_sqrt"), rel_tol=1e-12)
    # least squares: numpy
    t, y = np.arange(5.0), np.array([1.1, 2.9, 5.2, 7.1, 8.8])
    b, a = np.polyfit(t, y, 1)
    assert math.isclose(((a + b * t - y) ** 2).sum(), exp("least_squares_line"), rel_tol=1e-9)
    # portfolio: scipy SLSQP
    mu = np.array([0.10, 0.14, 0.07])
    cov = np.array([[0.04, 0.006, 0.002], [0.006, 0.09, 0.004], [0.002, 0.004, 0.01]])
    res = minimize(lambda w: w @ cov @ w, np.ones(3) / 3, method="SLSQP", bounds=[(0, None)] * 3,
                   constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1},
                                {"type": "ineq", "fun": lambda w: w @ mu - 0.10}],
                   options={"ftol": 1e-15, "maxiter": 1000})
    assert math.isclose(res.fun, exp("portfolio_variance_qp"), rel_tol=1e-6)
    # machine lookup: scipy linprog
    res = linprog([-5, -6, -9, -2], A_ub=[[2, 0, 4, 0], [0, 3, 0, 1]], b_ub=[80, 60],
                  bounds=[(5, 30), (0, 20), (5, 15), (0, 40)])
    assert math.isclose(-res.fun, exp("machine_lookup"), rel_tol=1e-9)


@pytest.mark.parametrize("name", ["fixed_charge_when", "goal_programming_lex",
                                  "facility_distances_sqrt", "least_squares_line",
                                  "portfolio_variance_qp", "machine_lookup"])
def test_model_file_uses_its_construct(name: str) -> None:
    f = load_formulation(MODELS / f"{name}.yaml")
    used = {"when": any(c.when for c in f.constraints), "objectives": bool(f.objectives),
            "computed": any(p.expression for p in f.parameters),
            "text": any(isinstance(e.value, str) for p in f.parameters for e in p.values or []),
            "quadratic": build(f).hessian is not None}
    assert any(used.values()), name
