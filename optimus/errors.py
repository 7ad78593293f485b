"""The families of errors optimus raises on purpose.

* :class:`FormulationError` - the formulation is wrong in a way a language model can
  repair; it carries structured :class:`~optimus.issues.Issue` objects.
* :class:`UserError` - bad input or configuration; the CLI prints ``message`` and ``fix``
  and exits non-zero.
* :class:`ProviderError` - the model provider failed; one subclass per cause, each with
  the HTTP status and any Retry-After the provider sent.

A spent attempt budget is not an error: the agent returns an
:class:`~optimus.answer.Answer` with the final status, the last diagnosis and a message.
"""

from __future__ import annotations

from typing import Any

from optimus.result import Outcome


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


class Interrupted(OptimusError):
    """Ctrl-C: the command stopped; ``message`` says what was kept (exit code 130)."""

    def __init__(self, message: str = "interrupted (Ctrl-C)."):
        super().__init__(message)
        self.message = message


class FormulationError(OptimusError):
    """The formulation is invalid; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Any]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues) or "invalid formulation")


class ProviderError(OptimusError):
    """The language-model provider failed (after our retries, where retrying helps).

    ``status_code`` is the HTTP status when there was one, ``retry_after`` the seconds
    the provider asked to wait; ``outcome`` is what an answer records
    (``provider_error``, or ``timeout`` for :class:`ProviderTimeout`).
    """

    outcome: Outcome = Outcome.PROVIDER_ERROR

    def __init__(self, message: str, fix: str | None = None, *, status_code: int | None = None,
                 retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def kind(self) -> Outcome:
        """The same as :attr:`outcome`."""
        return self.outcome

    def __str__(self) -> str:
        return self.message + (f"\nFix: {self.fix}" if self.fix else "")


class ProviderAuthError(ProviderError):
    """The provider rejected the credentials (401/403); retrying does not help."""


class ProviderRateLimited(ProviderError):
    """Rate limited (429) on every try."""


class ProviderTimeout(ProviderError):
    """No answer within the per-call timeout, on every try."""

    outcome = Outcome.TIMEOUT


class ProviderServerError(ProviderError):
    """The provider failed (5xx) on every try."""


class ProviderUnreachable(ProviderError):
    """The model server could not be reached."""


class ProviderRequestRejected(ProviderError):
    """The provider refused the request (another 4xx): a model name or an option it does
    not support."""
