"""Sensitivity (shadow prices, slacks, reduced costs, ranges): textbook values, an
independent computation with scipy's ``linprog`` marginals on every LP of
``problems/models``, finite differences, MIPs (integers fixed), sizes, the CLI."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from optimus.build import build
from optimus.cli import main
from optimus.formulation import Formulation, load_formulation
from optimus.pipeline import SolveOptions, solve_model

MODELS = Path(str(files("optimus.problems") / "models"))
def _plain_lp(p: Path) -> bool:
    lp = build(load_formulation(p))  # no duals for a QP or for several objectives
    return not lp.is_mip and lp.hessian is None and not lp.objective_levels


LP_MODELS = [p for p in sorted(MODELS.glob("*.yaml")) if _plain_lp(p)
             and yaml.safe_load(p.read_text())["expected"]["status"] == "optimal"]


def _sens(name: str, **kw):
    f = load_formulation(MODELS / f"{name}.yaml")
    report = solve_model(f, SolveOptions(**kw))
    return f, report


# --------------------------------------------------------------------------- textbook values
@pytest.mark.parametrize("name", ["dakota_furniture", "wyndor_glass"])
def test_textbook_values(name: str) -> None:
    """The model files carry the textbook's duals, slacks and ranges in ``expected``."""
    expected = yaml.safe_load((MODELS / f"{name}.yaml").read_text())["expected"]["sensitivity"]
    _, report = _sens(name)
    s = report.sensitivity
    assert s is not None and s.basis == "lp"
    for e in expected["constraints"]:
        c = s.constraint(e["name"], *e["index"])
        assert c is not None, e
        assert c.dual == pytest.approx(e["dual"], abs=1e-9), e
        assert c.slack == pytest.approx(e["slack"], abs=1e-9), e
        assert c.binding == (e["slack"] == 0)
        for got, want in zip(c.rhs_range, e["rhs_range"]):
            assert (got is None) == (want is None) and (want is None or got == pytest.approx(want)), e
    for e in expected["variables"]:
        v = s.variable(e["name"], *e["index"])
        assert v is not None, e
        assert v.value == pytest.approx(e["value"], abs=1e-9)
        assert v.reduced_cost == pytest.approx(e["reduced_cost"], abs=1e-9)
        for got, want in zip(v.cost_range, e["cost_range"]):
            assert (got is None) == (want is None) and (want is None or got == pytest.approx(want)), e


def test_dakota_in_words_and_json_shape() -> None:
    _, report = _sens("dakota_furniture")
    text = " ".join(report.sensitivity.sentences())
    assert "resource_limit[finishing] binds: each extra unit of available[finishing]" in text
    assert "adds 10 to the objective (revenue in dollars)" in text
    assert "from 16 to 24 (now 20)" in text
    assert "resource_limit[lumber] has 24 to spare (uses 24 of 48)" in text
    assert "make[tables] is 0; it would be worth making if profit[tables] (now 30) rose above 35" in text
    data = json.loads(json.dumps(report.to_json_dict(), allow_nan=False))
    sens = data["sensitivity"]
    assert set(sens) >= {"constraints", "variables"}
    for c in sens["constraints"]:
        assert {"name", "index", "activity", "slack", "dual", "rhs_range"} <= set(c)
        assert isinstance(c["index"], list) and len(c["rhs_range"]) == 2
    for v in sens["variables"]:
        assert {"name", "index", "value", "reduced_cost", "cost_range"} <= set(v)
    fin = next(c for c in sens["constraints"] if c["index"] == ["finishing"])
    assert fin["dual"] == 10 and fin["rhs_range"] == [16, 24] and fin["binding"] is True
    lumber = next(c for c in sens["constraints"] if c["index"] == ["lumber"])
    assert lumber["rhs_range"] == [24, None]  # infinity as null
    tables = next(v for v in sens["variables"] if v["index"] == ["tables"])
    assert tables["reduced_cost"] == -5 and tables["cost_range"] == [None, 35]


