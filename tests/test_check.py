"""Every check error, asserted by its message; check collects all of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from optimus.build import build
from optimus.checks import check
from optimus.errors import FormulationError
from optimus.formulation import Formulation
from optimus.issues import Issue

BASE: dict[str, Any] = {
    "name": "base",
    "sets": [{"name": "P", "elements": ["A", "B"]},
             {"name": "T", "elements": [1, 2, 3]}],
    "parameters": [
        {"name": "cost", "index": ["P", "T"], "default": 1.0},
        {"name": "labor", "value": 40},
    ],
    "variables": [{"name": "x", "index": ["P"]}, {"name": "y"},
                  {"name": "inv", "index": ["T"]}],
    "constraints": [],
    "objective": {"sense": "minimize", "expression": "y + sum(x[p] for p in P)"},
}


def model(**changes: Any) -> Formulation:
    data = {**BASE, **changes}
    return Formulation.model_validate(data)


def with_constraint(expression: str, forall: str | None = None, **changes: Any) -> Formulation:
    return model(constraints=[{"name": "c1", "forall": forall, "expression": expression}],
                 **changes)


def only(issues: list[Issue]) -> Issue:
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_a_valid_model_has_no_issues() -> None:
    assert check(with_constraint("sum(cost[p, t] * x[p] for p in P for t in T) <= labor")) == []


# --------------------------------------------------------------------------- unknown symbol
def test_unknown_symbol_suggests_the_closest_name() -> None:
    issue = only(check(with_constraint("y <= labour")))
    assert issue.code == "unknown_symbol"
    assert issue.where == "constraint c1"
    assert issue.symbol == "labour"
    assert "unknown symbol `labour`; did you mean `labor`?" in issue.message
    assert "(in constraint `c1`)" in issue.message
    assert issue.fix and "labor" in issue.fix


def test_unknown_symbol_in_the_objective() -> None:
    f = model(objective={"sense": "minimize", "expression": "sum(cots[p, 1] * x[p] for p in P)"})
    issue = only(check(f))
    assert issue.where == "objective"
    assert "unknown symbol `cots`; did you mean `cost`?" in issue.message


def test_unknown_set_in_a_sum_suggests_the_closest_set() -> None:
    issue = only(check(with_constraint("sum(x[p] for p in Prods) <= 3",
                                       sets=[{"name": "Products", "elements": ["A", "B"]},
                                             {"name": "P", "elements": ["A", "B"]},
                                             {"name": "T", "elements": [1, 2, 3]}])))
    assert "unknown symbol `Prods`; did you mean `Products`?" in issue.message


# --------------------------------------------------------------------------- arity
def test_too_few_indices() -> None:
    issue = only(check(with_constraint("cost['A'] * y <= 1")))
    assert issue.code == "arity"
    assert issue.symbol == "cost"
    assert "parameter `cost` takes 2 index value(s), got 1" in issue.message


def test_too_many_indices() -> None:
    issue = only(check(with_constraint("x['A', 1] <= 1")))
    assert issue.code == "arity"
    assert "variable `x` takes 1 index value(s), got 2" in issue.message


def test_indexed_variable_used_without_index() -> None:
    issue = only(check(with_constraint("x <= 1")))
    assert issue.code == "arity"
    assert "variable `x` needs 1 index value(s), got none" in issue.message
    assert "sum over" in (issue.fix or "")


# --------------------------------------------------------------------------- bad index
def test_literal_index_not_in_its_set() -> None:
    issue = only(check(with_constraint("sum(cost['Z', t] * y for t in T) <= 3")))
    assert issue.code == "bad_index"
    assert issue.symbol == "Z"
    assert "`'Z'` in `cost[...]` is not an element of set P" in issue.message
    assert "A, B" in (issue.fix or "")


def test_literal_index_close_to_an_element_is_suggested() -> None:
    f = with_constraint("x['chairz'] <= 3",
                        sets=[{"name": "P", "elements": ["chairs", "tables"]},
                              {"name": "T", "elements": [1, 2, 3]}])
    issue = only(check(f))
    assert "did you mean 'chairs'?" in issue.message


def test_runtime_index_out_of_its_set_names_constraint_and_index() -> None:
    """``inv[t - 1]`` at the first period: check cannot see it; build names it."""
    f = model(constraints=[{"name": "balance", "forall": "t in T",
                            "expression": "inv[t] >= inv[t - 1] + 1"}])
    assert check(f) == []
    with pytest.raises(FormulationError) as info:
        build(f)
    issue = only(info.value.issues)
    assert issue.code == "bad_index"
    assert issue.where == "constraint balance"
    assert issue.symbol == "inv"
    assert "variable `inv` has no index [0]" in issue.message
    assert "in constraint `balance` at t=1" in issue.message
    assert "filter with `if`" in (issue.fix or "")


def test_runtime_index_is_fine_with_a_filter() -> None:
    f = model(constraints=[{"name": "balance", "forall": "t in T if t > 1",
                            "expression": "inv[t] >= inv[t - 1] + 1"}])
    lp = build(f)
    assert [k for _, k in lp.row_keys] == [(2,), (3,)]


# --------------------------------------------------------------------------- missing values
def test_missing_parameter_value_for_a_set_element() -> None:
    f = with_constraint("sum(demand[p] * x[p] for p in P) <= 3",
                        parameters=[*BASE["parameters"],
                                    {"name": "demand", "index": ["P"],
                                     "values": [{"index": ["A"], "value": 4}]}])
    issue = only(check(f))
    assert issue.code == "missing_value"
    assert issue.where == "parameter demand"
    assert "parameter `demand` has no value for 1 index combination(s) of P: ['B']" \
        in issue.message
    assert "default" in (issue.fix or "")


def test_scalar_parameter_without_value() -> None:
    f = with_constraint("y <= budget",
                        parameters=[*BASE["parameters"], {"name": "budget"}])
    issue = only(check(f))
    assert issue.code == "missing_value"
    assert "scalar parameter `budget` has no value" in issue.message


def test_parameter_entry_outside_its_sets() -> None:
    f = with_constraint("y <= 3", parameters=[
        *BASE["parameters"],
        {"name": "d", "index": ["P"], "default": 0, "values": [{"index": ["Q"], "value": 1}]}])
    issue = only(check(f))
    assert issue.code == "bad_index"
    assert "parameter `d` has entries whose index is not in its sets" in issue.message


# --------------------------------------------------------------------------- nonlinear
@pytest.mark.parametrize("expression, term, words", [
    ("x['A'] * y <= 2", "x['A'] * y", "a product of two decision-variable expressions"),
    ("(y + 1) * x['A'] <= 2", "(y + 1) * x['A']",
     "a product of two decision-variable expressions"),
    ("10 / y <= 3", "10 / y", "division by a decision variable"),
    ("y ** 2 <= 4", "y ** 2", "a power of a decision variable"),
    ("abs(x['A'] * y) <= 3", "x['A'] * y", "a product of two decision-variable expressions"),
])
def test_nonlinear_terms_are_named(expression: str, term: str, words: str) -> None:
    issue = only(check(with_constraint(expression)))
    assert issue.code == "nonlinear"
    assert issue.symbol == term
    assert f"nonlinear term `{term}`: {words}" in issue.message


def test_variable_inside_a_filter_is_rejected() -> None:
    issue = only(check(with_constraint("sum(x[p] for p in P if x[p] > 0) <= 3")))
    assert issue.code == "nonlinear"
    assert issue.symbol == "x[p] > 0"
    assert "filter `x[p] > 0` contains a decision variable" in issue.message


def test_variable_inside_a_forall_filter_is_rejected() -> None:
    issue = only(check(with_constraint("x[p] <= 3", forall="p in P if y >= 1 and p != 'A'")))
    assert issue.code == "nonlinear"
    assert "filter `y >= 1 and p != 'A'` contains a decision variable" in issue.message


def test_variable_as_an_index_is_rejected() -> None:
    issue = only(check(with_constraint("inv[y] <= 1")))
    assert issue.code == "nonlinear"
    assert issue.symbol == "y"
    assert "decision variable used as an index in `inv[y]`" in issue.message


def test_nonlinear_objective() -> None:
    # a product of variables is a quadratic objective (optimus.quadratic): the bilinear
    # y * inv[1] is not convex, which the build reports with the eigenvalue and the fix
    from optimus.pipeline import solve_model

    f = model(objective={"sense": "maximize", "expression": "y * inv[1]"})
    assert check(f) == []
    issue = only(solve_model(f).issues)
    assert issue.where == "objective" and issue.code in ("nonconvex", "quadratic_integer")
    assert "piecewise" in (issue.fix or "")
    f = model(objective={"sense": "maximize", "expression": "y * inv[1] * inv[2]"})
    assert "nonlinear term" in only(check(f)).message


# --------------------------------------------------------------------------- bounds, names
def test_lower_bound_above_upper_bound() -> None:
    f = model(variables=[*BASE["variables"], {"name": "z", "lower": 5, "upper": 2}])
    issue = only(check(f))
    assert issue.code == "bounds"
    assert issue.where == "variable z"
    assert "variable `z` has lower bound 5 above its upper bound 2" in issue.message


def test_duplicate_names_across_kinds() -> None:
    f = model(variables=[*BASE["variables"], {"name": "labor"}])
    issue = only(check(f))
    assert issue.code == "duplicate_name"
    assert "`labor` is defined twice (as a parameter and as a variable)" in issue.message


def test_duplicate_constraint_names() -> None:
    f = model(constraints=[{"name": "cap", "expression": "y <= 3"},
                           {"name": "cap", "expression": "y <= 4"}])
    issue = only(check(f))
    assert issue.code == "duplicate_name"
    assert "constraint name `cap` is used twice" in issue.message


# --------------------------------------------------------------------------- all at once
def test_check_collects_every_error() -> None:
    f = model(
        parameters=[*BASE["parameters"],
                    {"name": "demand", "index": ["P"], "values": [{"index": ["A"], "value": 1}]}],
        variables=[*BASE["variables"], {"name": "z", "lower": 3, "upper": 1}, {"name": "labor"}],
        constraints=[
            {"name": "c1", "expression": "y <= labour"},
            {"name": "c2", "expression": "x['A'] * y <= 2"},
            {"name": "c3", "expression": "cost['A'] * y <= 1"},
            {"name": "c4", "expression": "sum(cost['Z', t] * y for t in T) <= 3"},
            {"name": "c4", "expression": "y <= 2"},
        ],
        objective={"sense": "minimize", "expression": "10 / y"},
    )
    issues = check(f)
    codes = sorted(i.code for i in issues)
    assert codes == sorted(["missing_value", "bounds", "duplicate_name", "unknown_symbol",
                            "nonlinear", "arity", "bad_index", "duplicate_name", "nonlinear"])
    wheres = {i.where for i in issues}
    assert {"constraint c1", "constraint c2", "constraint c3", "constraint c4", "objective",
            "variable z", "parameter demand"} <= wheres


def test_build_reports_every_check_issue() -> None:
    f = model(constraints=[{"name": "c1", "expression": "y <= labour"},
                           {"name": "c2", "expression": "x <= 1"}])
    with pytest.raises(FormulationError) as info:
        build(f)
    assert [i.where for i in info.value.issues] == ["constraint c1", "constraint c2"]


# --------------------------------------------------------------------------- hostile input
HOSTILE = "__import__('os').system('touch PWNED')"


@pytest.mark.parametrize("field", ["constraint", "forall", "objective", "filter", "index"])
def test_code_in_an_expression_is_rejected_and_never_run(
        field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    changes: dict[str, Any] = {}
    if field == "constraint":
        changes["constraints"] = [{"name": "c1", "expression": f"{HOSTILE} <= 1"}]
    elif field == "forall":
        changes["constraints"] = [{"name": "c1", "forall": f"p in P if {HOSTILE}",
                                   "expression": "x[p] <= 1"}]
    elif field == "objective":
        changes["objective"] = {"sense": "minimize", "expression": HOSTILE}
    elif field == "filter":
        changes["constraints"] = [{"name": "c1",
                                   "expression": f"sum(x[p] for p in P if {HOSTILE}) <= 1"}]
    else:
        changes["constraints"] = [{"name": "c1", "expression": f"x[{HOSTILE}] <= 1"}]
    f = model(**changes)
    issues = check(f)
    assert issues, "hostile expression accepted"
    text = " ".join(str(i) for i in issues)
    assert "is not allowed" in text
    with pytest.raises(FormulationError):
        build(f)
    from optimus.pipeline import solve_formulation

    assert solve_formulation(f).status == "error"
    assert not (tmp_path / "PWNED").exists()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("text", ["x.__class__ <= 1", "(lambda: 1)() <= y",
                                  "[c for c in ().__class__.__bases__] <= y",
                                  "getattr(y, 'real') <= 1", "__builtins__ <= 1"])
def test_other_escapes_are_rejected(text: str) -> None:
    issues = check(with_constraint(text))
    assert issues and all(i.where == "constraint c1" for i in issues)


def test_hostile_names_are_rejected() -> None:
    f = model(variables=[*BASE["variables"], {"name": HOSTILE}])
    issue = only(check(f))
    assert issue.code == "invalid_name"
    assert "is not a valid identifier" in issue.message
