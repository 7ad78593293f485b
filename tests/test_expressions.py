"""The expression language: what it accepts, how it evaluates, what it rejects."""

from __future__ import annotations

import json

import pytest

from optimus.build import build
from optimus.checks import check
from optimus.errors import FormulationError
from optimus.expressions import ExprError, parse, parse_forall
from optimus.formulation import Formulation, load_formulation
from optimus.pipeline import solve_formulation


def model(**kw) -> Formulation:
    base = {"objective": {"sense": "maximize", "expression": "0"}}
    base.update(kw)
    return Formulation.model_validate(base)


def row_map(lp):
    out = {}
    for i, (name, key) in enumerate(lp.row_keys):
        idx, val = lp.row(i)
        terms = {lp.col_name(int(j)): float(v) for j, v in zip(idx, val)}
        out[(name, key)] = (terms, float(lp.row_lower[i]), float(lp.row_upper[i]))
    return out


def test_sum_with_filter_and_index_arithmetic():
    f = model(
        sets=[{"name": "T", "elements": [1, 2, 3]}],
        parameters=[{"name": "d", "index": ["T"], "values": [
            {"index": [1], "value": 5}, {"index": [2], "value": 7}, {"index": [3], "value": 4}]}],
        variables=[{"name": "make", "index": ["T"]}, {"name": "inv", "index": ["T"]}],
        constraints=[
            {"name": "first", "forall": "t in T if t == 1", "expression": "inv[t] == make[t] - d[t]"},
            {"name": "bal", "forall": "t in T if t > 1",
             "expression": "inv[t] == inv[t - 1] + make[t] - d[t]"},
        ],
        objective={"sense": "minimize", "expression": "sum(2*make[t] + inv[t] for t in T)"},
    )
    lp = build(f)
    rows = row_map(lp)
    assert set(rows) == {("first", (1,)), ("bal", (2,)), ("bal", (3,))}
    terms, lo, hi = rows[("bal", (3,))]
    assert terms == {"inv[3]": 1.0, "inv[2]": -1.0, "make[3]": -1.0}
    assert lo == hi == -4.0
    r = solve_formulation(f)
    assert r.status == "optimal" and r.objective == pytest.approx(32.0)


def test_tuple_set_bindings_and_membership():
    f = model(
        sets=[{"name": "N", "elements": ["s", "a", "t"]},
              {"name": "A", "elements": [["s", "a"], ["a", "t"], ["s", "t"]]}],
        parameters=[{"name": "cap", "index": ["A"], "values": [
            {"index": ["s", "a"], "value": 4}, {"index": ["a", "t"], "value": 3},
            {"index": ["s", "t"], "value": 1}]}],
        variables=[{"name": "flow", "index": ["A"]}],
        constraints=[
            {"name": "capacity", "forall": "(i, j) in A", "expression": "flow[i, j] <= cap[i, j]"},
            {"name": "conserve", "forall": "n in N if n != 's' and n != 't'",
             "expression": "sum(flow[i, j] for (i, j) in A if j == n) == "
                           "sum(flow[i, j] for (i, j) in A if i == n)"},
        ],
        objective={"sense": "maximize", "expression": "sum(flow[i, j] for (i, j) in A if j == 't')"},
    )
    assert check(f) == []
    r = solve_formulation(f)
    assert r.objective == pytest.approx(4.0)
    assert r.value("flow", "a", "t") == pytest.approx(3.0)


def test_range_constraint_and_constants():
    f = model(variables=[{"name": "x"}],
              parameters=[{"name": "lo", "value": 2}],
              constraints=[{"name": "r", "expression": "lo <= 2*x - 1 <= 2**3"}],
              objective={"sense": "maximize", "expression": "x + max(1, 2) - abs(-1)"})
    r = solve_formulation(f)
    assert r.objective == pytest.approx(4.5 + 1)


def test_parameter_from_csv_and_json(tmp_path):
    (tmp_path / "cost.csv").write_text("I,J,cost\na,x,1\na,y,2\nb,x,3\nb,y,4\n")
    (tmp_path / "data.json").write_text(json.dumps({"cap": [{"index": ["a"], "value": 5},
                                                             {"index": ["b"], "value": 6}]}))
    spec = {
        "sets": [{"name": "I", "elements": ["a", "b"]}, {"name": "J", "elements": ["x", "y"]}],
        "parameters": [{"name": "cost", "index": ["I", "J"], "data": {"path": "cost.csv"}},
                       {"name": "cap", "index": ["I"], "data": {"path": "data.json"}}],
        "variables": [{"name": "ship", "index": ["I", "J"]}],
        "constraints": [{"name": "supply", "forall": "i in I",
                         "expression": "sum(ship[i, j] for j in J) <= cap[i]"},
                        {"name": "demand", "forall": "j in J",
                         "expression": "sum(ship[i, j] for i in I) >= 4"}],
        "objective": {"sense": "minimize", "expression": "sum(cost[i, j]*ship[i, j] for i in I for j in J)"},
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps(spec))
    f = load_formulation(path)
    r = solve_formulation(f)
    # a ships 4 to x (1) and 1 to y (2); b ships 3 to y (4): 4 + 2 + 12
    assert r.status == "optimal" and r.objective == pytest.approx(18.0)


def test_yaml_and_json_round_trip(tmp_path):
    f = model(sets=[{"name": "P", "elements": ["a", 1, ["x", 2]]}],
              variables=[{"name": "x", "domain": "integer", "upper": 3}],
              objective={"sense": "maximize", "expression": "x"})
    for suffix in (".json", ".yaml"):
        path = f.save(tmp_path / f"m{suffix}")
        assert load_formulation(path).to_dict() == f.to_dict()


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch PWNED')",
    "x.__class__",
    "(lambda: 1)()",
    "[c for c in ().__class__.__bases__]",
    "open('f')",
    "x if y else z",
    "f'{x}'",
])
def test_whitelist_rejects_code(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExprError):
        parse(text)
    assert list(tmp_path.iterdir()) == []


def test_forall_forms():
    assert len(parse_forall("i in I, j in J if c[i, j] > 0")) == 2
    assert len(parse_forall("for i in I for j in J")) == 2
    assert len(parse_forall("(i, j) in Arcs")) == 1


def test_missing_index_at_build_names_constraint_and_index():
    f = model(sets=[{"name": "T", "elements": [1, 2]}],
              variables=[{"name": "inv", "index": ["T"]}],
              constraints=[{"name": "bal", "forall": "t in T", "expression": "inv[t] >= inv[t - 1]"}])
    with pytest.raises(FormulationError) as exc:
        build(f)
    text = str(exc.value)
    assert "bal" in text and "[0]" in text and "t=1" in text


def test_equality_written_with_single_equals():
    f = model(variables=[{"name": "x"}, {"name": "y"}],
              constraints=[{"name": "tot", "expression": "x + y = 10"},
                           {"name": "lim", "expression": "x ≤ 3"}],
              objective={"sense": "maximize", "expression": "2*x + y"})
    assert solve_formulation(f).objective == pytest.approx(13.0)
