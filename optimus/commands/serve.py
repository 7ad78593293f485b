"""``optimus serve [--host 127.0.0.1] [--port 8000] [--model ...]``: the local web app.

Binds 127.0.0.1 unless told otherwise (and warns then: the page has no login). With no
language model configured, the page uses the offline formulator and says so; with one,
every tab gets its own model built by the same path as ``optimus chat``. The app itself
is :func:`optimus.web.server.create_app`.
"""

from __future__ import annotations

import socket
import sys
from typing import Any, Optional

import typer
from rich.text import Text

from optimus.safe_text import SafeConsole
from optimus.agent.limits import DEFAULT_MAX_ATTEMPTS
from optimus.agent.providers import DEFAULT_TIMEOUT, configured, no_model_message
from optimus.errors import UserError


def model_factory(model: str | None, base_url: str | None, *, structured: str | None,
                  timeout: float) -> tuple[Any, str, bool, str]:
    """``(make_model, label, offline, notice)`` for the app. A configured provider is
    resolved once here, so that a missing package or key fails at start-up (exit 2)."""
    model, base_url = configured(model, base_url)
    if not (model or base_url):
        from optimus.offline.offline_model import OfflineModel

        message, fix = no_model_message()
        notice = (f"{message} This page uses the offline formulator: rules, no network, "
                  f"simple word problems only; editing a model by chat needs a language "
                  f"model. To use one, start optimus serve with a model: {fix}")
        return OfflineModel, "offline", True, notice
    from optimus.agent.langchain_model import make_model

    first = make_model(model, base_url=base_url, structured=structured, timeout=timeout)  # type: ignore[arg-type]
    label = first.label
    made = [first]

    def make() -> Any:
        if made:
            return made.pop()
        return make_model(model, base_url=base_url, structured=structured, timeout=timeout)  # type: ignore[arg-type]

    return make, label, False, ""


def check_port(host: str, port: int) -> None:
    """Refuse a port that is taken, with the fix, before the server starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}.",
                            fix=f"Choose another port, e.g. --port {port + 1}, or stop what "
                                f"uses it.") from None


def register(app: typer.Typer) -> None:
    """Add ``optimus serve``."""

    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (only this machine by default)."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
        model: Optional[str] = typer.Option(None, "--model", "-m", help="provider:model (default: $OPTIMUS_MODEL; none: the offline formulator)."),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="An OpenAI-compatible server, e.g. http://localhost:8000/v1."),
        max_attempts: int = typer.Option(DEFAULT_MAX_ATTEMPTS, "--max-attempts", min=1, max=20, help="Formulate + repair attempts."),
        structured: Optional[str] = typer.Option(None, "--structured", help="tool or json."),
        timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", help="Seconds per model call."),
    ) -> None:
        """A local web page: state a problem, attach data, chat to edit it, see the math,
        the solution and the diagnosis, download the script and files."""
        run_serve(host=host, port=port, model=model, base_url=base_url,
                  max_attempts=max_attempts, structured=structured, timeout=timeout)


def run_serve(*, host: str = "127.0.0.1", port: int = 8000, model: str | None = None,
              base_url: str | None = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
              structured: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """What ``optimus serve`` does: check, print where to go, serve until Ctrl-C."""
    err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
    try:
        import uvicorn

        from optimus.web.server import LOCAL_HOSTS, create_app
    except ImportError as exc:  # pragma: no cover - dependencies of the package
        raise UserError(f"optimus serve needs {exc.name}, which is not installed.",
                        fix="pip install --upgrade optimus-milp") from None
    make, label, offline, notice = model_factory(model, base_url, structured=structured,
                                                 timeout=timeout)
    if host not in LOCAL_HOSTS:
        err.print(Text(f"warning: listening on {host}, not 127.0.0.1: anyone who can reach "
                       f"this machine on port {port} can use the page (there is no login) and "
                       f"your model provider's quota.", style="bold yellow"))
    check_port(host, port)
    app = create_app(make, label=label, offline=offline, notice=notice, host=host,
                     max_attempts=max_attempts)
    shown = f"[{host}]" if ":" in host else host
    err.print(Text(f"optimus serve: open http://{shown}:{port}/  (formulator: {label}; "
                   f"Ctrl-C to stop)", style="bold"))
    if offline:
        err.print(Text(notice))
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    sys.stderr.flush()
