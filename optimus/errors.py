"""The three families of errors (style.md §4).

* :class:`FormulationError` - the formulation is wrong in a way a language model can
  repair; it carries structured :class:`~optimus.check.Issue` objects.
* :class:`UserError` - bad input or configuration; the CLI prints ``message`` and ``fix``
  and exits non-zero.
* :class:`BudgetExhausted` - the agent spent its attempts; carries the evidence.
"""

from __future__ import annotations

from typing import Any


class OptimusError(Exception):
    """Base class of every error optimus raises on purpose."""


class UserError(OptimusError):
    """Bad input or configuration: say what was wrong and how to fix it."""

    def __init__(self, message: str, fix: str | None = None, exit_code: int = 2):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message + (f"\nFix: {self.fix}" if self.fix else "")


class FormulationError(OptimusError):
    """The formulation is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Any]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues) or "invalid formulation")


class ProviderError(OptimusError):
    """The language-model provider failed (bad key, rate limit after retries, timeout...)."""

    def __init__(self, message: str, fix: str | None = None, kind: str = "provider_error"):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.kind = kind  # "provider_error" or "timeout"

    def __str__(self) -> str:
        return self.message + (f"\nFix: {self.fix}" if self.fix else "")


class BudgetExhausted(OptimusError):
    """The agent spent its attempt budget without a clean optimum."""

    def __init__(self, message: str, answer: Any = None):
        super().__init__(message)
        self.answer = answer
