"""What the language model must return: a :class:`ModelReply` wrapping a formulation.

The wrapper lets the model say that a text is not an optimization problem instead of
inventing one, and (``as_stated``) that a formulation is infeasible or unbounded because
the text itself is, instead of bending the text until it solves. Its JSON schema reuses :func:`optimus.formulation.strict_json_schema`, so
it satisfies OpenAI's strict structured-output rules (every field required, optional
ones nullable, ``additionalProperties: false``).

The reply is DATA: it is validated into pydantic types and never executed.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from optimus.formulation import Formulation, strict_json_schema

SCHEMA_NAME = "ModelReply"


class ModelReply(BaseModel):
    """The model's answer to a formulate, repair or edit request."""

    model_config = ConfigDict(extra="forbid")

    is_optimization_problem: bool = Field(
        description="False when the text states no optimization problem (then formulation is null)."
    )
    reason: str | None = Field(
        default=None,
        description="Why the text is not an optimization problem, or a short note on the "
        "changes made / why some numbers of the text do not matter.",
    )
    formulation: Formulation | None = Field(default=None, description="The model as data.")
    as_stated: bool = Field(
        default=False,
        description="True when you keep a formulation that is infeasible or unbounded because "
        "the text itself is (its data contradict each other, or it sets no limit): say why in "
        "reason, with the arithmetic. False otherwise.",
    )


def reply_json_schema() -> dict[str, Any]:
    """The strict JSON schema of :class:`ModelReply` (a plain dict, safe to send)."""
    inner = strict_json_schema()
    defs = inner.pop("$defs", {})
    defs["Formulation"] = inner
    return {
        "title": SCHEMA_NAME,
        "description": "Answer with the formulation of the optimization problem, or say "
        "that the text states none.",
        "type": "object",
        "properties": {
            "is_optimization_problem": {
                "type": "boolean",
                "description": ModelReply.model_fields["is_optimization_problem"].description,
            },
            "reason": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": ModelReply.model_fields["reason"].description,
            },
            "formulation": {
                "anyOf": [{"$ref": "#/$defs/Formulation"}, {"type": "null"}],
                "description": "The model as data; null when the text is not an optimization problem.",
            },
            "as_stated": {
                "type": "boolean",
                "description": ModelReply.model_fields["as_stated"].description,
            },
        },
        "required": ["is_optimization_problem", "reason", "formulation", "as_stated"],
        "additionalProperties": False,
        "$defs": copy.deepcopy(defs),
    }


def validate_reply(data: Any) -> ModelReply:
    """Validate decoded model output into a :class:`ModelReply` (raises ValidationError).

    A bare formulation (an object with an ``objective`` and no wrapper) is accepted too:
    some models drop the wrapper.
    """
    if isinstance(data, BaseModel):
        data = data.model_dump()
    if isinstance(data, dict) and "is_optimization_problem" not in data and "objective" in data:
        data = {"is_optimization_problem": True, "reason": None, "formulation": data,
                "as_stated": False}
    if isinstance(data, dict) and data.get("as_stated", False) is None:
        data = {**data, "as_stated": False}
    return ModelReply.model_validate(data)
