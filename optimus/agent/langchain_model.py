"""The LangChain adapter: any LangChain chat model as an :class:`~optimus.agent.model.Model`.

* :func:`load_chat_model` resolves ``--model provider:model`` / ``OPTIMUS_MODEL`` with
  LangChain's ``init_chat_model``, or builds a ``ChatOpenAI`` for ``--base-url`` (any
  OpenAI-compatible server; a placeholder key when none is set). What is known about each
  provider (key variable, extra, structured-output mode) is data in
  :mod:`optimus.agent.providers`.
* :class:`LangChainModel` asks for a :class:`~optimus.agent.schema.ModelReply` in
  JSON-schema mode (OpenAI and compatible servers) or by tool calling (others), with
  ``include_raw=True`` so that output which fails to parse comes back as data (for a
  repair message) instead of an exception.
* Our own retry loop around ``invoke`` (the client's ``max_retries`` is 0): exponential
  backoff on rate limits (429), timeouts, 5xx and dropped connections, honouring
  Retry-After; a bad key (401/403) fails at once. Failures become the typed
  :class:`~optimus.errors.ProviderError` subclasses. Calls and tokens are counted in a
  :class:`~optimus.answer.Usage`.

This is the only module that talks to LangChain (with :mod:`optimus.testing`, whose fake
is a LangChain chat model).
"""

from __future__ import annotations

import contextvars
import json
import os
import threading
import re
import time
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Callable

from pydantic import ValidationError

from optimus.budget import check_deadline
from optimus._compat import StrEnum
from optimus.agent.model import Message, ModelResponse, Request
from optimus.agent.progress import Progress, ProgressEvent, Step, emit
from optimus.agent.providers import (
    BASE_URL, DEFAULT_TIMEOUT, Structured, configured, no_model_message, provider_info, provider_of,
)
from optimus.agent.schema import SCHEMA_NAME, reply_json_schema, validate_reply
from optimus.answer import Usage
from optimus.errors import (
    ProviderAuthError, ProviderError, ProviderRateLimited, ProviderRequestRejected,
    ProviderServerError, ProviderTimeout, ProviderUnreachable, UserError,
)
from optimus.formulation import validation_errors
from optimus.version import install_extra

__all__ = ["LangChainModel", "RetryPolicy", "load_chat_model", "make_model", "classify",
           "ErrorKind", "DEFAULT_TIMEOUT"]


def load_chat_model(model: str | None = None, base_url: str | None = None, *,
                    timeout: float = DEFAULT_TIMEOUT) -> tuple[Any, str, str]:
    """Resolve a LangChain chat model; returns ``(chat_model, label, provider)``.

    Raises :class:`UserError` when nothing is configured, the provider's integration is
    not installed, the model is unknown or the provider's key is not set.
    """
    model, base_url = configured(model, base_url)
    if not model and not base_url:
        message, fix = no_model_message()
        raise UserError(message, fix=fix)
    name = provider_of(model, base_url)
    if base_url:
        from langchain_openai import ChatOpenAI

        model_name = model.split(":", 1)[1] if model and model.lower().startswith("openai:") \
            else (model or "default")
        chat = ChatOpenAI(base_url=base_url, model=model_name, timeout=timeout, max_retries=0,
                          api_key=os.environ.get("OPENAI_API_KEY") or "not-needed")
        return chat, f"{model_name} @ {base_url}", name
    assert model is not None
    info = provider_info(name)
    if info.integration is not None:
        try:
            import_module(info.integration)
        except ImportError:
            fix = install_extra(info.extra) if info.extra else f"pip install {info.integration.replace('_', '-')}"
            raise UserError(f"The {name!r} provider needs a package that is not installed "
                            f"({info.integration}).", fix=fix) from None
    if info.key_env and not os.environ.get(info.key_env):
        raise UserError(f"No API key found for {model!r}.",
                        fix=f"Set {info.key_env}, or use a local server with --base-url "
                            "http://localhost:8000/v1 (or --model ollama:qwen2.5).")
    kwargs: dict[str, Any] = ({"client_kwargs": {"timeout": timeout}} if info.timeout_in_client_kwargs
                              else {"timeout": timeout, "max_retries": 0})
    try:
        from langchain.chat_models import init_chat_model

        chat = init_chat_model(model, **kwargs)
    except ImportError as exc:
        raise UserError(f"The {name!r} provider needs a package that is not installed.",
                        fix=f"Install the LangChain integration for {name!r} ({exc}).") from None
    except ValueError as exc:
        raise UserError(f"Cannot use model {model!r}: {exc}",
                        fix="Pass --model provider:model, e.g. openai:gpt-4o-mini, "
                        "anthropic:claude-sonnet-4-5 or ollama:qwen2.5.") from None
    except Exception as exc:  # noqa: BLE001 - a client that refuses to start
        raise UserError(f"Cannot start model {model!r}: {type(exc).__name__}: {exc}",
                        fix="Check --model / OPTIMUS_MODEL and the provider's settings "
                            "(its API key variable, its URL).") from None
    return chat, model, name


