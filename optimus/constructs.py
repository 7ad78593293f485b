"""Modeling constructs compiled into auxiliary columns and rows: ``abs``, ``min``, ``max``
and ``piecewise`` of linear expressions.

The compiler (:mod:`optimus.expressions`) turns ``abs(e)``, ``max(e1, e2, ...)``,
``min(e for i in I)`` and ``piecewise(x, [x0, ...], [y0, ...])`` into the nodes of this
module when an argument holds a decision variable. While the builder
(:func:`optimus.build.build`) evaluates a row, each node asks the :class:`Aux` of the
build for the columns and rows it needs, and adds its value (an expression of those
columns) to the row. What is added depends on where the construct stands:

* **convex position** (``max``/``abs``/a convex ``piecewise`` that is minimized or on the
  small side of ``<=``; ``min``/a concave ``piecewise`` maximized or on the large side of
  ``>=``): an epigraph (hypograph) column ``t`` with ``t >= e_k`` for every argument
  (every segment): no binaries, an LP stays an LP;
* **anywhere else** (an equality, the other side, a maximized ``max``...): exact, with one
  binary per argument (``max``/``min``), one binary (``abs``, as ``e = p - n``) or one
  binary per inner breakpoint (``piecewise``, incremental formulation), and big-M values
  computed from the bounds of the arguments (their variables' bounds and the data). A
  bound that is needed and missing is an error that names the variable.

The orientation of the row being built is ``Aux.orientation`` (+1: the row wants its
body small, ``body <= rhs`` or a minimized objective; -1: large; 0: both); the sign of
the construct's factor in the row (``-max(...)`` flips it) turns it into a direction.

Auxiliary columns come after the formulation's own columns; auxiliary rows carry the key
of the constraint (or ``objective``) they were made for, so diagnoses speak of the
user's constraint. Neither appears in a solution's variable values.

Example::

    >>> from optimus.formulation import Formulation
    >>> from optimus.build import build
    >>> f = Formulation.model_validate({
    ...     "variables": [{"name": "x", "lower": -5, "upper": 5}],
    ...     "objective": {"sense": "minimize", "expression": "abs(x - 2)"}})
    >>> lp = build(f)
    >>> lp.num_user_cols, lp.num_cols, bool(lp.is_mip)   # one epigraph column, no binary
    (1, 2, False)
"""

from __future__ import annotations

import contextvars
import math
from typing import Any, Iterator

from optimus.expressions import Binder, EvalError, LinExpr, Node, _num, _short

__all__ = ["Aux", "MaxNode", "AbsNode", "PiecewiseNode", "current_aux", "using_aux"]

INF = math.inf
_CURRENT: contextvars.ContextVar["Aux | None"] = contextvars.ContextVar("optimus_aux", default=None)
#: breakpoints per piecewise function, arguments per max/min (one row each at least)
MAX_BREAKPOINTS = 1_000
_TOL = 1e-9


def current_aux() -> "Aux":
    aux = _CURRENT.get()
    if aux is None:  # pragma: no cover - only the builder evaluates variable expressions
        raise EvalError("abs/min/max/piecewise of variables can only be evaluated while "
                        "building the program", code="internal")
    return aux


class using_aux:
    """Context manager making ``aux`` the current one (for the builder)."""

    def __init__(self, aux: "Aux"):
        self.aux = aux
        self._token: Any = None

    def __enter__(self) -> "Aux":
        self._token = _CURRENT.set(self.aux)
        return self.aux

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)


