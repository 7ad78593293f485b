"""Generated code is safe whatever the formulation holds.

Names that are not plain identifiers are refused; every other string (descriptions, set
elements, the model name, assumptions, string constants in expressions, data paths) is
rendered inert. The emitted script is compiled here only as a syntax check, and RUN in a
fresh subprocess whose working folder must stay empty of new files.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from optimus.errors import FormulationError, OptimusError, UserError
from optimus.export import write_lp, write_mps
from optimus.formulation import Formulation, formulation_from_data
from optimus.render.latex import to_markdown
from optimus.render.pyomo_code import comment_text, to_pyomo_script, validate_identifier
from optimus.pipeline import solve_formulation

PAYLOADS = [
    "__import__('os').system('touch PWNED')",
    "a'; import os; os.system('touch X') #",
    'b"; __import__("os").system("touch Y"); "',
    "c'''\nimport os; os.system('touch Z')\n'''",
    'd"""\nimport os\nos.system("touch W")\n"""',
    "e\\'); __import__('os').system('touch V') #\\",
    "f\r\nimport os\r\nos.system('touch U')",
    "g\u2028import os\u2029os.system('touch T')\x00\x0b\x0c",
    "h}}$$\\end{document}\\input{/etc/passwd}",
    "i\n# ---- injected\n    m.x = 1",
]


def _files(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()}


def run_script(code: str, where: Path) -> tuple[str, set[str]]:
    """Run ``code`` as a fresh process in ``where``; return stdout and new files there."""
    compile(code, "generated", "exec")  # syntax check only
    script_dir = where / "script"
    script_dir.mkdir()
    script = script_dir / "model.py"
    script.write_text(code, encoding="utf-8")
    before = _files(where)
    proc = subprocess.run([sys.executable, str(script)], cwd=where, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, (_files(where) - before) | (_files(script_dir) - {"model.py"})


def hostile() -> Formulation:
    """A valid formulation whose every string holds code."""
    p = PAYLOADS
    return formulation_from_data({
        "name": p[0],
        "description": p[3] + p[4],
        "assumptions": p,
        "sets": [{"name": "S", "description": p[4], "elements": p},
                 {"name": "A", "description": p[6],
                  "elements": [[p[0], p[1]], [p[2], p[3]], [p[4], p[9]]]}],
        "parameters": [
            {"name": "w", "description": p[5], "index": ["S"],
             "values": [{"index": [e], "value": i + 1.5} for i, e in enumerate(p)]},
            {"name": "c", "description": p[7], "index": ["A"],
             "values": [{"index": list(a), "value": 2.0 + i} for i, a in
                        enumerate([[p[0], p[1]], [p[2], p[3]], [p[4], p[9]]])]},
        ],
        "variables": [
            {"name": "x", "description": p[3], "index": ["S"], "upper": 10},
            {"name": "y", "description": p[9], "index": ["A"], "domain": "integer", "upper": 3},
        ],
        "constraints": [
            {"name": "budget", "description": p[4] + p[8],
             "expression": "sum(w[s] * x[s] for s in S) + sum(c[a] * y[a] for a in A) <= 100"},
            {"name": "not_first", "description": p[1], "forall": f"s in S if s != {p[0]!r}",
             "expression": "x[s] <= 8"},
            {"name": "literal", "description": p[2],
             "expression": f"x[{p[1]!r}] + x[{p[0]!r}] <= 3"},
            {"name": "pairs", "forall": f"(i, j) in A if i != {p[2]!r}",
             "expression": "y[i, j] <= 2"},
        ],
        "objective": {"sense": "maximize", "description": p[3],
                      "expression": "sum(x[s] for s in S) + sum(y[a] for a in A)"},
    })


def test_hostile_strings_are_inert_in_the_script(tmp_path: Path) -> None:
    f = hostile()
    ours = solve_formulation(f)
    assert ours.status == "optimal"
    code = to_pyomo_script(f)
    # strings never appear raw: every newline-bearing payload is broken up
    for line in code.splitlines():
        assert not line.lstrip().startswith(("import os", "os.system", "m.x = 1"))
    assert "\u2028" not in code and "\x00" not in code
    out, new_files = run_script(code, tmp_path)
    assert new_files == set(), new_files
    assert not (tmp_path / "PWNED").exists()
    got = float(re.search(r"^objective: (.+)$", out, re.M).group(1))  # type: ignore[union-attr]
    assert math.isclose(got, ours.objective, rel_tol=1e-6)
    assert "status: optimal" in out


def test_code_like_element_works_as_data(tmp_path: Path) -> None:
    evil = "a'; import os; os.system('touch X') #"
    f = formulation_from_data({
        "sets": [{"name": "P", "elements": [evil, "plain"]}],
        "parameters": [{"name": "profit", "index": ["P"],
                        "values": [{"index": [evil], "value": 7}, {"index": ["plain"], "value": 3}]}],
        "variables": [{"name": "make", "index": ["P"], "upper": 4}],
        "constraints": [{"name": "cap", "expression": "sum(make[p] for p in P) <= 5"},
                        {"name": "evil_min", "expression": f"make[{evil!r}] >= 1"}],
        "objective": {"sense": "maximize", "expression": "sum(profit[p] * make[p] for p in P)"},
    })
    ours = solve_formulation(f)
    out, new_files = run_script(to_pyomo_script(f), tmp_path)
    assert new_files == set()
    assert f"objective: {ours.objective!r}" in out or math.isclose(
        float(re.search(r"^objective: (.+)$", out, re.M).group(1)), ours.objective)  # type: ignore[union-attr]
    assert f"make[{evil}] = 4.0" in out  # the element is data, printed back verbatim


@pytest.mark.parametrize("bad", [
    "__import__('os').system('touch PWNED')", "x; import os", "class", "__init__",
    "a b", "1x", "", "x\ny", "sum", "ﬁx", "x'", "None",
])
@pytest.mark.parametrize("kind", ["set", "parameter", "variable", "constraint"])
def test_bad_names_are_refused(bad: str, kind: str) -> None:
    base = {
        "sets": [{"name": "S", "elements": [1]}],
        "parameters": [{"name": "p", "value": 1}],
        "variables": [{"name": "x1"}],
        "constraints": [{"name": "c", "expression": "x1 <= p"}],
        "objective": {"sense": "maximize", "expression": "x1"},
    }
    key = {"set": "sets", "parameter": "parameters", "variable": "variables",
           "constraint": "constraints"}[kind]
    base[key][0]["name"] = bad
    f = formulation_from_data(base)
    with pytest.raises(UserError) as err:
        to_pyomo_script(f)
    assert "identifier" in err.value.message and err.value.fix
    # the other outputs refuse too, or escape: never a crash
    with pytest.raises(OptimusError):
        write_lp(f, "/nonexistent-dir/x.lp")
    md = to_markdown(f)
    assert "\n" + str(bad) + "\n" not in md or not bad.strip()


def test_bad_index_set_name_refused() -> None:
    f = formulation_from_data({
        "variables": [{"name": "x", "index": ["__import__('os')"]}],
        "objective": {"sense": "maximize", "expression": "x"}})
    with pytest.raises(UserError):
        to_pyomo_script(f)


def test_renderer_does_not_trust_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even with check() disabled, invalid names never reach the script."""
    import optimus.checks as check_mod

    f = formulation_from_data({
        "variables": [{"name": "x); __import__('os').system('touch PWNED'); (x"}],
        "objective": {"sense": "maximize", "expression": "1"}})

    def no_check(form):  # type: ignore[no-untyped-def]
        return check_mod.Analysis(formulation=form)

    monkeypatch.setattr(check_mod, "analyze", no_check)
    with pytest.raises(UserError):
        to_pyomo_script(f)


