"""The vectorized sums (optimus.dense) build exactly what the term-by-term interpreter
builds, and decline (leaving errors to the interpreter) when they cannot apply."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import optimus.dense as dense
from optimus.build import LinearProgram, build
from optimus.errors import FormulationError
from optimus.formulation import Formulation

N = 6  # 6 x 6 = 36 terms: above dense._MIN_TERMS
I = [f"i{k}" for k in range(N)]
J = list(range(1, N + 1))


def base(**changes: Any) -> Formulation:
    data: dict[str, Any] = {
        "name": "grid",
        "sets": [{"name": "I", "elements": I}, {"name": "J", "elements": J}],
        "parameters": [
            {"name": "c", "index": ["I", "J"],
             "values": [{"index": [i, j], "value": (a * 7 + j) % 5}  # includes zeros
                        for a, i in enumerate(I) for j in J]},
            {"name": "w", "index": ["J"], "values": [{"index": [j], "value": j / 2} for j in J]},
            {"name": "sparse", "index": ["I", "J"], "default": 2.5,
             "values": [{"index": ["i0", 1], "value": 9.0}]},
            {"name": "k", "value": 3.0},
        ],
        "variables": [{"name": "x", "index": ["I", "J"]}, {"name": "y", "index": ["J"]},
                      {"name": "z", "index": ["J", "I"]}],
        "constraints": [],
        "objective": {"sense": "minimize", "expression": "sum(y[j] for j in J)"},
    }
    data.update(changes)
    return Formulation.model_validate(data)


def rows(lp: LinearProgram) -> list[Any]:
    out = []
    for r in range(lp.num_rows):
        idx, val = lp.row(r)
        order = np.argsort(idx)
        out.append((lp.row_keys[r], idx[order].tolist(), np.round(val[order], 12).tolist(),
                    lp.row_lower[r], lp.row_upper[r]))
    return out


def both(f: Formulation, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, int]:
    """(with plans, without plans, number of sums the plans evaluated)."""
    used = []
    real_add = dense.DenseSum.add_to

    def counting(self: dense.DenseSum, *args: Any) -> bool:
        ok = real_add(self, *args)
        used.append(ok)
        return ok

    def outcome() -> Any:
        try:
            lp = build(f)
        except FormulationError as exc:
            return [str(i) for i in exc.issues]
        return rows(lp), np.round(lp.cost, 12).tolist(), lp.offset

    with monkeypatch.context() as m:
        m.setattr(dense.DenseSum, "add_to", counting)
        fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(dense, "plan_sum", lambda *a: None)
        slow = outcome()
    return fast, slow, sum(used)


@pytest.mark.parametrize("objective, constraints", [
    ("sum(c[i, j] * x[i, j] for i in I for j in J)", []),
    ("sum(x[i, j] * c[i, j] for j in J for i in I)", []),   # axes in another order
    ("sum(sparse[i, j] * x[i, j] for i in I for j in J)", []),  # default fills the gaps
    ("sum(k * z[j, i] for i in I for j in J) + 2 * sum(x[i, j] for i in I for j in J)", []),
    ("sum(0 * x[i, j] for i in I for j in J) + sum(y[j] for j in J)", []),
    ("-sum(c[i, j] * x[i, j] for i in I for j in J) + 5", []),
    ("sum(w[j] * y[j] for i in I for j in J)", []),  # y repeats for every i
    ("sum(y[j] for j in J)", [
        {"name": "row", "forall": "i in I", "expression": "sum(c[i, j] * x[i, j] for j in J) <= 4"},
        {"name": "col", "forall": "j in J",
         "expression": "sum(x[i, j] for i in I) + sum(z[j, i] for i in I) >= w[j]"},
        {"name": "both", "forall": "i in I, j in J",
         "expression": "sum(x[ii, jj] for ii in I for jj in J) >= x[i, j]"},
    ]),
])
def test_plans_build_the_same_program(objective: str, constraints: list[dict],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    f = base(objective={"sense": "minimize", "expression": objective}, constraints=constraints)
    fast, slow, used = both(f, monkeypatch)
    assert fast == slow
    assert used > 0  # the vectorized path did run


def test_row_sums_with_outer_indices_build_the_same_program(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of a forall: the outer index before or after the sum's axis (a slice of the
    coefficients), or in another order than the variable's (the axis grids)."""
    monkeypatch.setattr(dense, "_MIN_TERMS", 1)  # the sets here are small
    f = base(constraints=[
        {"name": "rowc", "forall": "i in I", "expression": "sum(c[i, j] * x[i, j] for j in J) <= 4"},
        {"name": "colc", "forall": "j in J", "expression": "sum(c[i, j] * x[i, j] for i in I) <= 9"},
        {"name": "swap", "forall": "i in I", "expression": "sum(c[i, j] * z[j, i] for j in J) >= 1"},
        {"name": "grid", "forall": "j in J", "expression": "sum(c[i, j] * z[j, i] for i in I) >= w[j]"}])
    fast, slow, used = both(f, monkeypatch)
    assert fast == slow and used >= 4 * 2


