"""``optimus run``: JSON output, readable output, exit codes, output files, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from optimus.cli import main

KEYS = {"status", "objective", "bound", "gap", "variables", "diagnosis", "sensitivity", "timings"}

PRODUCTION: dict[str, Any] = {
    "name": "production",
    "sets": [{"name": "Products", "elements": ["chairs", "tables"]}],
    "parameters": [
        {"name": "profit", "index": ["Products"],
         "values": [{"index": ["chairs"], "value": 45}, {"index": ["tables"], "value": 80}]},
        {"name": "hours", "index": ["Products"],
         "values": [{"index": ["chairs"], "value": 5}, {"index": ["tables"], "value": 20}]},
        {"name": "capacity", "value": 400},
    ],
    "variables": [{"name": "make", "index": ["Products"], "domain": "integer"}],
    "constraints": [
        {"name": "labor", "expression": "sum(hours[p] * make[p] for p in Products) <= capacity"},
        {"name": "min_chairs", "expression": "make['chairs'] >= 10"},
    ],
    "objective": {"sense": "maximize", "expression": "sum(profit[p] * make[p] for p in Products)"},
}


def write(tmp_path: Path, data: Any, name: str = "model.yaml") -> Path:
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return code, out, err


def flat(text: str) -> str:
    """Whitespace-normalized text (rich wraps long lines)."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- --json
@pytest.mark.parametrize("name", ["model.yaml", "model.json"])
def test_json_is_exactly_one_object(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    name: str) -> None:
    code, out, _ = run(["run", str(write(tmp_path, PRODUCTION, name)), "--json"], capsys)
    assert code == 0
    data = json.loads(out)  # the whole of stdout is one JSON document
    assert isinstance(data, dict)
    assert set(data) == KEYS
    assert data["status"] == "optimal"
    assert data["objective"] == pytest.approx(3600)
    assert data["gap"] == pytest.approx(0.0, abs=1e-9)
    assert {"name": "make", "index": ["chairs"], "value": 80.0} in data["variables"] \
        or {"name": "make", "index": ["tables"], "value": 0.0} in data["variables"]
    assert all(set(v) == {"name", "index", "value"} for v in data["variables"])
    assert set(data["timings"]) == {"build", "solve", "total"}
    assert data["timings"]["total"] >= data["timings"]["solve"]


def test_json_with_cross_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["run", str(write(tmp_path, PRODUCTION)), "--json", "--cross-check"],
                       capsys)
    data = json.loads(out)
    assert set(data) == KEYS | {"cross_check"}
    assert code == 0
    assert data["cross_check"]["agree"] is True


def test_json_for_an_infeasible_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**PRODUCTION, "constraints": [*PRODUCTION["constraints"],
                                         {"name": "too_many", "expression": "make['chairs'] >= 100"}]}
    code, out, _ = run(["run", str(write(tmp_path, bad)), "--json"], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["status"] == "infeasible"
    assert data["objective"] is None
    assert data["diagnosis"] is not None


def test_json_for_an_invalid_formulation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**PRODUCTION, "constraints": [{"name": "labor", "expression": "make['chairs'] <= capacty"}]}
    code, out, err = run(["run", str(write(tmp_path, bad)), "--json"], capsys)
    assert code == 2
    data = json.loads(out)
    assert set(data) == KEYS
    assert data["status"] == "error"
    assert data["diagnosis"]["kind"] == "invalid"
    assert "did you mean `capacity`?" in data["diagnosis"]["issues"][0]
    assert "did you mean `capacity`?" in flat(err)


# --------------------------------------------------------------------------- readable output
def test_readable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["run", str(write(tmp_path, PRODUCTION))], capsys)
    assert code == 0
    assert "optimal" in out
    assert "3600" in out
    assert "Nonzero variables" in out
    assert "chairs" in out and "80" in out
    assert "tables" not in out.split("Nonzero variables")[1]  # zero values are left out


def test_readable_output_of_an_unbounded_model(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = {**PRODUCTION, "constraints": [{"name": "min_chairs",
                                           "expression": "make['chairs'] >= 10"}]}
    code, out, _ = run(["run", str(write(tmp_path, data))], capsys)
    assert code == 1
    assert "unbounded" in out


# --------------------------------------------------------------------------- bad input
def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["run", str(tmp_path / "nope.yaml")], capsys)
    assert code == 2
    assert "no such file" in flat(err) and "nope.yaml" in flat(err)
    assert out == ""