def test_validators() -> None:
    assert validate_identifier("ship_2", "variable") == "ship_2"
    for bad in ("__x", "lambda", "a-b", "len", 3):
        with pytest.raises(UserError):
            validate_identifier(bad, "variable")
    assert comment_text("a\nb\r\nc\u2028d\x00e") == "a b c d e"


def test_hostile_markdown_is_escaped() -> None:
    md = to_markdown(hostile(), solve_formulation(hostile()))
    assert md.count("$$") % 2 == 0
    assert "\\end{document}" not in md  # backslashes in text are escaped
    assert "<" not in md.replace("&lt;", "")
    for line in md.splitlines():
        assert not line.startswith(("import os", "os.system", "# ---- injected"))


def test_hostile_exports(tmp_path: Path) -> None:
    f = hostile()
    ours = solve_formulation(f).objective
    for path in (write_lp(f, tmp_path / "h.lp"), write_mps(f, tmp_path / "h.mps")):
        import highspy

        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        assert h.readModel(str(path)) == highspy.HighsStatus.kOk
        h.run()
        assert math.isclose(h.getInfo().objective_function_value, ours, rel_tol=1e-6)


def test_hostile_data_path(tmp_path: Path) -> None:
    """A data-file path full of quotes is a string in the script, not code."""
    name = "d'\"; __import__('os').system('touch P') #.json"
    (tmp_path / name).write_text('{"w": 4}', encoding="utf-8")
    f = formulation_from_data({
        "parameters": [{"name": "w", "data": {"path": name, "column": None}}],
        "variables": [{"name": "x"}],
        "constraints": [{"name": "c", "expression": "x <= w"}],
        "objective": {"sense": "maximize", "expression": "x"}}).with_base_dir(tmp_path)
    code = to_pyomo_script(f, data="files")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    out, new_files = run_script(code, run_dir)
    assert new_files == set() and "objective: 4.0" in out


def test_invalid_formulation_is_refused_not_rendered() -> None:
    f = formulation_from_data({
        "variables": [{"name": "x"}],
        "constraints": [{"name": "c", "expression": "__import__('os').system('x') <= 1"}],
        "objective": {"sense": "maximize", "expression": "x"}})
    with pytest.raises(FormulationError):
        to_pyomo_script(f)
    assert "$$" in to_markdown(f)  # still shown, as escaped text