def test_missing_value_is_reported_by_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    f = base(parameters=[{"name": "d", "index": ["I", "J"], "default": None,
                          "values": [{"index": [i, j], "value": 1} for i in I for j in J
                                     if (i, j) != ("i3", 4)]}],
             objective={"sense": "minimize", "expression": "sum(y[j] for j in J)"},
             constraints=[{"name": "r", "expression":
                           "sum(d[i, j] * x[i, j] for i in I for j in J) <= 1"}])
    # check already reports the gap; build raises with the same issues either way
    fast, slow, _ = both(f, monkeypatch)
    assert fast == slow
    assert any("has no value" in issue for issue in fast)


def test_small_sums_and_filters_use_the_interpreter() -> None:
    f = base(constraints=[{"name": "f", "expression": "sum(x[i, j] for i in I for j in J if j > 2) <= 1"},
                          {"name": "s", "expression": "sum(y[j] for j in J) <= 1"}])
    from optimus.checks import analyze

    a = analyze(f)
    assert not a.issues
    plans = [cc.body.a.plan for _, cc in a.constraints]  # body = lhs - rhs
    assert plans == [None, None]  # a filter; only 6 terms


# --------------------------------------------------------------------------- exact arrays
def exact(f: Formulation, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The CSR arrays and costs, unsorted, with and without the vectorized plans."""
    def arrays() -> Any:
        lp = build(f)
        return (lp.a_start.tolist(), lp.a_index.tolist(), lp.a_value.tolist(),
                lp.cost.tolist(), lp.row_lower.tolist(), lp.row_upper.tolist(), lp.row_keys)

    fast = arrays()
    with monkeypatch.context() as m:
        m.setattr(dense, "plan_sum", lambda *a: None)
        slow = arrays()
    return fast, slow


@pytest.mark.parametrize("expression", [
    "sum(x[i, j] for j in J) <= 4",                       # one block per row
    "sum(x[i, j] for j in J) + x[i, 1] <= 4",             # a term after the block
    "x[i, 2] + sum(c[i, j] * x[i, j] for j in J) <= 4",   # a term before it
    "sum(x[i, j] for j in J) - sum(c[i, j] * x[i, j] for j in J) + y[1] <= k",
    "2 * sum(x[i, j] for j in J) + sum(y[j] for j in J) >= 1",
])
def test_blocks_give_the_same_arrays_in_the_same_order(expression: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    big = [f"j{n}" for n in range(30)]  # 30 terms per row: above dense._MIN_TERMS
    f = base(sets=[{"name": "I", "elements": I}, {"name": "J", "elements": big}],
             parameters=[{"name": "c", "index": ["I", "J"],
                          "values": [{"index": [i, j], "value": (a + n) % 4}
                                     for a, i in enumerate(I) for n, j in enumerate(big)]},
                         {"name": "k", "value": 3.0}],
             objective={"sense": "minimize",
                        "expression": "sum(c[i, j] * x[i, j] for i in I for j in J) + y['j1']"},
             constraints=[{"name": "r", "forall": "i in I",
                           "expression": expression.replace("x[i, 1]", "x[i, 'j1']")
                           .replace("x[i, 2]", "x[i, 'j2']").replace("y[1]", "y['j1']")}])
    fast, slow = exact(f, monkeypatch)
    assert fast == slow


# --------------------------------------------------------------------------- lazy records
def test_lazy_variable_values_read_and_dump_like_a_list() -> None:
    import copy
    import pickle
    import warnings

    from optimus.answer import Answer
    from optimus.result import Result, VariableValue, VariableValues

    keys = [("x", ("a", 1)), ("y", ()), ("arc", (("a", "b"),)), ("w", ("q",))]
    vals = [2.5, 0.0, -1.0, 7.0]
    eager = Result(status="optimal", objective=1.0, variables=[
        VariableValue(name=n, index=list(k), value=v) for (n, k), v in zip(keys, vals)])

    def lazy() -> Result:
        r = Result(status="optimal", objective=1.0)
        r.variables = VariableValues(keys, vals)
        return r

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pydantic serialization warnings
        for kw in [{}, {"mode": "json"}, {"exclude": {"backend"}}, {"exclude_none": True},
                   {"exclude_defaults": True}, {"include": {"variables": {0}}},
                   {"exclude": {"variables": {0: {"value"}}}}]:
            assert repr(lazy().model_dump(**kw)) == repr(eager.model_dump(**kw)), kw
        assert lazy().to_json_dict() == eager.to_json_dict()
        assert lazy().model_dump_json() == eager.model_dump_json()
    r = lazy()
    assert isinstance(r.variables, VariableValues) and not r.variables.built
    assert len(r.variables) == 4 and not r.variables.built  # len needs no records
    assert r.variables.columns() == (keys, vals) and not r.variables.built
    assert r.variables == eager.variables and eager.variables == r.variables
    assert r == eager and r.variables[1:3] == eager.variables[1:3]
    assert r.variables[0] is r.variables[0]  # built once
    assert r.value("x", "a", 1) == 2.5
    assert Answer.from_result(lazy()).variables == eager.variables
    assert pickle.loads(pickle.dumps(lazy())) == eager
    assert copy.deepcopy(lazy()) == eager and lazy().model_copy(deep=True) == eager
    assert Result.model_validate(lazy().model_dump()) == eager
    assert isinstance(Result(status="optimal", variables=VariableValues(keys, vals)).variables,
                      VariableValues)


def test_large_tables_are_kept_as_dicts_and_behave_like_entries(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import copy

    import optimus.tables as fm
    from optimus.checks import analyze
    from optimus.errors import UserError
    from optimus.formulation import Entry, EntryList, formulation_from_data

    I2 = [f"i{k}" for k in range(40)]
    J2 = list(range(30))  # 1,200 entries: above _LAZY_MIN
    data = {
        "sets": [{"name": "I", "elements": I2}, {"name": "J", "elements": J2}],
        "parameters": [{"name": "c", "index": ["I", "J"],
                        "values": [{"index": [i, j], "value": a + j / 4}
                                   for a, i in enumerate(I2) for j in J2]}],
        "variables": [{"name": "x", "index": ["I", "J"]}],
        "constraints": [{"name": "r", "forall": "i in I",
                         "expression": "sum(x[i, j] for j in J) >= 1"}],
        "objective": {"sense": "minimize",
                      "expression": "sum(c[i, j] * x[i, j] for i in I for j in J)"},
    }
    lazy = formulation_from_data(copy.deepcopy(data))
    with monkeypatch.context() as m:
        m.setattr(fm, "_LAZY_MIN", 10**9)
        eager = formulation_from_data(copy.deepcopy(data))
    values = lazy.parameters[0].values
    assert isinstance(values, EntryList) and type(eager.parameters[0].values) is list
    assert not values.built
    assert lazy.to_json() == eager.to_json() and lazy.to_yaml() == eager.to_yaml()
    assert lazy.to_dict() == eager.to_dict()
    assert analyze(lazy).symbols.params == analyze(eager).symbols.params
    assert not values.built  # checking read the pairs, not the models
    assert lazy == eager and lazy.copy_deep() == eager
    assert isinstance(values[0], Entry) and values[5].index == ["i0", 5]
    assert len(values) == 1200 and values[-1].value == eager.parameters[0].values[-1].value
    assert lazy.compact() == eager.compact()

    # a record outside the sets: the same issue, worded the same, either way
    off = copy.deepcopy(data)
    off["parameters"][0]["values"][10]["index"] = ["i0", 999]
    off["parameters"][0]["values"][11]["value"] = float("inf")
    lazy_issues = [str(i) for i in analyze(formulation_from_data(copy.deepcopy(off))).issues]
    with monkeypatch.context() as m:
        m.setattr(fm, "_LAZY_MIN", 10**9)
        eager_issues = [str(i) for i in analyze(formulation_from_data(copy.deepcopy(off))).issues]
    assert lazy_issues == eager_issues and "['i0', 999]" in lazy_issues[0]

    # a value the strict check declines but Entry accepts (a numeric string): ordinary path
    lax = copy.deepcopy(data)
    lax["parameters"][0]["values"][3]["value"] = "0.75"
    lax_f = formulation_from_data(lax)
    assert type(lax_f.parameters[0].values) is list
    assert lax_f.parameters[0].values[3].value == 0.75

    # an invalid record anywhere: the ordinary validation reports it, in Entry's words
    bad = copy.deepcopy(data)
    bad["parameters"][0]["values"][700]["value"] = ["lots"]  # texts are lookups; a list is not
    bad["parameters"][0]["values"][900]["extra"] = 1
    with pytest.raises(UserError) as lazy_err:
        formulation_from_data(copy.deepcopy(bad))
    with monkeypatch.context() as m:
        m.setattr(fm, "_LAZY_MIN", 10**9)
        with pytest.raises(UserError) as eager_err:
            formulation_from_data(copy.deepcopy(bad))
    assert str(lazy_err.value) == str(eager_err.value)
    assert "values.700.value" in str(lazy_err.value)


@pytest.mark.parametrize("record", [
    {"index": ["a", 1], "value": 2.5},
    {"index": ["a", 1], "value": 2},                 # int -> float
    {"index": [], "value": -0.0},
    {"index": ["a"], "value": float("inf")},
    {"index": ["a"], "value": 2 ** 53 + 1},
    {"index": ["a"], "value": 10 ** 400},            # too large for a float
    {"index": ["a"], "value": True},                 # bools are not plain
    {"index": [True], "value": 1.0},
    {"index": ["a"], "value": "1.5"},                # a numeric string
    {"index": ["a"], "value": None},
    {"index": [1.0], "value": 1.0},
    {"index": [["a", "b"]], "value": 1.0},
    {"index": ("a",), "value": 1.0},
    {"index": "a", "value": 1.0},
    {"index": ["a"]},
    {"value": 1.0, "other": 2},
    {"index": ["a"], "value": 1.0, "extra": 1},
])
def test_plain_entries_validate_exactly_as_entry(record: dict) -> None:
    """Whatever EntryList.from_plain accepts, Entry accepts with the same result."""
    from pydantic import TypeAdapter, ValidationError

    from optimus.formulation import Entry, EntryList

    records = [dict(record) for _ in range(3)]
    plain = EntryList.from_plain(records)
    try:
        expected = TypeAdapter(list[Entry]).validate_python(records)
    except ValidationError:
        expected = None
    if plain is None:
        return  # the ordinary validation decides
    assert expected is not None
    assert repr(plain.records()) == repr(expected)
    assert plain.dicts() == [e.model_dump() for e in expected]