# --------------------------------------------------------------------------- independent checks
def _scipy_duals(lp):
    """Duals of ``lp`` from scipy's linprog marginals, in our convention (d objective /
    d right-hand side, in the objective's own sense), and the reduced costs."""
    A = csr_matrix((lp.a_value, lp.a_index, lp.a_start), shape=(lp.num_rows, lp.num_cols))
    sign = -1.0 if lp.sense == "maximize" else 1.0  # linprog minimizes
    eq = np.flatnonzero(lp.row_lower == lp.row_upper)
    up = np.flatnonzero(np.isfinite(lp.row_upper) & (lp.row_lower != lp.row_upper))
    lo = np.flatnonzero(np.isfinite(lp.row_lower) & (lp.row_lower != lp.row_upper))
    ub_rows = len(up) + len(lo)
    bounds = [(None if not np.isfinite(a) else a, None if not np.isfinite(b) else b)
              for a, b in zip(lp.col_lower, lp.col_upper)]
    res = linprog(sign * lp.cost,
                  A_ub=vstack([A[up], -A[lo]]) if ub_rows else None,
                  b_ub=np.concatenate([lp.row_upper[up], -lp.row_lower[lo]]) if ub_rows else None,
                  A_eq=A[eq] if len(eq) else None, b_eq=lp.row_lower[eq] if len(eq) else None,
                  bounds=bounds, method="highs")
    assert res.status == 0, res.message
    y = np.zeros(lp.num_rows)
    if ub_rows:
        m = res.ineqlin.marginals
        y[up] += sign * m[: len(up)]
        y[lo] -= sign * m[len(up):]  # the row was negated: b = -lower
    if len(eq):
        y[eq] = sign * res.eqlin.marginals
    rc = sign * (res.lower.marginals + res.upper.marginals)
    return sign * res.fun, y, rc


@pytest.mark.parametrize("path", LP_MODELS, ids=[p.stem for p in LP_MODELS])
def test_duals_match_scipy_on_every_lp(path: Path) -> None:
    f = load_formulation(path)
    report = solve_model(f, SolveOptions(sensitivity=True))
    s = report.sensitivity
    lp = report.program
    user_rows = [i for i in range(lp.num_rows) if not lp.is_aux_row(i)]  # constructs' rows hidden
    assert s is not None and len(s.constraints) == len(user_rows)
    obj, y, rc = _scipy_duals(lp)
    assert report.result.objective == pytest.approx(obj, rel=1e-9, abs=1e-9)
    ours = np.array([c.dual for c in s.constraints])
    y = y[user_rows]
    assert np.allclose(ours, y, atol=1e-6), list(zip(lp.row_names(), ours, y))
    ours_rc = np.array([v.reduced_cost for v in s.variables])
    assert np.allclose(ours_rc, rc[:lp.num_user_cols], atol=1e-6)


@pytest.mark.parametrize("name", ["dakota_furniture", "wyndor_glass", "diet", "blending"])
def test_duals_are_finite_differences(name: str) -> None:
    """Moving one binding right-hand side by a step inside its range moves the
    objective by dual * step (re-solving the changed program from scratch)."""
    from optimus.pipeline import solve_program

    f, report = _sens(name)
    lp, s = report.program, report.sensitivity
    for i, c in enumerate(s.constraints):
        if not c.binding or c.sense == "range":
            continue
        lo, hi = c.rhs_range
        if hi is None or hi > c.rhs + 1e-9:  # room above: step up
            step = 0.25 * (1.0 if hi is None else min(1.0, hi - c.rhs))
        else:  # step down
            step = -0.25 * (1.0 if lo is None else min(1.0, c.rhs - lo))
        moved = lp.relaxed()
        moved.row_lower, moved.row_upper = lp.row_lower.copy(), lp.row_upper.copy()
        if c.sense in ("<=", "=="):
            moved.row_upper[i] += step
        if c.sense in (">=", "=="):
            moved.row_lower[i] += step
        r = solve_program(moved)
        assert r.objective == pytest.approx(report.result.objective + c.dual * step,
                                            rel=1e-7, abs=1e-7), (c.label, step)


# --------------------------------------------------------------------------- MIPs, sizes
def test_mip_sensitivity_is_from_the_lp_with_integers_fixed() -> None:
    _, report = _sens("knapsack")
    s = report.sensitivity
    assert s is not None and s.basis == "fixed_integers"
    assert "integer variables fixed" in s.note
    assert s.constraints and all(v.cost_range == [None, None] for v in s.variables)
    assert "held at their optimum" in s.text()


def _many(n: int) -> Formulation:
    return Formulation.model_validate({
        "sets": [{"name": "I", "elements": list(range(n))}],
        "variables": [{"name": "x", "index": ["I"], "upper": 1}],
        "constraints": [{"name": "cap", "expression": "sum(x[i] for i in I) <= 10"}],
        "objective": {"sense": "maximize", "expression": "sum(x[i] for i in I)"}})