# --------------------------------------------------------------------------- Aux
class Aux:
    """Auxiliary columns and rows made while the builder evaluates rows.

    ``lower``/``upper``/``integer`` are the formulation's columns (lists shared with the
    builder, read only); auxiliary column ``k`` has index ``len(lower) + k``.
    """

    def __init__(self, col_keys: list[tuple[str, tuple]], lower: list[float],
                 upper: list[float], integer: list[int]):
        self.user_keys = col_keys
        self.user_lower, self.user_upper, self.user_integer = lower, upper, integer
        self.base = len(lower)
        self.col_keys: list[tuple[str, tuple]] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[int] = []
        self.intval: list[bool] = []  # integer-valued by construction (not marked integer)
        self.culprits: list[tuple[list[int], list[int]]] = []  # user columns behind inf bounds
        self.row_keys: list[tuple[str, tuple]] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.rows: list[dict[int, float]] = []
        self.owner: tuple[str, tuple] = ("objective", ())
        self.orientation = 0
        self._seq = 0

    # -- columns
    def column(self, kind: str, lo: float, hi: float, *, integer: bool = False,
               intval: bool = False, culprits: tuple[list[int], list[int]] = ([], [])) -> int:
        self._seq += 1
        name, key = self.owner
        self.col_keys.append((f"{name}.{kind}", tuple(key) + (self._seq,)))
        self.lower.append(float(lo))
        self.upper.append(float(hi))
        self.integer.append(1 if integer else 0)
        self.intval.append(integer or intval)
        self.culprits.append(culprits)
        return self.base + len(self.lower) - 1

    def binary(self) -> int:
        return self.column("z", 0.0, 1.0, integer=True)

    def bounds_of(self, j: int) -> tuple[float, float]:
        if j < self.base:
            return self.user_lower[j], self.user_upper[j]
        k = j - self.base
        return self.lower[k], self.upper[k]

    def is_integer_valued(self, j: int) -> bool:
        return bool(self.user_integer[j]) if j < self.base else self.intval[j - self.base]

    def label(self, j: int) -> str:
        name, key = self.user_keys[j]
        return f"{name}[{','.join(str(k) for k in key)}]" if key else name

    # -- rows
    def row(self, e: LinExpr, lo: float, hi: float) -> None:
        """Add the row ``lo <= e <= hi`` (the constant of ``e`` moved to the sides)."""
        terms = dict(e.flush())
        self.row_keys.append(self.owner)
        self.row_lower.append(lo - e.const)
        self.row_upper.append(hi - e.const)
        self.rows.append(terms)

    def evaluate(self, node: Node, env: dict, orientation: int) -> LinExpr:
        """``node`` evaluated for ``env`` with nested constructs in ``orientation``."""
        saved = self.orientation
        self.orientation = orientation
        try:
            acc = LinExpr()
            node.add_to(env, acc, 1.0)
            acc.flush()
            return acc
        finally:
            self.orientation = saved

    # -- bounds
    def bounds(self, e: LinExpr) -> tuple[float, float, list[int], list[int]]:
        """Lower and upper bound of ``e`` from its columns' bounds, and the user columns
        whose missing bound makes each side infinite."""
        lo = hi = e.const
        miss_lo: list[int] = []
        miss_hi: list[int] = []
        for j, c in e.flush().items():
            if c == 0:
                continue
            cl, cu = self.bounds_of(j)
            a, b = (c * cl, c * cu) if c > 0 else (c * cu, c * cl)
            lo += a
            hi += b
            if a == -INF:
                miss_lo.extend(self._why(j, low=c > 0))
            if b == INF:
                miss_hi.extend(self._why(j, low=c < 0))
        return lo, hi, miss_lo, miss_hi

    def _why(self, j: int, *, low: bool) -> list[int]:
        """The user columns behind column ``j``'s missing lower (``low``) or upper bound."""
        if j < self.base:
            return [j]
        lo_c, hi_c = self.culprits[j - self.base]
        return lo_c if low else hi_c

    def missing_bound(self, src: str, what: str, low: list[int], high: list[int]) -> EvalError:
        """The error for a big-M that needs the bounds of columns ``low`` (their lower
        bound is missing) and ``high`` (upper)."""
        sides: dict[str, list[str]] = {}
        for cols, side in ((low, "lower"), (high, "upper")):
            for j in cols:
                sides.setdefault(self.label(j), [])
                if side not in sides[self.label(j)]:
                    sides[self.label(j)].append(side)
        items = list(sides.items())[:3]
        shown = "; ".join(f"`{n}` has no {' and no '.join(s)} bound" for n, s in items) \
            or "a bound is missing"
        base = items[0][0].split("[")[0] if items else "?"
        need = " and ".join(items[0][1]) if items else "lower and upper"
        return EvalError(
            f"`{_short(src)}` needs binaries here ({what}), with a big-M from the bounds of "
            f"its arguments: {shown}",
            code="needs_bound", symbol=base,
            fix=f"Give variable `{base}` the {need} bound the problem implies (`lower:`/"
                f"`upper:` in its declaration); no hand-made big-M is needed.")

    def integer_valued(self, e: LinExpr) -> tuple[bool, int | None]:
        """Is ``e`` integer-valued (integer columns, integer coefficients and constant)?
        Also the first column that is not."""
        if abs(e.const - round(e.const)) > _TOL:
            return False, None
        for j, c in e.flush().items():
            if c == 0:
                continue
            if abs(c - round(c)) > _TOL or not self.is_integer_valued(j):
                return False, j
        return True, None