# --------------------------------------------------------------------------- errors
def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


class ErrorKind(StrEnum):
    """Why a model call failed (:func:`classify`)."""

    AUTH = "auth"
    RATE_LIMIT = "rate_limit"
    TIMEOUT = "timeout"
    SERVER = "server"
    CONNECTION = "connection"
    REQUEST = "request"
    OTHER = "other"


def classify(exc: BaseException) -> ErrorKind:
    """Why a call failed, from the exception's HTTP status and the client's class names."""
    name = type(exc).__name__
    names = {c.__name__ for c in type(exc).__mro__}
    status = _status_of(exc)
    if isinstance(exc, TimeoutError) or "Timeout" in name or "TimeoutException" in names \
            or "APITimeoutError" in names:
        return ErrorKind.TIMEOUT
    if status in (401, 403) or names & {"AuthenticationError", "PermissionDeniedError"}:
        return ErrorKind.AUTH
    if status == 429 or "RateLimitError" in names:
        return ErrorKind.RATE_LIMIT
    if (status is not None and status >= 500) or "InternalServerError" in names:
        return ErrorKind.SERVER
    if isinstance(exc, ConnectionError) or names & {"APIConnectionError", "ConnectError"}:
        return ErrorKind.CONNECTION
    if status is not None and 400 <= status < 500:
        return ErrorKind.REQUEST
    return ErrorKind.OTHER


_sleep = time.sleep  # the default pause; tests replace it
_KIND_TEXT = {"rate_limit": "rate limited", "timeout": "no answer in time",
              "server": "server error", "connection": "cannot connect"}
_RETRYABLE = {ErrorKind.RATE_LIMIT, ErrorKind.TIMEOUT, ErrorKind.SERVER, ErrorKind.CONNECTION}


