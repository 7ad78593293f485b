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

from optimus.agent.langchain_model import RetryPolicy, make_model
from optimus.agent.limits import DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_LIMIT
from optimus.agent.loop import Agent
from optimus.agent.progress import Progress
from optimus.agent.providers import DEFAULT_TIMEOUT, Structured
from optimus.answer import Answer
from optimus.errors import UserError
from optimus.formulation import Formulation

__all__ = ["solve", "formulate"]


def solve(text: str, model: str | None = None, *, base_url: str | None = None,
          chat_model: Any = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
          structured: Structured | None = None, timeout: float = DEFAULT_TIMEOUT,
          retry: RetryPolicy | None = None, ground_numbers: bool = True,
          time_limit: float | None = DEFAULT_TIME_LIMIT,
          raise_provider_errors: bool = True, data: Any = None, backend: str = "highs",
          max_tokens: int | None = None, progress: Progress = None) -> Answer:
    """Formulate ``text`` with a language model, solve it with HiGHS, repair as needed.

    Options:

    - ``model``: ``"provider:model"`` such as ``"openai:gpt-4o-mini"`` (default:
      ``$OPTIMUS_MODEL``); with ``base_url``, the name the server uses.
    - ``base_url``: an OpenAI-compatible server, e.g. ``"http://localhost:8000/v1"``.
    - ``chat_model``: any LangChain chat model instead (e.g.
      :class:`optimus.testing.ScriptedChatModel` in tests).
    - ``max_attempts``: formulate + repair attempts (4).
    - ``structured``: ``"tool"`` (tool calling) or ``"json"`` (JSON schema); default by provider.
    - ``timeout``: seconds per model call (120); ``retry``: the :class:`RetryPolicy`.
    - ``ground_numbers``: one extra call when numbers of the text are used nowhere.
    - ``time_limit``: seconds per solve (60).
    - ``raise_provider_errors``: False turns a provider failure into an answer whose
      status is ``provider_error`` or ``timeout``.
    - ``data``: tables attached to the problem: file paths (CSV, TSV, ``.xlsx``, JSON
      records, Parquet), ``"NAME=path"`` strings, pandas DataFrames, ``(name, path or
      DataFrame)`` pairs or a ``{name: path or DataFrame}`` dict. The model sees each
      table's summary (columns, types, ranges; the rows only of a small table) and reads
      the values through ``data`` references to these names only.
    - ``backend``: the solver (``highs`` or ``pulp``).
    - ``max_tokens``: tokens (in + out) per problem; when spent, the loop ends with the
      best answer so far.
    - ``progress``: called with a :class:`~optimus.agent.progress.ProgressEvent` at each
      step (model call, answer, solve, retry).

    Raises :class:`~optimus.errors.UserError` for bad input or configuration and
    :class:`~optimus.errors.ProviderError` when the provider fails.
    """
    from optimus.datafiles import Attachments

    attachments = Attachments.from_items(data) if data is not None else None

    from optimus.solvers import backend_name

    backend = backend_name(backend)  # an unknown name fails before any model call
    llm = make_model(model, base_url=base_url, chat_model=chat_model, structured=structured,
                     timeout=timeout, retry=retry, progress=progress)
    agent = Agent(llm, max_attempts=max_attempts, ground_numbers=ground_numbers,
                  time_limit=time_limit, raise_provider_errors=raise_provider_errors,
                  attachments=attachments, backend=backend, max_tokens=max_tokens,
                  progress=progress)
    return agent.solve(text)


def formulate(text: str, model: str | None = None, *, base_url: str | None = None,
              chat_model: Any = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
              structured: Structured | None = None, timeout: float = DEFAULT_TIMEOUT,
              retry: RetryPolicy | None = None,
              time_limit: float | None = DEFAULT_TIME_LIMIT, data: Any = None) -> Formulation:
    """The formulation of ``text``, formulated, checked, solved and repaired by
    :func:`solve` (same options; numbers are not grounded).

    Raises :class:`~optimus.errors.UserError` when the text states no optimization
    problem or no valid formulation was found within the attempt budget.
    """
    answer = solve(text, model, base_url=base_url, chat_model=chat_model,
                   max_attempts=max_attempts, structured=structured, timeout=timeout,
                   retry=retry, ground_numbers=False, time_limit=time_limit, data=data)
    if answer.formulation is None:
        raise UserError(f"Could not formulate the problem ({answer.status}): {answer.message or ''}".strip(),
                        fix="Restate the problem with its objective, decisions and limits, or "
                            "raise max_attempts.")
    return answer.formulation
