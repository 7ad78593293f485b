"""Test-wide guards: no real model provider is ever reached.

* Provider keys and ``OPTIMUS_MODEL`` are removed from the environment.
* Sockets may connect only to loopback addresses (tests start their own fake
  OpenAI-compatible servers on 127.0.0.1).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BENCHMARKS = SHARED / "benchmarks"

_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPTIMUS_MODEL", "OPENAI_BASE_URL",
         "OPENAI_API_BASE", "OLLAMA_HOST", "OPTIMUS_BASE_URL")


@pytest.fixture(autouse=True)
def _no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in _KEYS:
        monkeypatch.delenv(key, raising=False)


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
        if not (host.startswith("127.") or host in ("localhost", "::1")):
            raise RuntimeError(f"tests may not reach the network ({host}); use a local fake server")
    return _real_connect(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]


def shared_benchmark(name: str) -> Path:
    """Path of a file in ../shared/benchmarks, skipping the test when it is absent."""
    path = BENCHMARKS / name
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is absent)")
    return path


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Install a scripted model behind ``--model`` (no network); returns a function taking
    the responses (and an optional ``delay`` per call) and returning the fake model."""
    from optimus.agent import langchain_model as llm_module
    from optimus.testing import ScriptedChatModel

    monkeypatch.setattr(llm_module, "_sleep", lambda s: None)

    def install(*responses, delay: float = 0.0):  # type: ignore[no-untyped-def]
        fake = ScriptedChatModel(responses=list(responses), delay=delay)
        monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
        return fake

    return install
