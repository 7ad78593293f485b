"""The example models in problems/models reach their documented outcomes.

Every ``problems/models/*.yaml`` (found through the installed package, not a fixed list)
carries an ``expected`` block: status, objective (a textbook value or one computed
independently, named in ``source``), and for the infeasible / unbounded examples the
conflict or the unbounded variables the diagnosis must name. Each model is solved with
both backends, and its emitted Pyomo script is run in a fresh Python process (the
independent check of our expression interpreter).
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from optimus.build import build
from optimus.checks import check
from optimus.formulation import Formulation, load_formulation
from optimus.pipeline import solve_formulation

MODELS_DIR = Path(str(files("optimus.problems") / "models"))
MODEL_FILES = sorted(MODELS_DIR.glob("*.yaml"))
IDS = [p.stem for p in MODEL_FILES]
NON_OPTIMAL = ("infeasible", "unbounded", "infeasible_or_unbounded")

REL_TOL = 1e-6
ABS_TOL = 1e-6


def _expected(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["expected"]


def _load(path: Path) -> tuple[Formulation, dict[str, Any]]:
    return load_formulation(path), _expected(path)


def _close(got: float | None, want: float) -> bool:
    return got is not None and math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL)


# --------------------------------------------------------------------------- the collection
def test_collection_size_and_variety() -> None:
    assert len(MODEL_FILES) >= 20, f"only {len(MODEL_FILES)} models in {MODELS_DIR}"
    sizes = {p.stem: build(load_formulation(p)).num_cols for p in MODEL_FILES}
    large = [name for name, n in sizes.items() if n >= 50]
    assert len(large) >= 5, f"models with >= 50 variables: {large} (sizes {sizes})"

    uses_csv = []
    domains: set[str] = set()
    senses: set[str] = set()
    for p in MODEL_FILES:
        f = load_formulation(p)
        domains |= {v.domain for v in f.variables}
        senses.add(f.main_objective.sense)
        for par in f.parameters:
            if par.data is not None and par.data.path.endswith(".csv"):
                assert (p.parent / par.data.path).exists(), f"{p.name}: {par.data.path} missing"
                uses_csv.append(p.stem)
    assert uses_csv, "no model reads its data from a CSV file"
    assert {"continuous", "integer", "binary"} <= domains
    assert senses == {"minimize", "maximize"}

    statuses = [_expected(p)["status"] for p in MODEL_FILES]
    assert "infeasible" in statuses and "unbounded" in statuses


@pytest.mark.parametrize("path", MODEL_FILES, ids=IDS)
def test_model_is_documented_and_valid(path: Path) -> None:
    f, exp = _load(path)
    assert f.description and len(f.description) > 40, "describe the problem"
    assert exp["status"] in ("optimal",) + NON_OPTIMAL
    assert exp.get("source"), "say where the expected value comes from"
    if exp["status"] == "optimal":
        assert isinstance(exp["objective"], (int, float))
    else:
        assert exp.get("objective") is None
    assert check(f) == []


# --------------------------------------------------------------------------- both backends
@pytest.mark.parametrize("backend", ["highs", "pulp"])
@pytest.mark.parametrize("path", MODEL_FILES, ids=IDS)
def test_expected_outcome(path: Path, backend: str) -> None:
    f, exp = _load(path)
    if backend not in exp.get("backends", ["highs", "pulp"]):  # e.g. a QP: HiGHS only
        result = solve_formulation(f, backend=backend)
        assert result.status == "error" and "quadratic" in (result.message or "")
        return
    result = solve_formulation(f, backend=backend)
    assert result.status == exp["status"], (result.status, result.message)
    for name, value in (exp.get("objectives") or {}).items():  # several objectives
        assert _close((result.objectives or {}).get(name), float(value)), result.objectives
    if exp["status"] == "optimal":
        assert _close(result.objective, float(exp["objective"])), (
            f"{path.stem} [{backend}]: objective {result.objective}, expected "
            f"{exp['objective']} ({exp['source']})")


def _row_conflicts(result: Any) -> set[tuple[str, tuple]]:
    return {(c["constraint"], tuple(c.get("index") or ()))
            for c in result.diagnosis.conflict if c.get("kind", "row") == "row"}


@pytest.mark.parametrize("backend", ["highs", "pulp"])
@pytest.mark.parametrize(
    "path", [p for p in MODEL_FILES if _expected(p).get("conflict")],
    ids=[p.stem for p in MODEL_FILES if _expected(p).get("conflict")])
def test_infeasible_model_names_its_conflict(path: Path, backend: str) -> None:
    f, exp = _load(path)
    result = solve_formulation(f, backend=backend)
    assert result.status == "infeasible"
    assert result.diagnosis is not None and result.diagnosis.kind == "infeasible"
    want = {(c["constraint"], tuple(c.get("index") or ())) for c in exp["conflict"]}
    assert _row_conflicts(result) == want, result.diagnosis.text()
    # the explanation a person reads names the same rows
    text = result.diagnosis.text()
    for name, index in want:
        assert name in text and all(str(i) in text for i in index)


@pytest.mark.parametrize("backend", ["highs", "pulp"])
@pytest.mark.parametrize(
    "path", [p for p in MODEL_FILES if _expected(p).get("unbounded_variables")],
    ids=[p.stem for p in MODEL_FILES if _expected(p).get("unbounded_variables")])
def test_unbounded_model_names_its_variables(path: Path, backend: str) -> None:
    f, exp = _load(path)
    result = solve_formulation(f, backend=backend)
    assert result.status in ("unbounded", "infeasible_or_unbounded")
    assert result.diagnosis is not None
    names = {v["name"] for v in result.diagnosis.unbounded_variables}
    assert names == set(exp["unbounded_variables"]), result.diagnosis.text()


def test_collection_has_diagnosed_examples() -> None:
    assert any(_expected(p).get("conflict") for p in MODEL_FILES)
    assert any(_expected(p).get("unbounded_variables") for p in MODEL_FILES)


# --------------------------------------------------------------------------- Pyomo scripts
_OBJECTIVE = re.compile(r"^\s*objective\s*[:=]\s*(\S+)", re.MULTILINE | re.IGNORECASE)
_STATUS = re.compile(r"^\s*status\s*[:=]\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)


@pytest.fixture(scope="module")
def pyomo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    """Emit every model's Pyomo script and run them all, in parallel fresh processes."""
    import optimus.render.pyomo_code as render
    root = tmp_path_factory.mktemp("pyomo")

    def run(path: Path) -> tuple[str, subprocess.CompletedProcess]:
        workdir = root / path.stem
        workdir.mkdir()
        script = workdir / f"{path.stem}.py"
        script.write_text(render.to_pyomo_script(load_formulation(path)), encoding="utf-8")
        try:
            proc = subprocess.run([sys.executable, str(script)], cwd=workdir,
                                  capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:
            proc = subprocess.CompletedProcess(exc.cmd, -1, "", f"timed out after {exc.timeout} s")
        return path.stem, proc

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(run, MODEL_FILES))


@pytest.mark.slow
@pytest.mark.parametrize("path", MODEL_FILES, ids=IDS)
def test_pyomo_script_agrees(path: Path, pyomo_runs: dict[str, subprocess.CompletedProcess]) -> None:
    exp = _expected(path)
    proc = pyomo_runs[path.stem]
    out = proc.stdout
    status = _STATUS.search(out)
    assert status, f"no 'status:' line (exit {proc.returncode}):\n{out[-2000:]}\n{proc.stderr[-2000:]}"
    if exp["status"] == "optimal":
        assert proc.returncode == 0, proc.stderr[-2000:]
        match = _OBJECTIVE.search(out)
        assert match, f"no 'objective:' line in:\n{out[-2000:]}"
        got = float(match.group(1))
        assert _close(got, float(exp["objective"])), (
            f"Pyomo script of {path.stem} printed objective {got}, expected {exp['objective']}")
    else:
        word = status.group(1).lower()
        assert "optimal" not in word or "not" in word, f"status line: {status.group(0)!r}"
        assert re.search(r"infeasib|unbound", word), f"status line: {status.group(0)!r}"
