"""One problem found in a formulation, with where it is and how to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Issue:
    """A problem in a formulation.

    ``code`` classifies it (``unknown_symbol``, ``arity``, ``bad_index``,
    ``missing_value``, ``nonlinear``, ``bounds``, ``duplicate_name``, ...); ``where``
    names the constraint, objective, parameter or variable; ``symbol`` the culprit.
    """

    code: str
    where: str
    symbol: str | None
    message: str
    fix: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" + (f" Fix: {self.fix}" if self.fix else "")

    def to_dict(self) -> dict:
        return asdict(self)