def test_missing_file_with_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["run", str(tmp_path / "nope.json"), "--json"], capsys)
    assert code == 2
    assert "no such file" in flat(err)
    assert out == ""


def test_invalid_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"name": "x",\n  "objective": }')
    code, _, err = run(["run", str(path)], capsys)
    assert code == 2
    assert "is not valid JSON" in flat(err)
    assert "line 2" in flat(err)


def test_invalid_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("name: x\nsets: [a, b\nobjective: {sense: minimize}\n")
    code, _, err = run(["run", str(path)], capsys)
    assert code == 2
    assert "is not valid YAML" in flat(err)
    assert "fix:" in err


def test_unknown_file_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.txt"
    path.write_text("x")
    code, _, err = run(["run", str(path)], capsys)
    assert code == 2
    assert "unknown model file type" in flat(err)


def test_schema_violation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**PRODUCTION, "variables": [{"name": "make", "index": ["Products"], "domain": "real"}]}
    code, _, err = run(["run", str(write(tmp_path, bad))], capsys)
    assert code == 2
    assert "does not match the formulation schema" in flat(err)
    assert "variables.0.domain" in flat(err)


def test_check_errors_are_all_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**PRODUCTION, "constraints": [
        {"name": "labor", "expression": "sum(hours[p] * make[p] for p in Products) <= capacty"},
        {"name": "square", "expression": "make['chairs'] * make['tables'] <= 4"},
        {"name": "bad_elem", "expression": "make['sofas'] >= 1"},
    ]}
    code, out, err = run(["run", str(write(tmp_path, bad))], capsys)
    assert code == 2
    text = flat(err)
    assert "3 issue(s)" in text
    assert "constraint labor: unknown symbol `capacty`; did you mean `capacity`?" in text
    assert "nonlinear term `make['chairs'] * make['tables']`" in text
    assert "`'sofas'` in `make[...]` is not an element of set Products" in text
    assert "fix:" in text and "symbol:" in text
    assert "Optimal" not in out


def test_runtime_index_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = {"name": "stock", "sets": [{"name": "T", "elements": [1, 2, 3]}],
            "variables": [{"name": "inv", "index": ["T"]}],
            "constraints": [{"name": "balance", "forall": "t in T",
                             "expression": "inv[t] >= inv[t - 1] + 1"}],
            "objective": {"sense": "minimize", "expression": "sum(inv[t] for t in T)"}}
    code, _, err = run(["run", str(write(tmp_path, data))], capsys)
    assert code == 2
    assert "variable `inv` has no index [0]" in flat(err)
    assert "in constraint `balance` at t=1" in flat(err)


@pytest.mark.parametrize("args, words", [
    (["--backend", "gurobi"], "unknown backend 'gurobi'"),
    (["--time-limit", "-3"], "--time-limit must be a positive number"),
    (["--mip-gap", "2"], "--mip-gap must be a relative gap"),
])
def test_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                     words: str) -> None:
    code, out, err = run(["run", str(write(tmp_path, PRODUCTION)), *args], capsys)
    assert code == 2
    assert words in flat(err)
    assert out == ""


# --------------------------------------------------------------------------- output files
def test_refuses_to_overwrite_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, PRODUCTION)
    before = path.read_bytes()
    for flag in ("--code", "--latex", "--lp", "--mps"):
        code, _, err = run(["run", str(path), flag, str(path)], capsys)
        assert code == 2
        assert "is the model file" in flat(err)
        assert path.read_bytes() == before


def test_refuses_to_overwrite_a_data_file(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "hours.csv").write_text("Products,hours\nchairs,5\ntables,20\n")
    data = {**PRODUCTION, "parameters": [
        PRODUCTION["parameters"][0],
        {"name": "hours", "index": ["Products"], "data": {"path": "hours.csv"}},
        PRODUCTION["parameters"][2]]}
    path = write(tmp_path, data)
    code, _, err = run(["run", str(path), "--latex", str(tmp_path / "hours.csv")], capsys)
    assert code == 2
    assert "data file of parameter `hours`" in flat(err)
    assert (tmp_path / "hours.csv").read_text().startswith("Products,hours")
    code, out, _ = run(["run", str(path), "--json"], capsys)  # and the CSV model solves
    assert code == 0 and json.loads(out)["objective"] == pytest.approx(3600)


def test_two_outputs_to_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "out.txt"
    code, _, err = run(["run", str(write(tmp_path, PRODUCTION)), "--code", str(out_file),
                        "--latex", str(out_file)], capsys)
    assert code == 2
    assert "both write" in flat(err)