def _var(j: int, coef: float = 1.0) -> LinExpr:
    e = LinExpr()
    e.terms[j] = coef
    return e


def _lin(pairs: list[tuple[int, float]], const: float = 0.0) -> LinExpr:
    e = LinExpr()
    for j, c in pairs:
        e.terms[j] = e.terms.get(j, 0.0) + c
    e.const = const
    return e


def _combine(*parts: tuple[float, LinExpr]) -> LinExpr:
    out = LinExpr()
    for f, e in parts:
        for j, c in e.flush().items():
            out.terms[j] = out.terms.get(j, 0.0) + f * c
        out.const += f * e.const
    return out


def _add(acc: LinExpr, e: LinExpr, factor: float) -> None:
    t = acc.terms if acc.block is None else acc.flush()
    for j, c in e.flush().items():
        t[j] = t.get(j, 0.0) + factor * c
    acc.const += factor * e.const


def _sign(v: float) -> int:
    return 1 if v > 0 else -1 if v < 0 else 0


# --------------------------------------------------------------------------- formulations
def max_of(aux: Aux, exprs: list[LinExpr], convex: bool, src: str, what: str) -> LinExpr:
    """An expression equal to ``max(exprs)``: where ``convex``, a column ``t >= e_k``
    (``t`` is pushed down by the row); else exact with one binary per argument and
    ``t <= e_k + M_k (1 - z_k)``, ``M_k = max_j U_j - L_k``, ``sum z = 1``."""
    bnds = [aux.bounds(e) for e in exprs]
    lmax = max(b[0] for b in bnds)
    keep = [k for k, b in enumerate(bnds) if b[1] >= lmax - _TOL] if lmax > -INF else \
        list(range(len(exprs)))
    if len(keep) == 1:  # one argument dominates every other one: the max is it
        return exprs[keep[0]]
    umax = max(bnds[k][1] for k in keep)
    lo_culprits = [j for k in keep for j in bnds[k][2]] if lmax == -INF else []
    hi_culprits = [j for k in keep for j in bnds[k][3]]
    intval = all(aux.integer_valued(exprs[k])[0] for k in keep)
    t = aux.column("max", lmax, umax, intval=intval, culprits=(lo_culprits, hi_culprits))
    for k in keep:
        aux.row(_combine((1.0, exprs[k]), (-1.0, _var(t))), -INF, 0.0)
    if not convex:
        if umax == INF or any(bnds[k][0] == -INF for k in keep):
            raise aux.missing_bound(src, what, [j for k in keep for j in bnds[k][2]],
                                    hi_culprits)
        zs = [aux.binary() for _ in keep]
        aux.row(_lin([(z, 1.0) for z in zs]), 1.0, 1.0)
        for z, k in zip(zs, keep):
            m = umax - bnds[k][0]
            # t - e_k + M z_k <= M
            aux.row(_combine((1.0, _var(t)), (-1.0, exprs[k]), (1.0, _var(z, m))), -INF, m)
    return _var(t)


