"""optimus: natural-language optimization problems to solved, explainable MILPs."""

from optimus.formulation import Formulation, load_formulation
from optimus.result import Result, Status

__version__ = "0.1.0"
__all__ = ["Formulation", "load_formulation", "Result", "Status", "__version__"]