def _short(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text[:limit] + ("..." if len(text) > limit else "")


def _retry_after(exc: BaseException) -> float | None:
    """The Retry-After header of an HTTP error, in seconds (None when absent)."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    try:
        return float(headers.get("retry-after"))
    except (TypeError, ValueError):
        return None


def provider_error(exc: BaseException, kind: ErrorKind, tries: int, label: str,
                   timeout: float | None, provider: str = "unknown") -> ProviderError:
    """The :class:`ProviderError` subclass for a failure of the given kind, with a fix."""
    status = _status_of(exc)
    code = f" ({status})" if status else ""
    evidence: dict[str, Any] = {"status_code": status, "retry_after": _retry_after(exc)}
    if kind == ErrorKind.AUTH and provider == BASE_URL:
        return ProviderAuthError(
            f"{label}: the server rejected the credentials{code}: {_short(exc)}",
            fix="Set OPENAI_API_KEY to the key this server expects (a placeholder is sent "
                "when it is unset).", **evidence)
    if kind == ErrorKind.AUTH:
        return ProviderAuthError(
            f"{label}: the provider rejected the credentials{code}: {_short(exc)}",
            fix="Check the key (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...) and that it may use "
                "this model; for a local server without keys use --base-url.", **evidence)
    if kind == ErrorKind.RATE_LIMIT:
        return ProviderRateLimited(
            f"{label}: rate limited{code} on all {tries} tries.",
            fix="Wait a minute and retry, use a smaller model, or raise your provider quota.",
            **evidence)
    if kind == ErrorKind.TIMEOUT:
        return ProviderTimeout(
            f"{label}: no answer within {timeout or DEFAULT_TIMEOUT:g} s ({tries} tries).",
            fix="Retry, pass a larger --timeout (--call-timeout for optimus eval), or use a "
                "faster model.", **evidence)
    if kind == ErrorKind.SERVER:
        return ProviderServerError(
            f"{label}: the provider failed{code} on all {tries} tries: {_short(exc)}",
            fix="Retry later; the provider is having trouble.", **evidence)
    if kind == ErrorKind.CONNECTION:
        return ProviderUnreachable(
            f"{label}: cannot reach the model server ({tries} tries): {_short(exc)}",
            fix="Check the URL (--base-url must end in /v1) and that the server runs.",
            **evidence)
    if kind == ErrorKind.REQUEST:
        return ProviderRequestRejected(
            f"{label}: the provider refused the request{code}: {_short(exc)}",
            fix="Check the model name (--model); if the server does not support JSON-schema "
                "output, pass --structured tool (or --structured json for the opposite).",
            **evidence)
    return ProviderError(f"{label}: model call failed: {type(exc).__name__}: {_short(exc)}",
                         fix="Check the model configuration and retry.", **evidence)


@dataclass
class RetryPolicy:
    """Retries with exponential backoff. ``sleep`` is injectable (tests pass a no-op)."""

    retries: int = 3  # tries after the first
    base_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], None] | None = None  # None: this module's _sleep (time.sleep)

    def delay(self, retry: int, exc: BaseException) -> float:
        """Seconds to wait before retry number ``retry`` (0-based): Retry-After if the
        provider sent one, else exponential backoff; at most ``max_delay``."""
        after = _retry_after(exc)
        wait = after if after is not None else self.base_delay * (2 ** retry)
        return max(0.0, min(wait, self.max_delay))

    def pause(self, seconds: float) -> None:
        (self.sleep or _sleep)(seconds)


def _interruptible(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; on the main thread it runs in a daemon thread while the main thread
    waits in short, interruptible steps, so that Ctrl-C stops at once. (LangChain runs a
    structured-output call in a thread pool whose shutdown would otherwise wait for the
    call to finish.) Elsewhere it runs in place."""
    if threading.current_thread() is not threading.main_thread():
        return fn(*args)
    box: dict[str, Any] = {}
    done = threading.Event()
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = context.run(fn, *args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, daemon=True, name="optimus-model-call").start()
    while not done.wait(0.1):
        pass
    if "error" in box:
        raise box["error"]
    return box["value"]


# --------------------------------------------------------------------------- replies
def _raw_text(raw: Any) -> str:
    if raw is None:
        return ""
    calls = getattr(raw, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args"), ensure_ascii=False)
    bad = getattr(raw, "invalid_tool_calls", None) or []
    if bad:
        return str(bad[0].get("args") or "")
    content = getattr(raw, "content", raw)
    if isinstance(content, list):
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def _json_from_text(text: str) -> Any:
    m = _FENCE.match(text)
    return json.loads(m.group(1) if m else text)


def _langchain_messages(messages: tuple[Message, ...] | list[Message]) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(m.content) if m.role == "system" else HumanMessage(m.content)
            for m in messages]


class LangChainModel:
    """A LangChain chat model behind :class:`~optimus.agent.model.Model`: asks for a
    :class:`~optimus.agent.schema.ModelReply`; retries, usage and errors handled here.

    Example::

        >>> from optimus.agent.model import Message, Purpose, Request
        >>> from optimus.testing import ScriptedChatModel
        >>> model = LangChainModel(ScriptedChatModel(responses=[{"is_optimization_problem": False,
        ...     "reason": "a poem", "formulation": None}]))
        >>> req = Request((Message("user", "roses are red"),), Purpose.FORMULATE, "roses are red")
        >>> model.ask(req).reply.is_optimization_problem
        False
    """

    def __init__(self, chat_model: Any, *, label: str | None = None, provider: str = "unknown",
                 structured: Structured | None = None, retry: RetryPolicy | None = None,
                 timeout: float | None = None, progress: Progress = None):
        self.chat_model = chat_model
        self.label = label or getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) \
            or type(chat_model).__name__
        self.label = str(self.label)
        self.provider = provider
        if structured is None:
            structured = provider_info(provider).structured
        self.structured: Structured = structured
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.progress = progress  # told of each retry (what failed, the pause)
        self.usage = Usage()
        self._runnable = self._make_runnable()

    @property
    def method(self) -> str:
        return "json_schema" if self.structured == "json" else "function_calling"

    def _make_runnable(self) -> Any:
        schema = reply_json_schema()
        kwargs: dict[str, Any] = {"method": self.method, "include_raw": True}
        if self.method == "json_schema":
            kwargs["strict"] = True
        try:
            return self.chat_model.with_structured_output(schema, **kwargs)
        except NotImplementedError:
            raise UserError(f"{self.label} does not support structured output.",
                            fix="Use a model with tool calling or JSON-schema output.") from None

    def invoke_with_retries(self, messages: list[Any]) -> Any:
        """``invoke`` (LangChain messages) with our retry loop; returns the runnable's output."""
        tries = 0
        while True:
            tries += 1
            check_deadline()  # a problem past its eval deadline makes no further calls
            try:
                return _interruptible(self._runnable.invoke, list(messages))
            except (UserError, ProviderError):
                raise
            except Exception as exc:
                kind = classify(exc)
                if kind in _RETRYABLE and tries <= self.retry.retries:
                    wait = self.retry.delay(tries - 1, exc)
                    emit(self.progress, ProgressEvent(
                        Step.RETRY, label=self.label, seconds=wait,
                        detail=f"{_KIND_TEXT.get(kind, kind)} on try {tries} of "
                               f"{self.retry.retries + 1} ({_short(exc, 120)})"))
                    self.retry.pause(wait)
                    continue
                raise provider_error(exc, kind, tries, self.label, self.timeout,
                                     self.provider) from None

    def ask(self, request: Request) -> ModelResponse:
        """Send the request's messages and return the validated reply or its errors."""
        out = self.invoke_with_retries(_langchain_messages(request.messages))
        raw = out.get("raw") if isinstance(out, dict) else None
        parsed = out.get("parsed") if isinstance(out, dict) else out
        perr = out.get("parsing_error") if isinstance(out, dict) else None
        meta = getattr(raw, "usage_metadata", None) or {}
        reply = ModelResponse(None, raw_text=_raw_text(raw),
                         input_tokens=int(meta.get("input_tokens") or 0),
                         output_tokens=int(meta.get("output_tokens") or 0))
        self.usage.add(Usage(calls=1, input_tokens=reply.input_tokens, output_tokens=reply.output_tokens))
        if parsed is None and reply.raw_text.strip():
            try:  # a model that answered in plain JSON text instead of the tool call
                parsed = _json_from_text(reply.raw_text)
            except (ValueError, RecursionError):  # bad JSON, nested too deeply, huge ints
                parsed = None
        if parsed is None:
            bad_calls = getattr(raw, "invalid_tool_calls", None) or []
            if perr:
                why = f"could not decode it: {_short(perr, 400)}"
            elif bad_calls:
                why = f"the tool-call arguments are not valid JSON ({_short(bad_calls[0].get('error') or '', 200)})"
            else:
                why = "no structured answer was found (no tool call, no JSON object)"
            reply.errors = [f"Your output did not follow the {SCHEMA_NAME} schema: {why}"]
            return reply
        try:
            reply.reply = validate_reply(parsed)
        except ValidationError as exc:
            reply.errors = [f"Your output did not match the {SCHEMA_NAME} schema:"] + validation_errors(exc)
        return reply


def make_model(model: str | None = None, *, base_url: str | None = None, chat_model: Any = None,
               structured: Structured | None = None, timeout: float = DEFAULT_TIMEOUT,
               retry: RetryPolicy | None = None, progress: Progress = None) -> LangChainModel:
    """A :class:`LangChainModel` from a ready chat model, or resolved from model/base URL."""
    if structured is not None and structured not in ("tool", "json"):
        raise UserError(f"unknown structured-output mode {structured!r}.",
                        fix="Use --structured tool or --structured json.")
    if timeout is not None and not timeout > 0:
        raise UserError(f"--timeout must be a positive number of seconds, got {timeout:g}.",
                        fix="For example --timeout 60.")
    if chat_model is not None:
        return LangChainModel(chat_model, structured=structured, retry=retry, timeout=timeout,
                              progress=progress)
    chat, label, name = load_chat_model(model, base_url, timeout=timeout)
    return LangChainModel(chat, label=label, provider=name, structured=structured,
                          retry=retry, timeout=timeout, progress=progress)