def test_output_directory_must_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["run", str(write(tmp_path, PRODUCTION)), "--code",
                        str(tmp_path / "no" / "such" / "m.py")], capsys)
    assert code == 2
    assert "does not exist" in flat(err)


def test_writes_code_latex_lp_and_mps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = write(tmp_path, PRODUCTION)
    files = {flag: tmp_path / name for flag, name in
             (("--code", "m.py"), ("--latex", "m.md"), ("--lp", "m.lp"), ("--mps", "m.mps"))}
    argv = ["run", str(model)] + [x for flag, p in files.items() for x in (flag, str(p))]
    code, out, _ = run(argv, capsys)
    assert code == 0
    for flag, p in files.items():
        assert p.exists() and p.stat().st_size > 0, flag
        assert p.name in flat(out)  # where each file was written is reported
    assert "pyomo" in files["--code"].read_text().lower()
    assert "$" in files["--latex"].read_text()
    assert "labor" in files["--lp"].read_text()
    assert "ROWS" in files["--mps"].read_text()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary files left behind

    code, out, _ = run(argv + ["--json"], capsys)  # --json still prints only the JSON
    assert code == 0
    assert set(json.loads(out)) == KEYS


def test_no_files_written_for_an_invalid_formulation(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**PRODUCTION, "constraints": [{"name": "labor", "expression": "make <= 3"}]}
    code, _, _ = run(["run", str(write(tmp_path, bad)), "--code", str(tmp_path / "m.py"),
                      "--lp", str(tmp_path / "m.lp")], capsys)
    assert code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.yaml"]


# --------------------------------------------------------------------------- real processes
def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "optimus.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_subprocess_json_stdout_is_pure(tmp_path: Path) -> None:
    proc = _cli("run", str(write(tmp_path, PRODUCTION)), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) == KEYS  # no solver banner or log on stdout
    assert proc.stdout.count("\n") == 1


def test_subprocess_bad_input_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("{not json")
    proc = _cli("run", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "is not valid JSON" in flat(proc.stderr)
    assert proc.stdout == ""


# --------------------------------------------------------------------------- rendering
def test_console_rendering_of_results_and_answers() -> None:
    from rich.console import Console

    from optimus.answer import Answer
    from optimus.render.console import print_issues, print_result
    from optimus.result import Diagnosis, Result, VariableValue

    values = [VariableValue(name="x", index=[f"[bold]{k}", k], value=float(k % 3))
              for k in range(300)]
    result = Result(status="optimal", objective=1.5, bound=1.5, gap=0.0, variables=values,
                    diagnosis=Diagnosis(kind="suspicious", warnings=["x looks fractional"]),
                    backend="highs")
    for obj in (result, Answer.from_result(result, formulator="offline")):
        console = Console(record=True, width=100, color_system=None)
        print_result(console, obj, title="demo [red]")
        text = console.export_text()
        assert "optimal" in text and "1.5" in text
        assert "demo [red]" in text  # names are printed literally, never as markup
        assert "[bold]1, 1" in text
        assert "[bold]0, 0" not in text  # zero values are left out
        assert "more nonzero value(s) not shown" in text
        assert "Warning: x looks fractional" in text

    console = Console(record=True, width=100, color_system=None)
    print_issues(console, ["a plain message"])
    text = console.export_text()
    assert "1 issue(s)" in text and "1. a plain message" in text


def test_check_command_reports_valid_and_invalid_models(tmp_path, capsys):
    from optimus.cli import main

    good = tmp_path / "good.yaml"
    good.write_text("variables: [{name: x, domain: integer}]\n"
                    "constraints: [{name: cap, expression: 'x <= 4'}]\n"
                    "objective: {sense: maximize, expression: x}\n")
    assert main(["check", str(good)]) == 0
    assert "valid" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("sets: [{name: T, elements: [1, 2]}]\n"
                   "variables: [{name: inv, index: [T]}]\n"
                   "constraints: [{name: bal, forall: 't in T', expression: 'inv[t] >= inv[t - 1]'},\n"
                   "              {name: cap, expression: 'invv[1] <= 3'}]\n"
                   "objective: {sense: maximize, expression: 'inv[1]'}\n")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "did you mean `inv`" in err and "Traceback" not in err
    assert main(["check", "--json", str(good)]) == 0
    import json as _json

    out = _json.loads(capsys.readouterr().out)
    assert out["valid"] is True and out["columns"] == 1 and out["integer_columns"] == 1