def abs_of(aux: Aux, e: LinExpr, convex: bool, src: str, what: str) -> LinExpr:
    """An expression equal to ``|e|``: ``e`` or ``-e`` when its sign is known from the
    bounds; where ``convex`` a column ``t >= e, t >= -e``; else exact: ``e = p - n``,
    ``p <= U z``, ``n <= -L (1 - z)`` with one binary ``z``, ``|e| = p + n``."""
    lo, hi, miss_lo, miss_hi = aux.bounds(e)
    if lo >= 0:
        return e
    if hi <= 0:
        return _combine((-1.0, e))
    intval = aux.integer_valued(e)[0]
    if convex:
        t = aux.column("abs", 0.0, max(-lo, hi), intval=intval, culprits=([], miss_lo + miss_hi))
        aux.row(_combine((1.0, e), (-1.0, _var(t))), -INF, 0.0)
        aux.row(_combine((-1.0, e), (-1.0, _var(t))), -INF, 0.0)
        return _var(t)
    if lo == -INF or hi == INF:
        raise aux.missing_bound(src, what, miss_lo, miss_hi)
    p = aux.column("pos", 0.0, hi, intval=intval)
    n = aux.column("neg", 0.0, -lo, intval=intval)
    z = aux.binary()
    aux.row(_combine((1.0, e), (-1.0, _var(p)), (1.0, _var(n))), 0.0, 0.0)
    aux.row(_lin([(p, 1.0), (z, -hi)]), -INF, 0.0)
    aux.row(_lin([(n, 1.0), (z, -lo)]), -INF, -lo)
    return _lin([(p, 1.0), (n, 1.0)])


def piecewise_of(aux: Aux, x: LinExpr, xs: list[float], ys: list[float], direction: int
                 ) -> LinExpr:
    """An expression equal to the piecewise-linear function through ``(xs, ys)`` at
    ``x``, with ``xs[0] <= x <= xs[-1]`` enforced. Linear: the line. Convex and pushed
    down (``direction > 0``), or concave and pushed up: a column above (below) every
    segment's line. Otherwise the incremental formulation: ``x = x0 + sum d_k dx_k``,
    ``d_k`` in [0, 1], ``d_{k+1} <= z_k <= d_k`` with one binary per inner breakpoint."""
    n = len(xs) - 1
    slopes = [(ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]) for k in range(n)]
    scale = max(1.0, *(abs(s) for s in slopes))
    convex = all(slopes[k] <= slopes[k + 1] + _TOL * scale for k in range(n - 1))
    concave = all(slopes[k] >= slopes[k + 1] - _TOL * scale for k in range(n - 1))
    lo, hi, _, _ = aux.bounds(x)

    def domain() -> None:
        if lo < xs[0] - _TOL or hi > xs[-1] + _TOL:
            aux.row(x, xs[0], xs[-1])

    def line(k: int) -> LinExpr:  # ys[k] + s_k (x - xs[k])
        return _combine((slopes[k], x), (1.0, _lin([], ys[k] - slopes[k] * xs[k])))

    if convex and concave:
        domain()
        return line(0)
    if (convex and direction > 0) or (concave and direction < 0):
        domain()
        t = aux.column("pw", min(ys), max(ys))
        for k in range(n):
            if convex:  # line_k - t <= 0
                aux.row(_combine((1.0, line(k)), (-1.0, _var(t))), -INF, 0.0)
            else:
                aux.row(_combine((1.0, line(k)), (-1.0, _var(t))), 0.0, INF)
        return _var(t)
    ds = [aux.column("seg", 0.0, 1.0) for _ in range(n)]
    zs = [aux.binary() for _ in range(n - 1)]
    aux.row(_combine((1.0, x), (-1.0, _lin([(d, xs[k + 1] - xs[k]) for k, d in enumerate(ds)]))),
            xs[0], xs[0])
    for k, z in enumerate(zs):
        aux.row(_lin([(ds[k + 1], 1.0), (z, -1.0)]), -INF, 0.0)
        aux.row(_lin([(z, 1.0), (ds[k], -1.0)]), -INF, 0.0)
    return _lin([(d, ys[k + 1] - ys[k]) for k, d in enumerate(ds)], ys[0])