def test_automatic_only_for_small_models() -> None:
    assert solve_model(_many(10)).sensitivity is not None
    assert solve_model(_many(10), SolveOptions(sensitivity=False)).sensitivity is None
    big = _many(500)
    assert solve_model(big).sensitivity is None
    forced = solve_model(big, SolveOptions(sensitivity=True)).sensitivity
    assert forced is not None and forced.constraint("cap").dual == pytest.approx(1.0)


def test_no_sensitivity_without_an_optimum() -> None:
    _, report = _sens("infeasible_production", sensitivity=True)
    assert report.sensitivity is None
    assert report.to_json_dict()["sensitivity"] is None


# --------------------------------------------------------------------------- the CLI
def test_cli_json_and_console(capsys: pytest.CaptureFixture[str]) -> None:
    model = str(MODELS / "dakota_furniture.yaml")
    assert main(["run", model, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sensitivity"]["constraints"][1]["dual"] == 10
    assert main(["run", model, "--json", "--no-sensitivity"]) == 0
    assert json.loads(capsys.readouterr().out)["sensitivity"] is None
    assert main(["run", model]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Sensitivity" in out and "24 to spare" in out and "rose above 35" in out


# --------------------------------------------------------------------------- the Pyomo script
def _script_duals(path: Path, tmp: Path) -> tuple[str, dict[str, float]]:
    import subprocess
    import sys

    from optimus.render.pyomo_code import to_pyomo_script

    f = load_formulation(path)
    script = tmp / f"{path.stem}.py"
    script.write_text(to_pyomo_script(f), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), "--duals"], capture_output=True,
                          text=True, timeout=300, cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    duals = {}
    for line in proc.stdout.splitlines():
        if line.startswith("dual "):
            label, value = line[5:].rsplit(" = ", 1)
            duals[label] = float(value)
    return proc.stdout, duals


def test_pyomo_script_prints_the_same_duals(tmp_path: Path) -> None:
    """The emitted script, run with --duals, reads HiGHS's duals through Pyomo's dual
    suffix: they match ours on every LP, and the objective line is unchanged."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda p: _script_duals(p, tmp_path), LP_MODELS))
    for path, (out, duals) in zip(LP_MODELS, runs):
        report = solve_model(load_formulation(path), SolveOptions(sensitivity=True))
        assert f"objective: {report.result.objective!r}"[:16] in out, path.stem
        lp = report.program
        if lp.aux_rows is not None:  # abs/max/piecewise: the script's own auxiliary rows
            continue  # differ from ours, so the full duals are not comparable row by row
        names = lp.row_names()
        assert set(duals) == set(names), path.stem
        theirs = np.array([duals[n] for n in names])
        ours = np.array([c.dual for c in report.sensitivity.constraints])
        target = report.result.objective - lp.offset
        assert _dual_objective(lp, ours) == pytest.approx(target, rel=1e-7, abs=1e-7)
        if not np.allclose(theirs, ours, atol=1e-6):  # a degenerate LP: duals not unique
            assert _dual_objective(lp, theirs) == pytest.approx(target, rel=1e-6, abs=1e-6), \
                path.stem


def _dual_objective(lp, y: np.ndarray, tol: float = 1e-7) -> float:
    """The dual objective of ``y`` (our sign convention); +-inf if ``y`` is not dual
    feasible. Equal to the optimum exactly when ``y`` is an optimal dual (strong duality)."""
    A = csr_matrix((lp.a_value, lp.a_index, lp.a_start), shape=(lp.num_rows, lp.num_cols))
    s = -1.0 if lp.sense == "maximize" else 1.0  # the minimization form: min s*c x
    ym = s * y
    d = s * lp.cost - A.T @ ym  # reduced costs of the minimization form
    total = 0.0
    for value, lo, hi in [*zip(ym, lp.row_lower, lp.row_upper), *zip(d, lp.col_lower, lp.col_upper)]:
        if value > tol:
            if not np.isfinite(lo):
                return float("inf")
            total += value * lo
        elif value < -tol:
            if not np.isfinite(hi):
                return float("inf")
            total += value * hi
    return s * total


def test_pyomo_script_duals_of_a_mip(tmp_path: Path) -> None:
    out, duals = _script_duals(MODELS / "knapsack.yaml", tmp_path)
    assert not duals and "duals: none" in out and "objective: 1030" in out
