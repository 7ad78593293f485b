"""``optimus serve``: the local web app (Starlette, server-sent events, no CDN).

Routes (every ``/api`` call names its tab's session in the ``X-Session`` header; the
page creates the session when it loads and keeps the id in memory, never in a cookie):

* ``GET /`` and ``/static/...``: the page, its script and style (package data);
* ``POST /api/session``: a new session; says which formulator it uses (``offline``
  when no language model is configured, with how to configure one);
* ``POST /api/upload`` (multipart ``files``): attach data files;
* ``POST /api/message`` (form ``problem``): state the problem or an edit; the answer
  streams as server-sent events: ``start``, one ``attempt`` per formulate/repair step,
  then ``turn`` (the rendered formulation, solution, diagnosis, diff) or ``error``;
* ``POST /api/open`` (multipart ``model``): open and solve a model file (YAML/JSON),
  streamed the same way;
* ``GET /api/download/{kind}``: the current model as ``pyomo``, ``markdown``, ``lp``,
  ``mps``, ``model`` (YAML), ``solution`` (CSV: variable, index columns, value) or
  ``xlsx`` (the solution as Excel: a sheet per variable, a grid sheet for two indices).

Uploaded tables (CSV, TSV, Excel, JSON records, Parquet) are attached to the problem
stated in words, as ``optimus chat --data`` does: the model sees their columns and its
formulation reads them by file name. The offline reader reads no tables, so then the
upload's answer says so (a model file that reads the uploads can still be opened).

The work of a request runs in a worker thread, one request at a time per session.
Every response carries a Content-Security-Policy that allows only this origin; requests
whose Host is not the address served are refused (DNS rebinding); text sent to the page
is scrubbed of the values of key variables (``*_API_KEY``, ``*_TOKEN``...).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import tempfile
import threading
from importlib import resources
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from optimus.agent.model import Model
from optimus.errors import OptimusError, UserError
from optimus.web.sessions import Limits, SessionStore, WebSession

__all__ = ["create_app", "LOCAL_HOSTS"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_SECRET_SUFFIXES = ("_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD", "_KEY")
_WEB_COMMANDS = ("/undo", "/show", "/math", "/code", "/help")
DOWNLOADS = {"pyomo": ("model.py", "text/x-python"), "markdown": ("model.md", "text/markdown"),
             "lp": ("model.lp", "text/plain"), "mps": ("model.mps", "text/plain"),
             "model": ("model.yaml", "application/yaml"), "solution": ("solution.csv", "text/csv"),
             "xlsx": ("solution.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def _secrets() -> list[str]:
    return [v for k, v in os.environ.items()
            if k.upper().endswith(_SECRET_SUFFIXES) and v and len(v) >= 8]


def scrub(text: str) -> str:
    """``text`` with the value of every key-like environment variable replaced."""
    for value in _secrets():
        text = text.replace(value, "***")
    return text


def _static_dir() -> Path:
    return Path(str(resources.files("optimus.web") / "static"))


class _SecurityHeaders:
    """Pure ASGI middleware adding the headers of :func:`_headers` to every response."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"content-security-policy", CSP.encode()),
                            (b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _error(message: str, fix: str | None = None, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": scrub(message), "fix": scrub(fix or "")}, status_code=status)


def _sse(event: str, data: dict[str, Any]) -> bytes:
    payload = scrub(json.dumps(data, default=str, allow_nan=False))
    return f"event: {event}\ndata: {payload}\n\n".encode()


# --------------------------------------------------------------------------- rendering
def _attempt_payload(a: Any) -> dict[str, Any]:
    d = a.diagnosis
    found = ""
    if d is not None:
        found = (d.summary or "") + ((" " + "; ".join(d.issues[:3])) if d.issues else "")
    return {"number": a.number, "status": str(a.status), "objective": a.objective,
            "found": found[:500]}


def turn_payload(turn: Any, ws: WebSession) -> dict[str, Any]:
    """What the page shows for one turn (HTML rendered here, every string escaped)."""
    from optimus.render.html_view import attempts_html, esc, formulation_html, num, result_html

    answer = turn.answer
    data: dict[str, Any] = {"kind": str(turn.kind), "text": turn.text or ""}
    if turn.formulation_diff:
        data["diff"] = turn.formulation_diff
    change = turn.solution_change
    if change is not None and change.status_before is not None:
        rows = "".join(
            f"<tr><td>{esc(v.name)}{esc('[' + ', '.join(map(str, v.index)) + ']' if v.index else '')}"
            f"</td><td>{num(v.before)}</td><td>{num(v.after)}</td></tr>" for v in change.variables[:50])
        data["change_html"] = (
            f'<p class="change">status: {esc(change.status_before)} → {esc(change.status_after)}; '
            f"objective: {num(change.objective_before)} → {num(change.objective_after)}</p>"
            + (f'<table class="changed"><thead><tr><th>variable</th><th>before</th><th>after</th>'
               f"</tr></thead><tbody>{rows}</tbody></table>" if rows else ""))
    if answer is not None:
        data["status"] = str(answer.status)
        data["objective"] = answer.objective
        data["message"] = answer.message or ""
        if answer.formulation is not None:
            data["formulation_html"] = formulation_html(answer.formulation)
        data["result_html"] = result_html(answer, answer.formulation)
        data["attempts_html"] = attempts_html(answer.attempts)
    current = ws.chat.current
    data["downloads"] = list(DOWNLOADS) if current is not None else []
    data["has_model"] = current is not None
    return data


def _info_payload(turn: Any) -> dict[str, Any]:
    return {"kind": str(turn.kind), "text": turn.text or "", "downloads": None}


# --------------------------------------------------------------------------- downloads
def download_bytes(kind: str, ws: WebSession) -> tuple[str, str, bytes]:
    """``(file name, media type, content)`` of a download of the current model."""
    cur = ws.chat.current
    if kind not in DOWNLOADS:
        raise UserError(f"unknown download {kind!r}.", fix="Use one of: " + ", ".join(DOWNLOADS))
    if cur is None:
        raise UserError("there is no model yet.", fix="State a problem or open a model file first.")
    f, answer = cur.formulation, cur.answer
    name, media = DOWNLOADS[kind]
    if kind == "pyomo":
        from optimus.render.pyomo_code import to_pyomo_script

        return name, media, to_pyomo_script(f).encode()
    if kind == "markdown":
        from optimus.render.latex import to_markdown

        return name, media, to_markdown(f, answer).encode()  # type: ignore[arg-type]
    if kind == "model":
        return name, media, f.to_yaml().encode()
    if kind == "xlsx":
        from optimus.solution_tables import solution_frames, write_solution

        with tempfile.TemporaryDirectory(prefix="optimus-dl-") as tmp:
            path = Path(tmp) / name
            write_solution(path, solution_frames(answer.variables, f))
            return name, media, path.read_bytes()
    if kind == "solution":
        out = io.StringIO()
        width = max((len(v.index) for v in answer.variables), default=0)
        w = csv.writer(out)
        w.writerow(["variable"] + [f"index_{k + 1}" for k in range(width)] + ["value"])
        for v in answer.variables:
            idx = [str(i) for i in v.index]
            w.writerow([v.name] + idx + [""] * (width - len(idx)) + [repr(float(v.value))])
        return name, media, out.getvalue().encode()
    from optimus.export import write_model

    with tempfile.TemporaryDirectory(prefix="optimus-dl-") as tmp:
        path = Path(tmp) / name
        write_model(f, path, kind)
        return name, media, path.read_bytes()


# --------------------------------------------------------------------------- the app
def create_app(make_model: Callable[[], Model], *, label: str, offline: bool,
               notice: str = "", host: str = "127.0.0.1", limits: Limits | None = None,
               max_attempts: int | None = None, max_sessions: int = 64) -> Starlette:
    """The web app. ``make_model`` gives each new session its own model (the offline
    formulator, or one built by ``make_model`` of the LangChain adapter); ``label`` names
    it on the page (never a key)."""
    limits = limits or Limits()
    store = SessionStore(make_model, label=label, max_sessions=max_sessions,
                         max_attempts=max_attempts)

    def session_of(request: Request) -> WebSession | None:
        return store.get(request.headers.get("x-session"))

    def too_large(request: Request) -> JSONResponse | None:
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return _error("the request has no Content-Length.", status=411)
        if int(length) > limits.max_request_bytes:
            return _error(f"the request has {int(length):,} bytes; the limit is "
                          f"{limits.max_request_bytes:,}.", "Send smaller files.", status=413)
        return None

    async def index(request: Request) -> Response:
        html = (_static_dir() / "index.html").read_text(encoding="utf-8")
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})

    def admitted(request: Request) -> tuple[WebSession | None, Response | None]:
        """The request's session, or the response refusing it (unknown session, too large)."""
        ws = session_of(request)
        if ws is None:
            return None, _error("unknown session.", "Reload the page.", status=403)
        return ws, too_large(request)

    async def new_session(request: Request) -> Response:
        ws = await asyncio.to_thread(store.create)
        return JSONResponse({"session": ws.id, "formulator": label, "offline": offline,
                             "notice": scrub(notice), "limits": {
                                 "max_file_bytes": limits.max_file_bytes,
                                 "max_files": limits.max_files,
                                 "max_message_chars": limits.max_message_chars}})

    async def upload(request: Request) -> Response:
        ws, refused = admitted(request)
        if refused is not None:
            return refused
        form = await request.form(max_files=limits.max_files, max_fields=5,
                                  max_part_size=limits.max_file_bytes)
        saved = []
        try:
            for item in form.getlist("files"):
                if isinstance(item, str):
                    continue
                content = await item.read(limits.max_file_bytes + 1)
                name = ws.save_upload(item.filename, content, limits)
                if not offline and name in ws.data_files():
                    await asyncio.to_thread(ws.attach_data, name)  # bad table: a message
                saved.append(name)
        except UserError as exc:
            return _error(exc.message, exc.fix)
        finally:
            await form.close()
        notice = ""
        if offline and ws.data_files():
            from optimus.agent.providers import no_model_message

            notice = ("The offline reader does not read tables: a problem stated in words is "
                      "read without them. Open a model file that reads them, or configure a "
                      "language model. " + no_model_message()[1])
        return JSONResponse({"saved": saved, "files": sorted(ws.uploads),
                             "data": [] if offline else ws.data_files(), "notice": scrub(notice)})

    def start_stream(ws: WebSession, work: Callable[[Callable[[str, dict], None]], None]
                     ) -> Response:
        """Run ``work(emit)`` in a thread (one at a time per session) and stream what it
        emits as server-sent events. The thread starts here, so the session's lock is
        released even when the page goes away before reading."""
        if not ws.lock.acquire(blocking=False):
            return _error("this tab is still working on the previous request.",
                          "Wait for it to finish.", status=409)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        def emit(event: str, data: dict) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (event, data))

        def run() -> None:
            try:
                work(emit)
            except OptimusError as exc:
                emit("error", {"message": getattr(exc, "message", str(exc)),
                               "fix": getattr(exc, "fix", "") or ""})
            except Exception as exc:  # noqa: BLE001 - the page gets a message, never a trace
                emit("error", {"message": f"internal error: {type(exc).__name__}: {exc}",
                               "fix": "Please report this with what you typed."})
            finally:
                ws.lock.release()
                loop.call_soon_threadsafe(queue.put_nowait, None)

        async def events() -> AsyncIterator[bytes]:
            while True:
                item = await queue.get()
                if item is None:
                    yield _sse("done", {})
                    return
                yield _sse(*item)

        threading.Thread(target=run, name=f"optimus-web-{ws.id[:6]}", daemon=True).start()
        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def message(request: Request) -> Response:
        ws, refused = admitted(request)
        if refused is not None:
            return refused
        form = await request.form(max_files=0, max_fields=5, max_part_size=4 * limits.max_message_chars)
        text = str(form.get("problem") or "")
        await form.close()
        if len(text) > limits.max_message_chars:
            return _error(f"the text has {len(text):,} characters; the limit is "
                          f"{limits.max_message_chars:,}.", "Shorten it.", status=413)
        stripped = text.strip()
        if stripped.startswith("/"):
            word, _, rest = stripped.partition(" ")
            if word.lower() not in _WEB_COMMANDS or rest.strip():
                return _error(f"{word}: not available on the page.",
                              "Use the download buttons to save the model, its script or its math; "
                              "commands here: " + ", ".join(_WEB_COMMANDS) + " (without a file name).")

        def work(emit: Callable[[str, dict], None]) -> None:
            emit("start", {"text": text, "editing": ws.chat.current is not None})
            ws.chat.on_attempt = lambda a: emit("attempt", _attempt_payload(a))
            try:
                turn = ws.chat.handle(text)
            finally:
                ws.chat.on_attempt = None
            if turn is None:
                emit("error", {"message": "The text is empty.", "fix": "Describe the problem."})
            elif turn.kind in ("info", "error", "not_optimization", "unchanged") and turn.answer is None:
                emit("turn", {**_info_payload(turn), "has_model": ws.chat.current is not None,
                              "downloads": list(DOWNLOADS) if ws.chat.current else []})
            else:
                emit("turn", turn_payload(turn, ws))

        return start_stream(ws, work)

    async def open_model(request: Request) -> Response:
        ws, refused = admitted(request)
        if refused is not None:
            return refused
        form = await request.form(max_files=1, max_fields=2, max_part_size=limits.max_file_bytes)
        item = form.get("model")
        if item is None or isinstance(item, str):
            await form.close()
            return _error("no model file was sent.", "Choose a .yaml, .yml or .json file.")
        content = await item.read(limits.max_file_bytes + 1)
        filename = item.filename
        await form.close()
        try:
            f = ws.open_model(filename or "", content, limits)
        except UserError as exc:
            return _error(exc.message, exc.fix)

        def work(emit: Callable[[str, dict], None]) -> None:
            emit("start", {"text": f"open {filename}", "editing": False})
            ws.chat.history.clear()
            emit("turn", turn_payload(ws.chat.start_from(f, Path(filename or "model").name), ws))

        return start_stream(ws, work)

    async def download(request: Request) -> Response:
        ws = session_of(request)
        if ws is None:
            return _error("unknown session.", "Reload the page.", status=403)
        kind = request.path_params["kind"]
        if not ws.lock.acquire(timeout=30):
            return _error("the session is busy.", "Try again when the solve has finished.", status=409)
        try:
            name, media, content = await asyncio.to_thread(download_bytes, kind, ws)
        except OptimusError as exc:
            return _error(getattr(exc, "message", str(exc)), getattr(exc, "fix", None))
        finally:
            ws.lock.release()
        return Response(content, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def close_session(request: Request) -> Response:
        sid = request.headers.get("x-session")
        if sid and store.get(sid) is not None:
            store.drop(sid)
        return JSONResponse({"closed": True})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        store.close()

    hosts = list(LOCAL_HOSTS) if host in LOCAL_HOSTS else ["*"]
    if host not in LOCAL_HOSTS and host not in ("0.0.0.0", "::"):
        hosts = list(LOCAL_HOSTS) + [host]
    app = Starlette(
        routes=[Route("/", index), Route("/api/session", new_session, methods=["POST"]),
                Route("/api/upload", upload, methods=["POST"]),
                Route("/api/message", message, methods=["POST"]),
                Route("/api/open", open_model, methods=["POST"]),
                Route("/api/download/{kind}", download, methods=["GET"]),
                Route("/api/close", close_session, methods=["POST"]),
                Mount("/static", StaticFiles(directory=str(_static_dir())), name="static")],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
                    Middleware(_SecurityHeaders)],
        lifespan=lifespan)
    app.state.store = store
    return app
