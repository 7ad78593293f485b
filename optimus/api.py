"""The Python API: ``optimus.solve(text)`` and ``optimus.formulate(text)``.

    >>> import optimus
    >>> from optimus.testing import ScriptedChatModel
    >>> fake = ScriptedChatModel(responses=[{
    ...     "variables": [{"name": "x", "upper": 4}],
    ...     "objective": {"sense": "maximize", "expression": "3*x"}}])
    >>> optimus.solve("Maximize 3x where x is at most 4.", chat_model=fake).objective
    12.0

With a real model: ``optimus.solve(text, model="openai:gpt-4o-mini")`` (or set
``OPTIMUS_MODEL``), or ``base_url="http://localhost:8000/v1"`` for an OpenAI-compatible
server. In a notebook the returned formulation renders as math.
"""

from __future__ import annotations

from typing import Any

from optimus.agent.llm import DEFAULT_TIMEOUT, RetryPolicy, Structured, make_llm
from optimus.agent.loop import DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_LIMIT, Agent
from optimus.answer import Answer
from optimus.errors import UserError
from optimus.formulation import Formulation

__all__ = ["solve", "formulate", "answer_markdown"]


def solve(text: str, model: str | None = None, *, base_url: str | None = None,
          chat_model: Any = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
          structured: Structured | None = None, timeout: float = DEFAULT_TIMEOUT,
          retry: RetryPolicy | None = None, ground_numbers: bool = True,
          time_limit: float | None = DEFAULT_TIME_LIMIT,
          raise_provider_errors: bool = True) -> Answer:
    """Formulate ``text`` with a language model, solve it with HiGHS, repair as needed.

    ``model`` is ``"provider:model"`` (default: ``$OPTIMUS_MODEL``); ``base_url`` points
    at an OpenAI-compatible server; ``chat_model`` is any LangChain chat model (e.g.
    :class:`optimus.testing.ScriptedChatModel`). ``structured`` forces ``"tool"`` calling
    or ``"json"`` schema output. Raises :class:`~optimus.errors.UserError` for bad input
    or configuration and :class:`~optimus.errors.ProviderError` when the provider fails
    (unless ``raise_provider_errors=False``: then the answer's status says so).
    """
    llm = make_llm(model, base_url=base_url, chat_model=chat_model, structured=structured,
                   timeout=timeout, retry=retry)
    agent = Agent(llm, max_attempts=max_attempts, ground_numbers=ground_numbers,
                  time_limit=time_limit, raise_provider_errors=raise_provider_errors)
    return agent.solve(text)


def formulate(text: str, model: str | None = None, **kwargs: Any) -> Formulation:
    """The formulation of ``text`` (formulated, checked, solved and repaired by :func:`solve`).

    Raises :class:`~optimus.errors.UserError` when the text states no optimization
    problem or no valid formulation was found within the attempt budget.
    """
    kwargs.setdefault("ground_numbers", False)
    answer = solve(text, model, **kwargs)
    if answer.formulation is None:
        raise UserError(f"Could not formulate the problem ({answer.status}): {answer.message or ''}".strip(),
                        fix="Restate the problem with its objective, decisions and limits, or "
                            "raise max_attempts.")
    return answer.formulation


def answer_markdown(answer: Answer) -> str:
    """Markdown for a notebook: status, the formulation as math with its solution, attempts.

    (``Answer._repr_markdown_`` can return this.)
    """
    from optimus.render.latex import md_escape, to_markdown

    lines = [f"**Status:** {answer.status}" + (f", objective {answer.objective:.10g}"
                                                 if answer.objective is not None else "")]
    if answer.message:
        lines.append(f"\n{md_escape(answer.message)}")
    if answer.formulation is not None:
        lines.append("\n" + to_markdown(answer.formulation, answer))  # type: ignore[arg-type]
    elif answer.diagnosis is not None:
        lines.append("\n" + md_escape(answer.diagnosis.text()))
    if answer.attempts:
        lines.append("\n| attempt | outcome | objective |\n|---|---|---|")
        for a in answer.attempts:
            obj = "" if a.objective is None else f"{a.objective:.10g}"
            lines.append(f"| {a.number} | {a.status} | {obj} |")
    u = answer.usage
    lines.append(f"\n*{md_escape(answer.formulator or 'formulator ?')}: {u.calls} model call(s), "
                 f"{u.input_tokens} input / {u.output_tokens} output tokens*")
    return "\n".join(lines)
