"""The one interface between the agent and whatever writes formulations.

A :class:`Model` takes a :class:`Request` (the messages to send, and what they ask for)
and returns a :class:`ModelResponse`: the validated :class:`~optimus.agent.schema.ModelReply`
or why the output could not be read, with the tokens it cost. Its ``usage`` counts every
call. Two implementations exist: :class:`optimus.agent.langchain_model.LangChainModel`
(any LangChain chat model: OpenAI, Anthropic, Ollama, OpenAI-compatible servers) and
:class:`optimus.offline.offline_model.OfflineModel` (the rule-based reader, no network).
The agent loop (:mod:`optimus.agent.loop`) depends on this module only, never on LangChain.

    >>> req = Request((Message("system", "You write models."), Message("user", "max x, x <= 4")),
    ...               Purpose.FORMULATE, problem="max x, x <= 4")
    >>> req.messages[-1].content
    'max x, x <= 4'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from optimus._compat import StrEnum
from optimus.answer import Usage

if TYPE_CHECKING:
    from optimus.agent.schema import ModelReply
    from optimus.formulation import Formulation


class Purpose(StrEnum):
    """What a request asks for."""

    FORMULATE = "formulate"  # a formulation of the problem text
    REPAIR = "repair"  # a better formulation, given the trajectory so far
    GROUND = "ground"  # use (or explain) numbers of the text the formulation ignores
    EDIT = "edit"  # the current formulation changed as the user asks (chat)


@dataclass(frozen=True)
class Message:
    """One message of a conversation with the model."""

    role: Literal["system", "user"]
    content: str


@dataclass(frozen=True)
class Request:
    """The messages to send and what they ask for.

    ``problem`` is the problem text; for an :attr:`Purpose.EDIT` request ``edit`` is the
    user's change and ``formulation`` the formulation it applies to. A model that reads
    messages (a language model) uses ``messages``; one that reads text by rules (the
    offline reader) uses the typed fields.
    """

    messages: tuple[Message, ...]
    purpose: Purpose
    problem: str
    edit: str | None = None
    formulation: "Formulation | None" = None


@dataclass
class ModelResponse:
    """One answer: a validated reply, or the raw text and why it could not be read."""

    reply: "ModelReply | None"
    raw_text: str = ""
    errors: list[str] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def ok(self) -> bool:
        return self.reply is not None


class Model(Protocol):
    """Anything that answers :class:`Request` objects with :class:`ModelResponse` objects.

    ``label`` names it in answers and reports (``openai:gpt-4o-mini``, ``offline``);
    ``usage`` counts calls and tokens over its lifetime. ``ask`` never returns output
    that was not validated; provider failures raise
    :class:`~optimus.errors.ProviderError`.
    """

    label: str
    usage: Usage

    def ask(self, request: Request) -> ModelResponse:
        ...
