"""optimus: natural-language optimization problems to solved, explainable MILPs."""

from typing import Any

import optimus.solve as _solve_module  # noqa: F401  (load the submodule before `solve` below
#   is defined: importing a submodule later would replace the package attribute `solve`)
from optimus.formulation import Formulation, load_formulation
from optimus.result import Result, Status

__version__ = "0.1.0"
__all__ = ["Formulation", "load_formulation", "Result", "Status", "solve", "formulate",
           "__version__"]


def solve(text: str, model: str | None = None, **kwargs: Any) -> Any:
    """Formulate ``text`` with a language model and solve it; see :func:`optimus.api.solve`."""
    from optimus.api import solve as _solve

    return _solve(text, model, **kwargs)


def formulate(text: str, model: str | None = None, **kwargs: Any) -> Formulation:
    """The formulation of ``text``; see :func:`optimus.api.formulate`."""
    from optimus.api import formulate as _formulate

    return _formulate(text, model, **kwargs)
