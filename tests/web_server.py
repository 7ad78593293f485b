"""Test helper: run the ``optimus serve`` app on 127.0.0.1 in a thread (free port)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any, Callable, Iterator

from agent_data import good

from optimus.agent.langchain_model import LangChainModel, RetryPolicy
from optimus.testing import ScriptedChatModel, reply
from optimus.web.server import create_app


def with_min_trains(n: int = 70) -> dict:
    """good() with a minimum number of trains (optimum 170 for n = 70)."""
    f = good()
    f["constraints"].append({"name": "min_trains", "description": f"at least {n} trains",
                             "expression": f"make['trains'] >= {n}"})
    return f


def scripted(*responses: Any) -> Callable[[], LangChainModel]:
    """A model factory: every session gets a fresh scripted model with ``responses``."""
    def make() -> LangChainModel:
        fake = ScriptedChatModel(responses=list(responses))
        return LangChainModel(fake, label="scripted:test", retry=RetryPolicy(sleep=lambda s: None))
    return make


def offline_app(**kw: Any) -> Any:
    from optimus.commands.serve import model_factory

    make, label, offline, notice = model_factory(None, None, structured=None, timeout=30)
    return create_app(make, label=label, offline=offline, notice=notice, **kw)


def scripted_app(*responses: Any, **kw: Any) -> Any:
    return create_app(scripted(*responses), label="scripted:test", offline=False, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


__all__ = ["with_min_trains", "scripted", "reply", "offline_app", "scripted_app", "serving"]
