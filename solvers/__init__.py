"""Solver backends behind one small interface (installed as ``optimus.solvers``).

A backend takes a :class:`~optimus.build.LinearProgram` and :class:`SolverOptions` and
returns a :class:`RawSolution`. ``highs`` (highspy, the default) and ``pulp`` (PuLP with
its bundled CBC) are registered.
"""

from __future__ import annotations

from optimus.solvers.base import Backend, RawSolution, SolverOptions

__all__ = ["Backend", "RawSolution", "SolverOptions", "get_backend", "BACKENDS"]

BACKENDS = ("highs", "pulp")


def get_backend(name: str) -> Backend:
    """The backend registered under ``name`` (``highs`` or ``pulp``)."""
    from optimus.errors import UserError

    key = (name or "highs").lower()
    if key in ("highs", "highspy"):
        from optimus.solvers.highs import HighsBackend

        return HighsBackend()
    if key in ("pulp", "cbc"):
        from optimus.solvers.pulp_cbc import PulpBackend

        return PulpBackend()
    raise UserError(f"unknown backend {name!r}", fix=f"Use one of: {', '.join(BACKENDS)}.")
