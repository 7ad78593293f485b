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
    from optimus.check import analyze

    a = analyze(f)
    assert not a.issues
    plans = [cc.body.a.plan for _, cc in a.constraints]  # body = lhs - rhs
    assert plans == [None, None]  # a filter; only 6 terms
