"""optimus: optimization problems stated in plain language, solved as explainable MILPs.

The public API (the README's Python examples use these):

* :func:`solve` / :func:`formulate` - a problem in words -> :class:`Answer` / :class:`Formulation`;
* :func:`load_formulation`, :func:`check`, :func:`solve_model` (one :class:`Report`),
  :func:`solve_formulation` (the :class:`Result` only) and :func:`cross_check` for typed
  model files;
* :class:`Status`, :class:`Outcome` - every status word optimus reports.

>>> import optimus
>>> f = optimus.load_formulation(optimus.example("giapetto"))
>>> optimus.check(f)
[]
>>> optimus.solve_formulation(f).objective
180.0
"""

from optimus.answer import Answer
from optimus.api import formulate, solve
from optimus.checks import check
from optimus.formulation import Formulation, load_formulation
from optimus.pipeline import Report, SolveOptions, cross_check, solve_formulation, solve_model
from optimus.result import Diagnosis, Outcome, Result, Status
from optimus.version import DISTRIBUTION, __version__

__all__ = ["Answer", "Diagnosis", "Formulation", "Outcome", "Report", "Result", "SolveOptions",
           "Status", "check", "cross_check", "example", "formulate", "load_formulation", "solve",
           "solve_formulation", "solve_model", "DISTRIBUTION", "__version__"]


def example(name: str) -> str:
    """The path of a model file shipped in ``problems/models`` (``"diet"``, ``"knapsack"``, ...)."""
    from importlib.resources import files

    path = files("optimus.problems") / "models" / f"{name}.yaml"
    if not path.is_file():
        from optimus.errors import UserError

        names = sorted(p.name[:-5] for p in (files("optimus.problems") / "models").iterdir()
                       if p.name.endswith(".yaml"))
        raise UserError(f"no example model named {name!r}", fix=f"Use one of: {', '.join(names)}.")
    return str(path)
