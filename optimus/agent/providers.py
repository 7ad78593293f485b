"""What optimus knows about model providers, as data; free of LangChain imports.

Which model to use (:func:`configured`), which provider a ``--model`` names
(:func:`provider_of`), the key variable and extra each provider needs, and how its
structured output is requested by default.

    >>> provider_of("openai:gpt-4o-mini", None), provider_of("claude-sonnet-4-5", None)
    ('openai', 'anthropic')
    >>> provider_of("qwen2.5", "http://localhost:8000/v1")
    'base_url'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

DEFAULT_TIMEOUT = 120.0  # seconds per model call
Structured = Literal["tool", "json"]
BASE_URL = "base_url"  # the provider name of an OpenAI-compatible server given by --base-url


@dataclass(frozen=True)
class Provider:
    """One provider: its LangChain integration, key variable and defaults."""

    integration: str | None  # the module LangChain needs for it
    key_env: str | None = None  # the variable that holds its API key
    extra: str | None = None  # the optimus extra that installs the integration
    structured: Structured = "tool"  # how structured output is asked for by default
    timeout_in_client_kwargs: bool = False  # the timeout goes into client_kwargs (ollama)


PROVIDERS: dict[str, Provider] = {
    "openai": Provider("langchain_openai", "OPENAI_API_KEY", structured="json"),
    "azure_openai": Provider("langchain_openai", "AZURE_OPENAI_API_KEY", structured="json"),
    BASE_URL: Provider("langchain_openai", structured="json"),
    "anthropic": Provider("langchain_anthropic", "ANTHROPIC_API_KEY", extra="anthropic"),
    "ollama": Provider("langchain_ollama", extra="ollama", timeout_in_client_kwargs=True),
}

#: Model-name prefixes that identify a provider when ``--model`` has no ``provider:``.
NAME_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt-", "openai"), ("o1", "openai"), ("o3", "openai"), ("o4", "openai"),
    ("chatgpt", "openai"), ("text-", "openai"), ("claude", "anthropic"),
)
_UNKNOWN = Provider(None)


def provider_info(name: str) -> Provider:
    """The known facts about provider ``name`` (none for a provider we do not know)."""
    return PROVIDERS.get(name, _UNKNOWN)


def configured(model: str | None = None, base_url: str | None = None) -> tuple[str | None, str | None]:
    """The model and base URL to use: arguments first, then OPTIMUS_MODEL / OPTIMUS_BASE_URL."""
    model = model or os.environ.get("OPTIMUS_MODEL") or None
    base_url = base_url or os.environ.get("OPTIMUS_BASE_URL") or None
    return model, base_url


def provider_of(model: str | None, base_url: str | None) -> str:
    """``base_url`` for an OpenAI-compatible server, else the ``provider:`` prefix, else a
    provider recognised by the model name's prefix, else ``unknown``."""
    if base_url:
        return BASE_URL
    if model and ":" in model:
        return model.split(":", 1)[0].strip().lower()
    name = (model or "").strip().lower()
    for prefix, known in NAME_PREFIXES:
        if name.startswith(prefix):
            return known
    return "unknown"


def no_model_message() -> tuple[str, str]:
    """The message and fix shown when no language model is configured."""
    return (
        "No language model is configured.",
        "Set OPTIMUS_MODEL (e.g. export OPTIMUS_MODEL=openai:gpt-4o-mini with OPENAI_API_KEY set), "
        "pass --model provider:model (e.g. --model anthropic:claude-sonnet-4-5 or "
        "--model ollama:qwen2.5), or point --base-url at an OpenAI-compatible server "
        "(e.g. --base-url http://localhost:8000/v1 --model qwen2.5).",
    )
