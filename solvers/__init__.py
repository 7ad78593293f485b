"""Solver backends behind one small interface (installed as ``optimus.solvers``).

A backend takes a :class:`~optimus.build.LinearProgram` and :class:`SolverOptions` and
returns a :class:`RawSolution`; it declares what else it can do as
:class:`Capability` values. The registry below is the one place that knows the
backends' names: commands validate ``--backend`` with :func:`backend_name`.

>>> backend_names()
('highs', 'pulp')
>>> backend_name("CBC")
'pulp'
>>> Capability.IIS in get_backend("highs").capabilities
True
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from optimus.solvers.base import Backend, Capability, RawSolution, SolverOptions

__all__ = ["Backend", "Capability", "RawSolution", "SolverOptions", "get_backend",
           "backend_name", "backend_names", "BACKENDS"]


@dataclass(frozen=True)
class _Entry:
    module: str
    cls: str
    aliases: tuple[str, ...]
    missing_fix: str


_REGISTRY: dict[str, _Entry] = {
    "highs": _Entry("optimus.solvers.highs", "HighsBackend", ("highspy",),
                    "pip install highspy"),
    "pulp": _Entry("optimus.solvers.pulp_cbc", "PulpBackend", ("cbc",),
                   "pip install pulp, or use --backend highs."),
}

#: The registered backend names, default first.
BACKENDS: tuple[str, ...] = tuple(_REGISTRY)


def backend_names() -> tuple[str, ...]:
    """The registered backend names, the default (``highs``) first."""
    return BACKENDS


def backend_name(name: str | None) -> str:
    """The registered name for ``name`` (case and aliases such as ``cbc`` allowed).

    Raises :class:`~optimus.errors.UserError` naming the choices for an unknown name.
    """
    from optimus.errors import UserError

    key = (name or "highs").strip().lower()
    for registered, entry in _REGISTRY.items():
        if key == registered or key in entry.aliases:
            return registered
    raise UserError(f"unknown backend {name!r}",
                    fix=f"Use --backend {' or --backend '.join(BACKENDS)}.")


def get_backend(name: str | None = "highs") -> Backend:
    """A new instance of the backend registered under ``name``.

    Raises :class:`~optimus.errors.UserError` for an unknown name or a backend whose
    package is not installed.
    """
    from optimus.errors import UserError

    key = backend_name(name)
    entry = _REGISTRY[key]
    try:
        module = import_module(entry.module)
    except ImportError as exc:
        raise UserError(f"the {key} backend is not available: {exc}",
                        fix=entry.missing_fix) from None
    return getattr(module, entry.cls)()
