"""Test helpers shipped with optimus, for people who test code that calls it.

:class:`ScriptedChatModel` is a LangChain chat model that answers from a script, so the
whole optimus pipeline (our LangChain adapter included) runs without a network or key::

    >>> import optimus
    >>> from optimus.testing import ScriptedChatModel
    >>> fake = ScriptedChatModel(responses=[{
    ...     "variables": [{"name": "x", "upper": 4}],
    ...     "objective": {"sense": "maximize", "expression": "3*x"}}])
    >>> answer = optimus.solve("Maximize 3x with x at most 4.", chat_model=fake)
    >>> str(answer.status), answer.objective
    ('optimal', 12.0)

A scripted response is one of:

* a ``dict`` - structured output: a ``ModelReply`` (``is_optimization_problem``,
  ``reason``, ``formulation``) or a bare formulation (wrapped for you); returned as a
  tool call when tools are bound (tool-calling mode), else as JSON text (JSON mode);
* a :class:`~optimus.formulation.Formulation` - the same, from the object;
* a ``str`` - raw text returned as is (e.g. malformed output);
* an exception instance - raised (e.g. :func:`http_error` ``(429)``);
* an ``AIMessage`` - returned as is;
* a callable ``f(messages) -> any of the above``.

``received`` records the messages of every call; ``calls`` the keyword arguments.
"""

from __future__ import annotations

import json
import time
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

__all__ = ["ScriptedChatModel", "http_error", "not_optimization", "reply"]


class _HTTPStatusError(Exception):
    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code


def http_error(status_code: int, message: str | None = None) -> Exception:
    """An exception carrying an HTTP status, classified like the providers' own errors.

    ``http_error(429)`` is a rate limit, ``http_error(401)`` a bad key, ``http_error(503)``
    a server error.
    """
    return _HTTPStatusError(status_code, message or f"HTTP {status_code} (scripted)")


def reply(formulation: Any = None, *, is_optimization_problem: bool = True,
          reason: str | None = None, as_stated: bool = False) -> dict[str, Any]:
    """A ``ModelReply`` dict, e.g. ``reply(formulation_dict, reason="changed the budget")``;
    ``as_stated=True`` keeps an infeasible or unbounded formulation because the text is."""
    if hasattr(formulation, "model_dump"):
        formulation = formulation.model_dump(mode="json")
    return {"is_optimization_problem": is_optimization_problem, "reason": reason,
            "formulation": formulation, "as_stated": as_stated}


def not_optimization(reason: str = "The text states no optimization problem.") -> dict[str, Any]:
    """A reply saying the text is not an optimization problem."""
    return reply(None, is_optimization_problem=False, reason=reason)


def _wrap(payload: dict[str, Any]) -> dict[str, Any]:
    if "is_optimization_problem" not in payload and "objective" in payload:
        return reply(payload)
    return payload


def _text(messages: list[BaseMessage]) -> str:
    return "\n".join(m.content if isinstance(m.content, str) else json.dumps(m.content)
                     for m in messages)


class ScriptedChatModel(BaseChatModel):
    """A chat model that returns scripted responses in order (see the module docstring)."""

    responses: list[Any] = Field(default_factory=list)
    delay: float = 0.0
    received: list[list[BaseMessage]] = Field(default_factory=list)
    calls: list[dict[str, Any]] = Field(default_factory=list)
    position: int = 0

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def model_name(self) -> str:
        return "scripted"

    @property
    def remaining(self) -> int:
        """Responses not yet used."""
        return len(self.responses) - self.position

    # ------------------------------------------------------------------ structured output
    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
        """Bind tools like a real model, so ``with_structured_output`` can use tool calling."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def with_structured_output(self, schema: Any, *, include_raw: bool = False,
                               method: str = "function_calling", strict: bool | None = None,
                               **kwargs: Any) -> Any:
        """Tool calling by default; ``method="json_schema"``/``"json_mode"`` answer in JSON text."""
        if method not in ("json_schema", "json_mode"):
            return super().with_structured_output(schema, include_raw=include_raw, **kwargs)
        from operator import itemgetter

        from langchain_core.output_parsers import JsonOutputParser
        from langchain_core.runnables import RunnableMap, RunnablePassthrough

        llm = self.bind(response_format={"type": method, "schema": schema, "strict": strict})
        parser = JsonOutputParser()
        if not include_raw:
            return llm | parser
        assign = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser,
                                            parsing_error=lambda _: None)
        none = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | assign.with_fallbacks([none], exception_key="parsing_error")

    # ------------------------------------------------------------------ generation
    def _next(self, messages: list[BaseMessage]) -> Any:
        if self.position >= len(self.responses):
            raise RuntimeError(f"ScriptedChatModel ran out of responses "
                               f"({len(self.responses)} scripted, call {self.position + 1}).")
        item = self.responses[self.position]
        self.position += 1
        if callable(item) and not isinstance(item, (BaseException, type)):
            item = item(messages)
        return item

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        self.received.append(list(messages))
        self.calls.append({k: v for k, v in kwargs.items() if k != "ls_structured_output_format"})
        if self.delay:
            time.sleep(self.delay)
        item = self._next(messages)
        if isinstance(item, BaseException):
            raise item
        if hasattr(item, "model_dump") and not isinstance(item, BaseMessage):
            item = item.model_dump(mode="json")
        if isinstance(item, BaseMessage):
            message = item
        elif isinstance(item, dict):
            payload = _wrap(item)
            tools = kwargs.get("tools")
            if tools:
                name = tools[0].get("function", {}).get("name", "ModelReply")
                message = AIMessage(content="", tool_calls=[
                    {"name": name, "args": payload, "id": f"call_{self.position}", "type": "tool_call"}])
            else:
                message = AIMessage(content=json.dumps(payload))
        else:
            message = AIMessage(content=str(item))
        out_text = message.content if isinstance(message.content, str) else json.dumps(message.content)
        if getattr(message, "tool_calls", None):
            out_text += json.dumps([c["args"] for c in message.tool_calls])
        if isinstance(message, AIMessage) and message.usage_metadata is None:
            inp, outp = max(1, len(_text(messages)) // 4), max(1, len(out_text) // 4)
            message.usage_metadata = {"input_tokens": inp, "output_tokens": outp,
                                      "total_tokens": inp + outp}
        return ChatResult(generations=[ChatGeneration(message=message)])

