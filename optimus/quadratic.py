"""Convex quadratic objectives of continuous variables (least squares, variance).

In an objective (never in a constraint) a product of two linear expressions
(``x[i]*x[j]*cov[i,j]``) or the square of one (``(x - t)**2``) is allowed; it is
expanded exactly into linear terms plus quadratic terms ``q_ij x_i x_j`` collected in a
:class:`Hessian`. HiGHS solves the result with its QP solver (``passHessian``), which
needs a convex problem: the Hessian must be positive semidefinite for a minimization
(negative semidefinite for a maximization), checked numerically with the eigenvalues of
the (dense) matrix over the variables that occur in quadratic terms, and no variable may
be integer (HiGHS has no MIQP). Anything else is refused with a message pointing to
``piecewise(...)``. PuLP/CBC has no QP: that backend refuses such a program.

    >>> from optimus.formulation import Formulation
    >>> from optimus.pipeline import solve_formulation
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x", "lower": None}],
    ...     "objective": {"sense": "minimize", "expression": "(x - 3)**2 + 1"}})
    >>> round(solve_formulation(f).objective, 6), round(solve_formulation(f).value("x"), 4)
    (1.0, 3.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimus.budget import MAX_NONZEROS
from optimus.expressions import Compiler, EvalError, LinExpr, Node, _short

__all__ = ["Hessian", "QuadMul", "quad_mul", "MAX_DENSE_QP", "hessian_issues"]

#: the largest number of variables in quadratic terms whose convexity is checked with a
#: dense eigenvalue decomposition (beyond it the model is refused, naming the number)
MAX_DENSE_QP = 3000


class Hessian:
    """Quadratic terms ``sum q[(i, j)] * x_i * x_j`` (``i <= j``) of ``n`` columns."""

    def __init__(self, terms: dict[tuple[int, int], float], n: int):
        self.terms = {k: v for k, v in terms.items() if v != 0.0}
        self.n = n

    def scaled(self, w: float) -> "Hessian":
        return Hessian({k: w * v for k, v in self.terms.items()}, self.n)

    def plus(self, other: "Hessian") -> "Hessian":
        out = dict(self.terms)
        for k, v in other.terms.items():
            out[k] = out.get(k, 0.0) + v
        return Hessian(out, self.n)

    def value(self, x: Any) -> float:
        return float(sum(v * x[i] * x[j] for (i, j), v in self.terms.items()))

    def columns(self) -> list[int]:
        return sorted({c for k in self.terms for c in k})

    def dense(self, cols: list[int]) -> np.ndarray:
        """``Q`` over ``cols`` such that the terms are ``x' Q x / 2`` (symmetric)."""
        pos = {c: k for k, c in enumerate(cols)}
        q = np.zeros((len(cols), len(cols)))
        for (i, j), v in self.terms.items():
            if i == j:
                q[pos[i], pos[i]] += 2 * v
            else:
                q[pos[i], pos[j]] += v
                q[pos[j], pos[i]] += v
        return q

    def highs_triangular(self, sign: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """HiGHS's lower-triangular column-wise ``Q`` (objective ``c'x + x'Qx/2``):
        ``(start, index, value)`` over all ``n`` columns, times ``sign``."""
        by_col: dict[int, dict[int, float]] = {}
        for (i, j), v in self.terms.items():  # i <= j: column i, row j (lower triangle)
            col = by_col.setdefault(i, {})
            col[j] = col.get(j, 0.0) + (2 * v if i == j else v) * sign
        start = [0]
        index: list[int] = []
        value: list[float] = []
        for c in range(self.n):
            rows = by_col.get(c, {})
            for r in sorted(rows):
                index.append(r)
                value.append(rows[r])
            start.append(len(index))
        return (np.array(start, dtype=np.int32), np.array(index, dtype=np.int32),
                np.array(value, dtype=np.float64))


class QuadMul(Node):
    """The product of two linear expressions, expanded exactly (degree 2)."""

    degree = 2

    def __init__(self, a: Node, b: Node, src: str):
        self.a, self.b, self.src = a, b, src

    def add_to(self, env: dict[str, Any], acc: LinExpr, factor: float) -> None:
        la, lb = LinExpr(), LinExpr()
        self.a.add_to(env, la, 1.0)
        self.b.add_to(env, lb, 1.0)
        ta, tb = la.flush(), lb.flush()
        if len(ta) * len(tb) > MAX_NONZEROS:
            raise EvalError(f"`{_short(self.src)}` expands into {len(ta) * len(tb):,} "
                            f"quadratic terms; the limit is {MAX_NONZEROS:,}",
                            code="too_large", symbol=_short(self.src),
                            fix="Write the quadratic over fewer variables.")
        acc.const += factor * la.const * lb.const
        t = acc.terms if acc.block is None else acc.flush()
        for col, c in ta.items():
            if lb.const:
                t[col] = t.get(col, 0.0) + factor * c * lb.const
        for col, c in tb.items():
            if la.const:
                t[col] = t.get(col, 0.0) + factor * c * la.const
        q = acc.quad
        if q is None:
            q = acc.quad = {}
        for i, ci in ta.items():
            for j, cj in tb.items():
                key = (i, j) if i <= j else (j, i)
                q[key] = q.get(key, 0.0) + factor * ci * cj


def quad_mul(a: Node, b: Node, src: str) -> Node:
    """``a * b`` of two linear expressions in an objective."""
    return QuadMul(a, b, src)


Compiler.quad_mul = staticmethod(quad_mul)  # type: ignore[assignment]


def hessian_issues(h: Hessian, sense: str, integrality: np.ndarray,
                   col_name: Any, where: str = "objective") -> list[Any]:
    """Why HiGHS cannot solve this quadratic objective: an integer variable in the model
    (no MIQP), too many quadratic variables to check, or a non-convex Hessian (the most
    negative eigenvalue named with its variables). Empty when it is a convex QP."""
    from optimus.issues import Issue

    fix_pw = ("Approximate the nonlinear cost with piecewise(x, [x0, x1, ...], [y0, y1, ...]) "
              "of one linear expression, which stays exact at the breakpoints and keeps "
              "integer variables.")
    out = []
    if integrality.any():
        ints = [col_name(j) for j in np.flatnonzero(integrality)[:3]]
        out.append(Issue("quadratic_integer", where, None,
                         f"a quadratic objective with integer or binary variables ({', '.join(ints)}"
                         f"{' ...' if integrality.sum() > 3 else ''}) is a mixed-integer QP, "
                         f"which HiGHS cannot solve", fix_pw))
        return out
    cols = h.columns()
    if len(cols) > MAX_DENSE_QP:
        out.append(Issue("too_large", where, None,
                         f"the quadratic objective involves {len(cols):,} variables; its "
                         f"convexity is checked for at most {MAX_DENSE_QP:,}",
                         "Write the quadratic over fewer variables."))
        return out
    q = h.dense(cols)
    if sense == "maximize":
        q = -q
    eig, vec = np.linalg.eigh(q)
    scale = max(1.0, float(np.abs(eig).max(initial=0.0)))
    if eig.size and eig[0] < -1e-9 * scale:
        v = vec[:, 0]
        top = [col_name(cols[k]) for k in np.argsort(-np.abs(v))[:3] if abs(v[k]) > 1e-6]
        kind = "convex (positive semidefinite)" if sense == "minimize" else \
            "concave (negative semidefinite)"
        out.append(Issue("nonconvex", where, None,
                         f"the quadratic objective is not {kind}: its Hessian has the "
                         f"eigenvalue {eig[0]:.4g} along {', '.join(top)}; HiGHS solves "
                         f"convex quadratics only",
                         "Minimize a sum of squares or a variance (x[i]*x[j]*cov[i,j] with a "
                         "covariance matrix); otherwise " + fix_pw[0].lower() + fix_pw[1:]))
    return out
