"""The offline reader behind the agent's :class:`~optimus.agent.model.Model` interface.

It answers formulate requests with the rule-based reading of the problem text (no
network, no tokens) and chat edit requests with the explicit edits of
:mod:`optimus.offline.edits` ("add x <= 3", "minimize instead"); what it cannot read, and
every request it has no rules for, comes back with a message that says why and how to
use a language model.

    >>> from optimus.agent.loop import Agent
    >>> a = Agent(OfflineModel(), max_attempts=1, ground_numbers=False).solve(
    ...     "A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
    ...     "needs 1 hour of oven time. 40 hours of oven time are available. The profit is $5 "
    ...     "per cake and $3 per pie. How many cakes and pies should it bake to maximize profit?")
    >>> str(a.status), a.objective, a.usage.calls, a.formulator
    ('optimal', 120.0, 0, 'offline')
"""

from __future__ import annotations

from optimus.agent.model import ModelResponse, Purpose, Request
from optimus.agent.providers import no_model_message
from optimus.agent.schema import ModelReply
from optimus.answer import Usage
from optimus.formulation import Formulation
from optimus.offline.edits import EditError, EditNotUnderstood, apply_edit
from optimus.offline.reader import DEFAULT_MIN_CONFIDENCE, formulate_offline

__all__ = ["OfflineModel"]


class OfflineModel:
    """:func:`~optimus.offline.reader.formulate_offline` as a model; it makes no calls, so
    ``usage`` stays at zero. Readings below ``min_confidence`` are not offered."""

    label = "offline"

    def __init__(self, min_confidence: float = DEFAULT_MIN_CONFIDENCE):
        self.min_confidence = min_confidence
        self.usage = Usage()

    def ask(self, request: Request) -> ModelResponse:
        if request.purpose == Purpose.EDIT and request.formulation is not None and request.edit:
            return self._edit(request.formulation, request.edit)
        if request.purpose != Purpose.FORMULATE:
            return self._cannot(f"the offline reader has no rules for a {request.purpose} request")
        reading = formulate_offline(request.problem)
        if reading.formulation is None:
            return self._cannot(f"could not formulate: {reading.reason}")
        if reading.confidence < self.min_confidence:
            return self._cannot(f"could not formulate: confidence {reading.confidence:.2f} below "
                                f"{self.min_confidence:.2f} (" + "; ".join(reading.notes[:3]) + ")")
        reply = ModelReply(is_optimization_problem=True, reason="; ".join(reading.notes) or None,
                           formulation=reading.formulation)
        return ModelResponse(reply, raw_text=reading.formulation.to_json(indent=None))

    @staticmethod
    def _edit(formulation: Formulation, text: str) -> ModelResponse:
        """An explicit edit ("add x <= 3", "minimize instead") applied by rules; anything
        else is declined (not an optimization request) with the way to use a model."""
        try:
            edited, summary = apply_edit(formulation, text)
        except EditNotUnderstood as exc:
            _, fix = no_model_message()
            return ModelResponse(ModelReply(is_optimization_problem=False,
                                            reason=f"{exc}. To use a model: {fix}"))
        except EditError as exc:
            return ModelResponse(ModelReply(is_optimization_problem=False,
                                            reason=f"could not apply the edit: {exc}"))
        reply = ModelReply(is_optimization_problem=True, reason=summary, formulation=edited)
        return ModelResponse(reply, raw_text=edited.to_json(indent=None))

    @staticmethod
    def _cannot(why: str) -> ModelResponse:
        _, fix = no_model_message()
        return ModelResponse(None, errors=[f"{why}. To go further, use a language model: {fix}"])
