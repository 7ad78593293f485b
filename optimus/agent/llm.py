"""The language model behind one small interface: :class:`StructuredLLM.ask`.

* :func:`load_chat_model` resolves ``--model provider:model`` / ``OPTIMUS_MODEL`` with
  LangChain's ``init_chat_model``, or builds a ``ChatOpenAI`` for ``--base-url`` (any
  OpenAI-compatible server; a placeholder key when none is set).
* :class:`StructuredLLM` asks for a :class:`~optimus.agent.schema.ModelReply` in
  JSON-schema mode (OpenAI and compatible servers) or by tool calling (others), with
  ``include_raw=True`` so that output which fails to parse comes back as data (for a
  repair message) instead of an exception.
* Our own retry loop around ``invoke`` (the client's ``max_retries`` is 0): exponential
  backoff on rate limits (429), timeouts, 5xx and dropped connections; a bad key
  (401/403) fails at once. Calls and tokens are counted in a :class:`~optimus.answer.Usage`.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from pydantic import ValidationError

from optimus.agent.schema import SCHEMA_NAME, ModelReply, reply_json_schema, validate_reply
from optimus.answer import Usage
from optimus.errors import ProviderError, UserError
from optimus.formulation import validation_errors

DEFAULT_TIMEOUT = 120.0  # seconds per model call
Structured = Literal["tool", "json"]

# provider -> the optimus extra that installs its LangChain integration
_EXTRAS = {"anthropic": "anthropic", "ollama": "ollama"}
# providers whose structured output defaults to strict JSON-schema mode
_JSON_SCHEMA_PROVIDERS = {"openai", "azure_openai", "base_url"}
# extra constructor arguments per provider: a per-call timeout, no client-side retries
_CLIENT_KWARGS: dict[str, Callable[[float], dict[str, Any]]] = {
    "ollama": lambda t: {"client_kwargs": {"timeout": t}},
}


def _default_kwargs(timeout: float) -> dict[str, Any]:
    return {"timeout": timeout, "max_retries": 0}


def no_model_message() -> tuple[str, str]:
    """The message and fix shown when no language model is configured."""
    return (
        "No language model is configured.",
        "Set OPTIMUS_MODEL (e.g. export OPTIMUS_MODEL=openai:gpt-4o-mini with OPENAI_API_KEY set), "
        "pass --model provider:model (e.g. --model anthropic:claude-sonnet-4-5 or "
        "--model ollama:qwen2.5), or point --base-url at an OpenAI-compatible server "
        "(e.g. --base-url http://localhost:8000/v1 --model qwen2.5).",
    )


def configured(model: str | None = None, base_url: str | None = None) -> tuple[str | None, str | None]:
    """The model and base URL to use: arguments first, then OPTIMUS_MODEL / OPTIMUS_BASE_URL."""
    model = model or os.environ.get("OPTIMUS_MODEL") or None
    base_url = base_url or os.environ.get("OPTIMUS_BASE_URL") or None
    return model, base_url


def provider_of(model: str | None, base_url: str | None) -> str:
    """``base_url`` for an OpenAI-compatible server, else the ``provider:`` prefix (or a guess)."""
    if base_url:
        return "base_url"
    if model and ":" in model:
        return model.split(":", 1)[0].strip().lower()
    if model:
        try:
            from langchain.chat_models.base import _attempt_infer_model_provider

            return _attempt_infer_model_provider(model) or "unknown"
        except Exception:  # pragma: no cover - private helper moved
            return "unknown"
    return "unknown"


def load_chat_model(model: str | None = None, base_url: str | None = None, *,
                    timeout: float = DEFAULT_TIMEOUT) -> tuple[Any, str, str]:
    """Resolve a LangChain chat model; returns ``(chat_model, label, provider)``.

    Raises :class:`UserError` when nothing is configured, an extra is missing, the
    provider is unknown or its key is absent.
    """
    model, base_url = configured(model, base_url)
    if not model and not base_url:
        message, fix = no_model_message()
        raise UserError(message, fix=fix)
    provider = provider_of(model, base_url)
    if base_url:
        from langchain_openai import ChatOpenAI

        name = model.split(":", 1)[1] if model and model.lower().startswith("openai:") else (model or "default")
        chat = ChatOpenAI(base_url=base_url, model=name, timeout=timeout, max_retries=0,
                          api_key=os.environ.get("OPENAI_API_KEY") or "not-needed")
        return chat, f"{name} @ {base_url}", provider
    assert model is not None
    kwargs = _CLIENT_KWARGS.get(provider, _default_kwargs)(timeout)
    try:
        from langchain.chat_models import init_chat_model

        chat = init_chat_model(model, **kwargs)
    except ImportError as exc:
        extra = _EXTRAS.get(provider)
        fix = (f'pip install "optimus[{extra}]"' if extra
               else f"install the LangChain integration for {provider!r} ({exc})")
        raise UserError(f"The {provider!r} provider needs a package that is not installed.",
                        fix=fix) from None
    except ValueError as exc:
        raise UserError(f"Cannot use model {model!r}: {exc}",
                        fix="Pass --model provider:model, e.g. openai:gpt-4o-mini, "
                        "anthropic:claude-sonnet-4-5 or ollama:qwen2.5.") from None
    except Exception as exc:  # e.g. the OpenAI client refusing to start without a key
        if "api_key" in str(exc).lower() or "api key" in str(exc).lower():
            var = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}.get(provider, "the provider's key variable")
            raise UserError(f"No API key found for {model!r}.",
                            fix=f"Set {var}, or use a local server with --base-url "
                            "http://localhost:8000/v1 (or --model ollama:qwen2.5).") from None
        raise UserError(f"Cannot start model {model!r}: {type(exc).__name__}: {exc}",
                        fix="Check --model / OPTIMUS_MODEL and the provider's settings.") from None
    return chat, model, provider


# --------------------------------------------------------------------------- errors
def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def classify(exc: BaseException) -> str:
    """``auth``, ``rate_limit``, ``timeout``, ``server``, ``connection``, ``request`` or ``other``."""
    name = type(exc).__name__
    names = {c.__name__ for c in type(exc).__mro__}
    status = _status_of(exc)
    if isinstance(exc, TimeoutError) or "Timeout" in name or "TimeoutException" in names \
            or "APITimeoutError" in names:
        return "timeout"
    if status in (401, 403) or names & {"AuthenticationError", "PermissionDeniedError"}:
        return "auth"
    if status == 429 or "RateLimitError" in names:
        return "rate_limit"
    if (status is not None and status >= 500) or "InternalServerError" in names:
        return "server"
    if isinstance(exc, ConnectionError) or names & {"APIConnectionError", "ConnectError"}:
        return "connection"
    if status is not None and 400 <= status < 500:
        return "request"
    return "other"


_sleep = time.sleep  # the default pause; tests replace it
_RETRYABLE = {"rate_limit", "timeout", "server", "connection"}


def _short(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text[:limit] + ("..." if len(text) > limit else "")


def provider_error(exc: BaseException, kind: str, tries: int, label: str,
                   timeout: float | None, provider: str = "unknown") -> ProviderError:
    """A :class:`ProviderError` with a fix, for an exception of the given kind."""
    status = _status_of(exc)
    code = f" ({status})" if status else ""
    if kind == "auth" and provider == "base_url":
        return ProviderError(
            f"{label}: the server rejected the credentials{code}: {_short(exc)}",
            fix="Set OPENAI_API_KEY to the key this server expects (a placeholder is sent "
                "when it is unset).")
    if kind == "auth":
        return ProviderError(
            f"{label}: the provider rejected the credentials{code}: {_short(exc)}",
            fix="Check the key (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...) and that it may use "
                "this model; for a local server without keys use --base-url.")
    if kind == "rate_limit":
        return ProviderError(
            f"{label}: rate limited{code} on all {tries} tries.",
            fix="Wait a minute and retry, use a smaller model, or raise your provider quota.")
    if kind == "timeout":
        return ProviderError(
            f"{label}: no answer within {timeout or DEFAULT_TIMEOUT:g} s ({tries} tries).",
            fix="Retry, pass a larger --timeout, or use a faster model.", kind="timeout")
    if kind == "server":
        return ProviderError(f"{label}: the provider failed{code} on all {tries} tries: {_short(exc)}",
                             fix="Retry later; the provider is having trouble.")
    if kind == "connection":
        return ProviderError(f"{label}: cannot reach the model server ({tries} tries): {_short(exc)}",
                             fix="Check the URL (--base-url must end in /v1) and that the server runs.")
    if kind == "request":
        return ProviderError(
            f"{label}: the provider refused the request{code}: {_short(exc)}",
            fix="Check the model name (--model); if the server does not support JSON-schema "
                "output, pass --structured tool (or --structured json for the opposite).")
    return ProviderError(f"{label}: model call failed: {type(exc).__name__}: {_short(exc)}",
                         fix="Check the model configuration and retry.")


@dataclass
class RetryPolicy:
    """Retries with exponential backoff. ``sleep`` is injectable (tests pass a no-op)."""

    retries: int = 3  # tries after the first
    base_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], None] | None = None  # None: this module's _sleep (time.sleep)

    def delay(self, retry: int, exc: BaseException) -> float:
        headers = getattr(getattr(exc, "response", None), "headers", None)
        after = None
        if headers is not None:
            try:
                after = float(headers.get("retry-after"))
            except (TypeError, ValueError):
                after = None
        wait = after if after is not None else self.base_delay * (2 ** retry)
        return max(0.0, min(wait, self.max_delay))

    def pause(self, seconds: float) -> None:
        (self.sleep or _sleep)(seconds)


# --------------------------------------------------------------------------- replies
@dataclass
class LLMReply:
    """One model answer: a validated reply, or the raw text and why it did not parse."""

    reply: ModelReply | None
    raw_text: str = ""
    errors: list[str] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def ok(self) -> bool:
        return self.reply is not None


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


class StructuredLLM:
    """Ask a chat model for a :class:`ModelReply`; retries, usage and errors handled here.

    Example::

        >>> from optimus.testing import ScriptedChatModel
        >>> llm = StructuredLLM(ScriptedChatModel(responses=[{"is_optimization_problem": False,
        ...     "reason": "a poem", "formulation": None}]))
        >>> llm.ask([("human", "roses are red")]).reply.is_optimization_problem
        False
    """

    def __init__(self, chat_model: Any, *, label: str | None = None, provider: str = "unknown",
                 structured: Structured | None = None, retry: RetryPolicy | None = None,
                 timeout: float | None = None):
        self.chat_model = chat_model
        self.label = label or getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) \
            or type(chat_model).__name__
        self.label = str(self.label)
        self.provider = provider
        if structured is None:
            structured = "json" if provider in _JSON_SCHEMA_PROVIDERS else "tool"
        self.structured: Structured = structured
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
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
        """``invoke`` with our retry loop; returns the runnable's output."""
        tries = 0
        while True:
            tries += 1
            try:
                return self._runnable.invoke(list(messages))
            except (UserError, ProviderError):
                raise
            except Exception as exc:
                kind = classify(exc)
                if kind in _RETRYABLE and tries <= self.retry.retries:
                    self.retry.pause(self.retry.delay(tries - 1, exc))
                    continue
                raise provider_error(exc, kind, tries, self.label, self.timeout,
                                     self.provider) from None

    def ask(self, messages: list[Any]) -> LLMReply:
        """Send ``messages`` (not modified) and return the validated reply or its errors."""
        out = self.invoke_with_retries(messages)
        raw = out.get("raw") if isinstance(out, dict) else None
        parsed = out.get("parsed") if isinstance(out, dict) else out
        perr = out.get("parsing_error") if isinstance(out, dict) else None
        meta = getattr(raw, "usage_metadata", None) or {}
        reply = LLMReply(None, raw_text=_raw_text(raw),
                         input_tokens=int(meta.get("input_tokens") or 0),
                         output_tokens=int(meta.get("output_tokens") or 0))
        self.usage.add(Usage(calls=1, input_tokens=reply.input_tokens, output_tokens=reply.output_tokens))
        if parsed is None and reply.raw_text.strip():
            try:  # a model that answered in plain JSON text instead of the tool call
                parsed = _json_from_text(reply.raw_text)
            except ValueError:
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


def make_llm(model: str | None = None, *, base_url: str | None = None, chat_model: Any = None,
             structured: Structured | None = None, timeout: float = DEFAULT_TIMEOUT,
             retry: RetryPolicy | None = None) -> StructuredLLM:
    """A :class:`StructuredLLM` from a ready chat model, or resolved from model/base URL."""
    if structured is not None and structured not in ("tool", "json"):
        raise UserError(f"unknown structured-output mode {structured!r}.",
                        fix="Use --structured tool or --structured json.")
    if timeout is not None and not timeout > 0:
        raise UserError(f"--timeout must be a positive number of seconds, got {timeout:g}.",
                        fix="For example --timeout 60.")
    if chat_model is not None:
        return StructuredLLM(chat_model, structured=structured, retry=retry, timeout=timeout)
    chat, label, provider = load_chat_model(model, base_url, timeout=timeout)
    return StructuredLLM(chat, label=label, provider=provider, structured=structured,
                         retry=retry, timeout=timeout)