# --------------------------------------------------------------------------- nodes
class MaxNode(Node):
    """``max``/``min`` of linear expressions: listed (``args``) or a generator
    (``body`` over ``binder``)."""

    degree = 1

    def __init__(self, is_max: bool, args: list[Node] | None, body: Node | None,
                 binder: Binder | None, src: str):
        self.is_max, self.args, self.body, self.binder, self.src = is_max, args, body, binder, src

    def _items(self, env: dict) -> Iterator[tuple[Node, dict]]:
        if self.args is not None:
            for a in self.args:
                yield a, env
        else:
            assert self.binder is not None and self.body is not None
            for e in self.binder.iterate(env):
                yield self.body, dict(e)

    def add_to(self, env: dict, acc: LinExpr, factor: float) -> None:
        aux = current_aux()
        d = _sign(factor) * aux.orientation
        sign = 1.0 if self.is_max else -1.0  # min(e) = -max(-e)
        convex = sign * d > 0
        orient = int(sign) if convex else 0
        exprs = []
        for node, e in self._items(env):
            v = aux.evaluate(node, e, orient)
            exprs.append(v if self.is_max else _combine((-1.0, v)))
            if len(exprs) > MAX_BREAKPOINTS:
                raise EvalError(f"`{_short(self.src)}` has more than {MAX_BREAKPOINTS} "
                                f"arguments", code="too_large", symbol=_short(self.src),
                                fix="Take the max over a smaller set, or split it.")
        if not exprs:
            raise EvalError(f"`{_short(self.src)}` ranges over an empty set", code="empty",
                            symbol=_short(self.src),
                            fix="Filter so that at least one element remains, or drop it.")
        fn = "max" if self.is_max else "min"
        what = (f"a {fn} that is {'maximized' if self.is_max else 'minimized'}, on the "
                f"{'large' if self.is_max else 'small'} side of a comparison or in an equality")
        res = max_of(aux, exprs, convex, self.src, what)
        _add(acc, res, factor * sign)


class AbsNode(Node):
    degree = 1

    def __init__(self, arg: Node, src: str):
        self.arg, self.src = arg, src

    def add_to(self, env: dict, acc: LinExpr, factor: float) -> None:
        aux = current_aux()
        d = _sign(factor) * aux.orientation
        e = aux.evaluate(self.arg, env, 0)
        res = abs_of(aux, e, d > 0, self.src,
                     "an abs that is maximized, on the large side of a comparison or in "
                     "an equality")
        _add(acc, res, factor)


class PiecewiseNode(Node):
    """``piecewise(x, [x0, ...], [y0, ...])``: breakpoints are constant nodes."""

    degree = 1

    def __init__(self, x: Node, xs: list[Node], ys: list[Node], src: str):
        self.x, self.xs, self.ys, self.src = x, xs, ys, src

    def points(self, env: dict) -> tuple[list[float], list[float]]:
        xs = [float(_num(n.value(env), n)) for n in self.xs]
        ys = [float(_num(n.value(env), n)) for n in self.ys]
        problem = piecewise_problem(xs, ys)
        if problem:
            raise EvalError(f"`{_short(self.src)}`: {problem[0]}", code="piecewise",
                            symbol=_short(self.src), fix=problem[1])
        return xs, ys

    def add_to(self, env: dict, acc: LinExpr, factor: float) -> None:
        aux = current_aux()
        xs, ys = self.points(env)
        d = _sign(factor) * aux.orientation
        x = aux.evaluate(self.x, env, 0)
        _add(acc, piecewise_of(aux, x, xs, ys, d), factor)


def piecewise_problem(xs: list[float], ys: list[float]) -> tuple[str, str] | None:
    """What is wrong with breakpoints ``xs``/``ys`` (message, fix), or None."""
    if len(xs) != len(ys):
        return (f"{len(xs)} x breakpoints but {len(ys)} y values",
                "Give one y value per x breakpoint (equal lengths).")
    if len(xs) < 2:
        return ("a piecewise function needs at least two breakpoints",
                "Write piecewise(x, [x0, x1, ...], [y0, y1, ...]) with two or more points.")
    if len(xs) > MAX_BREAKPOINTS:
        return (f"{len(xs)} breakpoints; the limit is {MAX_BREAKPOINTS}",
                "Use fewer breakpoints.")
    if not all(math.isfinite(v) for v in xs + ys):
        return ("the breakpoints must be finite numbers", "Use finite numbers.")
    for a, b in zip(xs, xs[1:]):
        if not b > a:
            return (f"the x breakpoints must increase strictly ({a:g} then {b:g})",
                    "List the x breakpoints in increasing order, each once.")
    return None
