"""The answer to a natural-language problem: what the agent or offline formulator returns.

An :class:`Answer` carries the solve result fields of the shared JSON shape (``status``,
``objective``, ``bound``, ``gap``, ``variables``, ``diagnosis``, ``sensitivity``,
``timings``) plus the
``formulation``, the ``attempts`` made and the model ``usage``. ``status`` is a solver
status (:class:`~optimus.result.Status`) or, where no solve happened, an agent outcome
(:class:`~optimus.result.Outcome`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from optimus.formulation import Formulation
from optimus.result import (
    AnswerStatus, Diagnosis, Result, Sensitivity, Status, Timings, VariableValue,
)


class Usage(BaseModel):
    """Language-model calls and tokens spent on one problem."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, other: "Usage") -> None:
        self.calls += other.calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens


class Attempt(BaseModel):
    """One formulate/repair step and what the checker or solver said of it."""

    number: int
    formulation: dict[str, Any] | None = None  # Formulation as JSON, None if unparseable
    raw_output: str | None = None  # the model's raw text when it did not parse
    status: AnswerStatus  # a Status, or invalid_formulation / parse_error / ...
    objective: float | None = None
    diagnosis: Diagnosis | None = None
    feedback: str | None = None  # the repair message built from this attempt
    reason: str | None = None  # the model's note with this formulation
    as_stated: bool = False  # the model keeps it: the text itself is infeasible/unbounded
    usage: Usage | None = None  # the call that wrote it: calls and tokens


class Answer(BaseModel):
    """The outcome of solving a problem stated in natural language."""

    status: AnswerStatus
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    variables: list[VariableValue] = Field(default_factory=list)
    diagnosis: Diagnosis | None = None
    sensitivity: Sensitivity | None = None
    timings: Timings = Field(default_factory=Timings)
    formulation: Formulation | None = None
    attempts: list[Attempt] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    formulator: str | None = None  # "openai:gpt-4o-mini", "offline", ...
    backend: str | None = None  # the solver of the final formulation (highs, pulp)
    confidence: float | None = None  # offline formulator's confidence in [0, 1]
    message: str | None = None  # e.g. "could not formulate: <reason>"
    unexplained_numbers: list[float] = Field(default_factory=list)
    as_stated: bool = False  # infeasible/unbounded because the text itself is
    reason: str | None = None  # the model's reason when ``as_stated``

    @classmethod
    def from_result(cls, result: Result, **extra: Any) -> "Answer":
        data = {k: getattr(result, k) for k in
                ("status", "objective", "bound", "gap", "variables", "diagnosis", "sensitivity",
                 "timings", "backend")}
        data.update(extra)
        return cls(**data)

    @property
    def is_ok(self) -> bool:
        return self.status == Status.OPTIMAL

    def to_frames(self) -> dict[str, Any]:
        """The solution as ``{variable name: pandas DataFrame}`` (index columns named
        after the formulation's sets, and ``value``); see :mod:`optimus.solution_tables`."""
        from optimus.solution_tables import solution_frames

        return solution_frames(self.variables, self.formulation)

    def _repr_markdown_(self) -> str:  # notebooks: the math, the solution, the attempts
        from optimus.render.notebook import answer_markdown

        return answer_markdown(self)

    def _repr_html_(self) -> str:  # notebooks: math as MathML, the solution as tables
        from optimus.render.notebook import answer_notebook_html

        return answer_notebook_html(self)

    def to_json_dict(self) -> dict[str, Any]:
        """The result's JSON shape plus formulation, attempts, usage."""
        return self.model_dump(mode="json")
