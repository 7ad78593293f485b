"""Lazy column keys and maps (optimus.columns) behave like the list and dict they replace,
and the program built with them is the one the explicit keys give."""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest

import optimus.columns as columns_module
from optimus.build import build
from optimus.columns import ColumnKeys, GridColumns, ProductKeys
from optimus.formulation import Formulation
from optimus.pipeline import solve_formulation
from solvers.highs import make_highs


def test_doctests() -> None:
    assert doctest.testmod(columns_module).failed == 0


@pytest.mark.parametrize("pools", [[["a", "b", "c"]], [[1, 2], ["x", "y", "z"]],
                                   [[1, 2], [3], [4, 5, 6]], [[], [1, 2]]])
def test_product_keys_are_the_product(pools: list[list]) -> None:
    want = list(itertools.product(*pools))
    keys = ProductKeys(pools)
    assert len(keys) == len(want) and list(keys) == want
    assert [keys[k] for k in range(len(want))] == want
    assert keys[-1:] == want[-1:] and keys[::2] == want[::2]
    assert keys == want and keys == ProductKeys(pools)
    with pytest.raises(IndexError):
        keys[len(want)]
    cols = GridColumns(7, keys)
    as_dict = dict(zip(want, range(7, 7 + len(want))))
    assert dict(cols) == as_dict and cols.lookup() == as_dict
    for k in want:
        assert cols[k] == as_dict[k] and k in cols
    assert cols.get(("nope",) * len(pools)) is None
    assert ("a", "b", "c", "d") not in cols and "a" not in cols


def test_column_keys_read_like_a_list() -> None:
    x = ProductKeys([["p", "q"], [1, 2]])
    aux = [("t.z", (1,)), ("t.z", (2,))]
    ck = ColumnKeys([("x", x), ("s", [()]), ("empty", [])]) + aux
    want = [("x", k) for k in x] + [("s", ())] + aux
    assert len(ck) == len(want) and list(ck) == want
    assert [ck[j] for j in range(len(want))] == want and ck[-1] == want[-1]
    assert ck[2:6] == want[2:6] and ck == want and want == ck
    assert ck != want[:-1] and ck != want[:-1] + [("t.z", (3,))]
    with pytest.raises(IndexError):
        ck[len(want)]


def _model() -> Formulation:
    return Formulation.model_validate({
        "sets": [{"name": "P", "elements": ["a", "b", "c"]}, {"name": "W", "range": [1, 4]},
                 {"name": "L", "elements": [["a", 1], ["b", 2]]}],
        "parameters": [{"name": "cap", "index": ["P"], "values": [{"index": ["a"], "value": 5}, {"index": ["b"], "value": 3}, {"index": ["c"], "value": 4}]}],
        "variables": [{"name": "x", "index": ["P", "W"], "upper": 10},
                      {"name": "y", "index": ["L"], "domain": "integer", "upper": 3},
                      {"name": "z", "lower": -4, "upper": 4}],
        "constraints": [
            {"name": "cap", "forall": "p in P", "expression": "sum(x[p, w] for w in W) <= cap[p]"},
            {"name": "one", "expression": "x['b', 2] + y['a', 1] + abs(z) >= 2"},
            {"name": "link", "forall": "(p, w) in L", "expression": "y[p, w] <= x[p, w] + 1"}],
        "objective": {"sense": "maximize",
                      "expression": "sum(x[p, w] for p in P for w in W) + 2 * sum(y[l] for l in L) - z"},
    })


def test_built_program_has_the_explicit_keys() -> None:
    lp = build(_model())
    want = ([("x", (p, w)) for p in "abc" for w in range(1, 5)]
            + [("y", ("a", 1)), ("y", ("b", 2)), ("z", ())])
    assert list(lp.col_keys[:lp.num_user_cols]) == want
    assert len(lp.col_keys) == lp.num_cols > len(want)  # abs(z) adds auxiliary columns
    assert lp.col_upper[:12].tolist() == [10.0] * 12 and lp.integrality[12:14].tolist() == [1, 1]
    assert lp.col_names()[0] == "x[a,1]"


def test_fast_and_named_highs_models_agree() -> None:
    lp = build(_model())
    fast, named = make_highs(lp, names=False), make_highs(lp, names=True)
    fast.run()
    named.run()
    assert fast.getInfo().objective_function_value == pytest.approx(
        named.getInfo().objective_function_value)
    r = solve_formulation(_model())
    assert r.status == "optimal" and r.objective == pytest.approx(fast.getInfo().objective_function_value)


def test_fast_lp_path_keeps_duals() -> None:
    f = Formulation.model_validate({
        "variables": [{"name": "x"}, {"name": "y"}],
        "constraints": [{"name": "c", "expression": "x + y <= 4"}],
        "objective": {"sense": "maximize", "expression": "3*x + 2*y"}})
    h = make_highs(build(f), names=False)
    h.run()
    sol = h.getSolution()
    assert sol.dual_valid and np.allclose(sol.row_dual, [3.0])
