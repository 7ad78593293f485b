"""Rendering: the Pyomo script (run in a fresh process), Markdown/LaTeX, LP/MPS export."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import highspy
import pytest

from optimus.errors import FormulationError, UserError
from optimus.export import write_lp, write_mps
from optimus.formulation import Formulation, formulation_from_data, load_formulation
from optimus.render.latex import md_escape, tex_escape, to_markdown
from optimus.render.pyomo_code import to_pyomo_script, write_pyomo_script
from optimus.pipeline import solve_formulation

_OBJ = re.compile(r"^objective: (.+)$", re.M)
_STATUS = re.compile(r"^status: (\S+)$", re.M)


def run_script(code: str, where: Path, name: str = "model.py") -> dict:
    """Write ``code`` to ``where/name``, run it with this Python, parse what it prints."""
    path = where / name
    path.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(path)], cwd=where, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    obj = _OBJ.search(out).group(1)  # type: ignore[union-attr]
    values = {}
    for line in out.splitlines():
        if " = " in line:
            k, v = line.rsplit(" = ", 1)
            values[k] = float(v)
    return {"status": _STATUS.search(out).group(1),  # type: ignore[union-attr]
            "objective": None if obj == "None" else float(obj), "values": values, "out": out}


def same_objective(f: Formulation, got: dict) -> None:
    ours = solve_formulation(f)
    assert got["status"] == ours.status
    assert ours.objective is not None
    assert math.isclose(got["objective"], ours.objective, rel_tol=1e-6, abs_tol=1e-6), \
        (got["objective"], ours.objective)


def F(data: dict) -> Formulation:
    return formulation_from_data(data)


# --------------------------------------------------------------------------- models
TRANSPORT = {
    "name": "transport",
    "sets": [{"name": "Plants", "elements": ["Seattle", "San Diego"]},
             {"name": "Markets", "elements": ["New York", "Chicago", "Topeka"]}],
    "parameters": [
        {"name": "supply", "index": ["Plants"], "values": [
            {"index": ["Seattle"], "value": 350}, {"index": ["San Diego"], "value": 600}]},
        {"name": "demand", "index": ["Markets"], "values": [
            {"index": ["New York"], "value": 325}, {"index": ["Chicago"], "value": 300},
            {"index": ["Topeka"], "value": 275}]},
        {"name": "dist", "index": ["Plants", "Markets"], "values": [
            {"index": ["Seattle", "New York"], "value": 2.5},
            {"index": ["Seattle", "Chicago"], "value": 1.7},
            {"index": ["Seattle", "Topeka"], "value": 1.8},
            {"index": ["San Diego", "New York"], "value": 2.5},
            {"index": ["San Diego", "Chicago"], "value": 1.8},
            {"index": ["San Diego", "Topeka"], "value": 1.4}]},
        {"name": "freight", "value": 90},
    ],
    "variables": [{"name": "ship", "index": ["Plants", "Markets"],
                   "description": "cases shipped"}],
    "constraints": [
        {"name": "supply_limit", "forall": "p in Plants",
         "expression": "sum(ship[p, k] for k in Markets) <= supply[p]"},
        {"name": "meet_demand", "forall": "k in Markets",
         "expression": "sum(ship[p, k] for p in Plants) >= demand[k]"},
    ],
    "objective": {"sense": "minimize",
                  "expression": "sum(freight * dist[p, k] / 1000 * ship[p, k] "
                                "for p in Plants for k in Markets)"},
}

FACILITY = {
    "name": "facility",
    "sets": [{"name": "F", "elements": ["f1", "f2", "f3"]},
             {"name": "C", "elements": [1, 2, 3, 4]}],
    "parameters": [
        {"name": "fixed", "index": ["F"], "values": [
            {"index": ["f1"], "value": 100}, {"index": ["f2"], "value": 120},
            {"index": ["f3"], "value": 90}]},
        {"name": "cap", "index": ["F"], "values": [
            {"index": ["f1"], "value": 50}, {"index": ["f2"], "value": 70},
            {"index": ["f3"], "value": 40}]},
        {"name": "dem", "index": ["C"], "values": [
            {"index": [1], "value": 20}, {"index": [2], "value": 25},
            {"index": [3], "value": 15}, {"index": ["4"], "value": 30}]},
        {"name": "cost", "index": ["F", "C"], "default": 4, "values": [
            {"index": ["f1", 1], "value": 2}, {"index": ["f1", 2], "value": 3},
            {"index": ["f2", 3], "value": 1}, {"index": ["f3", 4], "value": 2}]},
    ],
    "variables": [
        {"name": "open", "index": ["F"], "domain": "binary"},
        {"name": "x", "index": ["F", "C"]},
        {"name": "trucks", "index": ["F"], "domain": "integer", "upper": 5},
    ],
    "constraints": [
        {"name": "serve", "forall": "c in C", "expression": "sum(x[f, c] for f in F) == dem[c]"},
        {"name": "capacity", "forall": "f in F",
         "expression": "sum(x[f, c] for c in C) <= cap[f] * open[f]"},
        {"name": "truck_load", "forall": "f in F",
         "expression": "sum(x[f, c] for c in C) <= 12 * trucks[f]"},
    ],
    "objective": {"sense": "minimize",
                  "expression": "sum(fixed[f] * open[f] + 7 * trucks[f] for f in F) + "
                                "sum(cost[f, c] * x[f, c] for f in F for c in C)"},
}

PLANNING = {
    "name": "planning",
    "sets": [{"name": "T", "elements": [1, 2, 3, 4, 5]}],
    "parameters": [
        {"name": "d", "index": ["T"], "values": [
            {"index": [t], "value": v} for t, v in zip(range(1, 6), [40, 60, 70, 30, 50])]},
        {"name": "cap", "value": 55},
        {"name": "init", "value": 10},
    ],
    "variables": [{"name": "make", "index": ["T"], "upper": 55},
                  {"name": "inv", "index": ["T"]}],
    "constraints": [
        {"name": "first", "forall": "t in T if t == 1",
         "expression": "init + make[t] - d[t] == inv[t]"},
        {"name": "balance", "forall": "t in T if t > 1",
         "expression": "inv[t - 1] + make[t] - d[t] == inv[t]"},
        {"name": "smooth", "forall": "t in T if t >= 2 and t != 4",
         "expression": "-25 <= make[t] - make[t - 1] <= 25"},
        {"name": "total", "expression": "sum(make[t] for t in T if t <= len(T) - 1) >= 0.5 * cap"},
    ],
    "objective": {"sense": "minimize",
                  "expression": "sum(3 * make[t] + 0.5 * inv[t] for t in T) + max(cap, 2) ** 0"},
}

NETWORK = {
    "name": "network",
    "sets": [
        {"name": "N", "elements": ["s", "a", "b", "t"]},
        {"name": "A", "elements": [["s", "a"], ["s", "b"], ["a", "b"], ["a", "t"], ["b", "t"]]},
        {"name": "K", "elements": [1, 2]},
    ],
    "parameters": [
        {"name": "c", "index": ["A"], "values": [
            {"index": ["s", "a"], "value": 2}, {"index": ["s", "b"], "value": 4},
            {"index": ["a", "b"], "value": 1}, {"index": ["a", "t"], "value": 6},
            {"index": ["b", "t"], "value": 2}]},
        {"name": "u", "index": ["A", "K"], "default": 9, "values": [
            {"index": ["s", "a", 1], "value": 4}, {"index": ["a", "t", 2], "value": 3}]},
        {"name": "b", "index": ["N"], "values": [
            {"index": ["s"], "value": 10}, {"index": ["a"], "value": 0},
            {"index": ["b"], "value": 0}, {"index": ["t"], "value": -10}]},
    ],
    "variables": [{"name": "y", "index": ["A", "K"]}],
    "constraints": [
        {"name": "flow", "forall": "n in N",
         "expression": "sum(y[i, j, k] for (i, j) in A for k in K if i == n) - "
                       "sum(y[i, j, k] for (i, j) in A for k in K if j == n) == b[n]"},
        {"name": "inflow", "forall": "n in N",
         "expression": "sum(y[i, j, k] for (i, j) in A for k in K if j == n) >= 0"},
        {"name": "bound", "forall": "a in A, k in K", "expression": "y[a, k] <= u[a, k]"},
    ],
    "objective": {"sense": "minimize",
                  "expression": "sum(c[i, j] * y[i, j, k] for (i, j) in A for k in K)"},
}

OPERATORS = {
    "name": "operators",
    "sets": [{"name": "I", "elements": [1, 2, 3, 4]}, {"name": "J", "elements": ["a", "b"]},
             {"name": "Sub", "elements": [2, 3]}, {"name": "P", "elements": [[1, "a"], [2, "b"]]}],
    "parameters": [{"name": "k", "value": -3},
                   {"name": "w", "index": ["I"],
                    "values": [{"index": [i], "value": i * 1.5} for i in range(1, 5)]}],
    "variables": [{"name": "x", "index": ["I", "J"], "upper": 7},
                  {"name": "y", "lower": None, "upper": 4}],
    "constraints": [
        {"name": "c1", "forall": "i in I, j in J if (i in Sub or j == 'a') and not i == 4",
         "expression": "x[i, j] <= abs(k) + min(w[i], 2) / 2 ** 1"},
        {"name": "c2", "forall": "i in I if i not in Sub",
         "expression": "sum([x[i, 'a'], x[i, 'b']]) <= -k * len(J)"},
        {"name": "c3", "expression": "y >= -max(k, -10)"},
        {"name": "c4", "forall": "(i, j) in P if (i, j) in P", "expression": "x[i, j] >= 1"},
        {"name": "c5", "forall": "i in I", "expression": "- x[i, 'b'] >= -5"},
        {"name": "c6", "expression": "0 <= 1"},
    ],
    "objective": {"sense": "maximize",
                  "expression": "sum(w[i] * x[i, j] for i in I for j in J) - y"},
}
CONSTANT_OBJECTIVE = {
    "variables": [{"name": "x", "upper": 3}],
    "constraints": [{"name": "c", "expression": "x <= 2"}],
    "objective": {"sense": "minimize", "expression": "4.5"},
}


@pytest.mark.parametrize("data", [TRANSPORT, FACILITY, PLANNING, NETWORK, OPERATORS,
                                  CONSTANT_OBJECTIVE],
                         ids=["transport", "facility_mip", "planning_t-1", "network_arcs",
                              "operators", "constant_objective"])
def test_script_objective_matches_ours(data: dict, tmp_path: Path) -> None:
    f = F(data)
    code = to_pyomo_script(f)
    got = run_script(code, tmp_path)
    same_objective(f, got)


def test_script_values_and_format(tmp_path: Path) -> None:
    f = F(FACILITY)
    got = run_script(to_pyomo_script(f), tmp_path)
    ours = solve_formulation(f)
    assert got["status"] == "optimal"
    # every nonzero value the script prints uses our display names
    for v in ours.variables:
        if abs(v.value) > 1e-6:
            label = f"{v.name}[{','.join(str(i) for i in v.index)}]"
            assert label in got["values"]
    assert re.search(r"^objective: -?\d", got["out"], re.M)


def test_script_uses_pyomo_constructs() -> None:
    code = to_pyomo_script(F(PLANNING))
    assert "pyo.ConcreteModel(" in code
    assert "m.T = pyo.Set(" in code
    assert "m.d = pyo.Param(m.T, initialize=" in code
    assert "m.make = pyo.Var(m.T, domain=pyo.Reals, bounds=(0.0, 55.0))" in code
    assert "if not (t > 1):" in code and "return pyo.Constraint.Skip" in code
    assert "m.inv[t - 1]" in code
    assert "pyo.inequality(" in code
    assert "pyo.Objective(expr=" in code and "sense=pyo.minimize" in code
    compile(code, "x", "exec")


def test_script_edge_cases(tmp_path: Path) -> None:
    """Empty set, empty sums, constant constraints, and names that clash with Pyomo's."""
    f = F({
        "name": "edges",
        "sets": [{"name": "E", "elements": []}, {"name": "I", "elements": ["a", "b"]},
                 {"name": "name", "elements": [1]}],
        "parameters": [{"name": "w", "index": ["E"], "default": 1},
                       {"name": "x_index", "value": 2}],
        "variables": [{"name": "z", "index": ["E"]}, {"name": "x", "index": ["I", "name"]},
                      {"name": "objective"}],
        "constraints": [
            {"name": "empty", "forall": "e in E", "expression": "z[e] <= w[e]"},
            {"name": "nosum", "expression": "sum(z[e] for e in E) <= 3"},
            {"name": "const", "expression": "2 <= x_index + 1"},
            {"name": "clash", "forall": "m in I, pyo in name",
             "expression": "x[m, pyo] + objective <= x_index"},
            {"name": "filtered_empty", "forall": "i in I",
             "expression": "sum(x[j, k] for j in I for k in name if j != i and j == i) <= 1"},
        ],
        "objective": {"sense": "maximize", "expression": "sum(x[i, 1] for i in I) + objective"},
    })
    got = run_script(to_pyomo_script(f), tmp_path)
    same_objective(f, got)


def test_script_constant_infeasible(tmp_path: Path) -> None:
    f = F({"sets": [{"name": "E", "elements": []}],
           "variables": [{"name": "x"}, {"name": "z", "index": ["E"]}],
           "constraints": [{"name": "c", "expression": "x <= 4"},
                           {"name": "bad", "expression": "sum(z[e] for e in E) >= 1"}],
           "objective": {"sense": "maximize", "expression": "x"}})
    assert solve_formulation(f).status == "infeasible"
    got = run_script(to_pyomo_script(f), tmp_path)
    assert got["status"] == "infeasible"
    assert got["objective"] is None


def test_script_no_variables_used(tmp_path: Path) -> None:
    f = F({"sets": [{"name": "E", "elements": []}],
           "variables": [{"name": "z", "index": ["E"]}],
           "objective": {"sense": "minimize", "expression": "sum(z[e] for e in E) + 2.5"}})
    got = run_script(to_pyomo_script(f), tmp_path)
    assert got["status"] == "optimal" and got["objective"] == 2.5


def _csv_model(tmp_path: Path) -> Path:
    d = tmp_path / "model"
    (d / "data").mkdir(parents=True)
    rows = ["Plants,Markets,dist"]
    for e in TRANSPORT["parameters"][2]["values"]:
        rows.append(f"{e['index'][0]},{e['index'][1]},{e['value']}")
    (d / "data" / "dist.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (d / "data" / "freight.json").write_text(json.dumps({"freight": 90}), encoding="utf-8")
    (d / "data" / "demand.json").write_text(json.dumps(
        [{"index": ["New York"], "value": 325}, {"index": "Chicago", "value": 300},
         {"index": ["Topeka"], "value": 275}]), encoding="utf-8")
    data = json.loads(json.dumps(TRANSPORT))
    data["parameters"][2] = {"name": "dist", "index": ["Plants", "Markets"],
                             "data": {"path": "data/dist.csv", "column": None}}
    data["parameters"][3] = {"name": "freight", "data": {"path": "data/freight.json"}}
    data["parameters"][1] = {"name": "demand", "index": ["Markets"],
                             "data": {"path": "data/demand.json"}}
    path = d / "transport.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_script_reads_data_files(tmp_path: Path) -> None:
    f = load_formulation(_csv_model(tmp_path))
    # next to the model: paths relative to the script's own folder
    script = write_pyomo_script(f, tmp_path / "model" / "transport_model.py", data="files")
    code = script.read_text(encoding="utf-8")
    assert "DATA_DIR / 'data/dist.csv'" in code and "read_table(" in code
    assert "2.5" not in code.split("def build_model")[1].split("# ---- variables")[0]
    got = run_script(code, tmp_path / "model", "transport_model.py")
    same_objective(f, got)
    # the script really reads the file: change a distance, the objective changes
    csv_path = tmp_path / "model" / "data" / "dist.csv"
    csv_path.write_text(csv_path.read_text().replace("Seattle,Chicago,1.7", "Seattle,Chicago,9.7"))
    changed = run_script(code, tmp_path / "model", "transport_model.py")
    assert changed["objective"] > got["objective"] + 1e-6


def test_script_data_files_elsewhere(tmp_path: Path) -> None:
    f = load_formulation(_csv_model(tmp_path))
    out = tmp_path / "elsewhere" / "deep"
    out.mkdir(parents=True)
    code = write_pyomo_script(f, out / "s.py", data="files").read_text(encoding="utf-8")
    assert "DATA_DIR / '../../model/data/dist.csv'" in code
    same_objective(f, run_script(code, out, "s.py"))
    # without a script path: absolute paths, runnable from anywhere
    code2 = to_pyomo_script(f, data="files")
    assert str((tmp_path / "model" / "data" / "dist.csv").resolve()) in code2
    same_objective(f, run_script(code2, tmp_path, "abs.py"))
    # inline mode writes the values
    code3 = to_pyomo_script(f)
    assert "read_table" not in code3 and "('Seattle', 'Chicago'): 1.7" in code3
    same_objective(f, run_script(code3, tmp_path, "inline.py"))


def test_script_refuses_invalid_formulation() -> None:
    f = F({"variables": [{"name": "x"}], "constraints": [{"name": "c", "expression": "y <= 1"}],
           "objective": {"sense": "maximize", "expression": "x"}})
    with pytest.raises(FormulationError):
        to_pyomo_script(f)
    with pytest.raises(UserError):
        to_pyomo_script(F(TRANSPORT), data="csv")


def test_problem_models_render(tmp_path: Path) -> None:
    """Every shipped model renders to a script that compiles, and to Markdown."""
    models = sorted((Path(__file__).resolve().parent.parent / "problems" / "models").glob("*.yaml"))
    assert models, "problems/models ships with optimus"
    for path in models:
        f = load_formulation(path)
        try:
            code = to_pyomo_script(f)
        except FormulationError:
            continue  # invalid on purpose or work in progress; covered by its own tests
        compile(code, str(path), "exec")
        assert "$$" in to_markdown(f)


# --------------------------------------------------------------------------- latex
def test_markdown_math() -> None:
    f = F(PLANNING)
    md = to_markdown(f)
    assert r"\sum_{t \in T} " in md
    assert r"\forall t \in T \,:\, t > 1" in md
    assert r"\mathit{inv}_{t - 1}" in md
    assert r"\min \quad" in md
    assert r"-25 \leq \mathit{make}_{t} - \mathit{make}_{t - 1} \leq 25" in md
    assert "| T | d |" in md  # a small table shown in full
    md2 = to_markdown(F(TRANSPORT))
    assert r"\frac{" in md2
    assert r"\sum_{p \in \mathit{Plants}} \sum_{k \in \mathit{Markets}}" in md2
    assert r"\text{San Diego}" in md2
    assert r"\forall p \in \mathit{Plants}" in md2
    assert "supply\\_limit" in md2  # Markdown-escaped constraint name


def test_markdown_tuples_domains_and_big_tables() -> None:
    md = to_markdown(F(NETWORK))
    assert r"\sum_{(i, j) \in A} \sum_{k \in K \,:\, i = n}" in md
    assert r"(\text{s}, \text{a})" in md
    fac = F(FACILITY)
    md2 = to_markdown(fac)
    assert r"\in \{0, 1\}" in md2 and r"\mathbb{Z}" in md2
    big = F({"sets": [{"name": "I", "elements": list(range(100))}],
             "parameters": [{"name": "w", "index": ["I"],
                             "values": [{"index": [i], "value": i} for i in range(100)]}],
             "variables": [{"name": "x", "index": ["I"]}],
             "objective": {"sense": "minimize", "expression": "sum(w[i] * x[i] for i in I)"}})
    md3 = to_markdown(big)
    assert "100 values, from 0 to 99" in md3 and "| 57 |" not in md3
    assert r"\ldots" in md3


def test_markdown_with_result() -> None:
    f = F(FACILITY)
    r = solve_formulation(f)
    md = to_markdown(f, r)
    assert "## Solution" in md and "**optimal**" in md
    assert r"\mathit{open}_{\text{f" in md
    inf = F({"variables": [{"name": "x"}],
             "constraints": [{"name": "lo", "expression": "x >= 5"},
                             {"name": "hi", "expression": "x <= 3"}],
             "objective": {"sense": "minimize", "expression": "x"}})
    md2 = to_markdown(inf, solve_formulation(inf))
    assert "infeasible" in md2 and "### Diagnosis" in md2


def test_latex_escaping() -> None:
    assert tex_escape("a_b$c{d}%&#~^\\") == \
        r"a\_b\$c\{d\}\%\&\#\~{}\^{}\textbackslash{}"
    assert md_escape("<script>*x*\n# head") == r"&lt;script&gt;\*x\* \# head"
    f = F({"name": "a$b\n# injected",
           "description": "line1\n\n## Not a heading <img src=x onerror=alert(1)>",
           "assumptions": ["$$\\begin{x}$$", "`code`"],
           "sets": [{"name": "S", "elements": ["x_1", "50%", "a{b}", "c<d>e", "back\\slash"]}],
           "variables": [{"name": "v", "index": ["S"], "description": "has | pipe"}],
           "constraints": [{"name": "c", "expression": "v['50%'] <= 1"}],
           "objective": {"sense": "maximize", "expression": "sum(v[s] for s in S)"}})
    md = to_markdown(f)
    assert md.startswith("# a\\$b \\# injected\n")
    assert "\n## Not" not in md and "<img" not in md
    assert r"\text{x\_1}" in md and r"\text{50\%}" in md and r"\text{a\{b\}}" in md
    assert r"\text{c}\lt \text{d}\gt \text{e}" in md
    assert r"\text{back\textbackslash{}slash}" in md
    assert "\\$\\$" in md and "has \\| pipe" in md
    # every $$ block is balanced: math delimiters come only from the renderer
    assert md.count("$$") % 2 == 0


# --------------------------------------------------------------------------- export
def _read_back(path: Path) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


@pytest.mark.parametrize("data", [TRANSPORT, FACILITY, NETWORK])
def test_export_lp_mps(data: dict, tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    f = F(data)
    ours = solve_formulation(f).objective
    capfd.readouterr()
    lp_path = write_lp(f, tmp_path / "m.lp")
    mps_path = write_mps(f, tmp_path / "m.mps")
    out = capfd.readouterr()
    assert out.out == ""
    for p in (lp_path, mps_path):
        assert p.exists() and p.stat().st_size > 0
        assert math.isclose(_read_back(p), ours, rel_tol=1e-6)
    text = lp_path.read_text()
    assert "supply_limit(Seattle)" in text or "serve(1)" in text or "flow(s)" in text
    if data is FACILITY:
        assert "bin" in text and "gen" in text


def test_export_errors(tmp_path: Path) -> None:
    f = F(TRANSPORT)
    with pytest.raises(UserError):
        write_lp(f, tmp_path / "missing_dir" / "m.lp")
    with pytest.raises(UserError):
        write_lp(f, tmp_path)  # a directory
    # any file name works: the content follows the function, not the suffix
    out = write_mps(f, tmp_path / "model.txt")
    assert out.read_text().startswith("NAME") and sorted(p.name for p in tmp_path.iterdir()) == [
        "model.txt"]
    bad = F({"variables": [{"name": "x"}], "objective": {"sense": "minimize", "expression": "y"}})
    with pytest.raises(FormulationError):
        write_lp(bad, tmp_path / "b.lp")
