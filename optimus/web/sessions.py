"""Per-tab sessions of ``optimus serve``: a :class:`~optimus.agent.session.ChatSession`
each, with its own upload folder, and the limits on what a page may send.

A page asks for a session when it loads (``POST /api/session``) and keeps the id in
JavaScript memory only (no cookie), so two tabs never share one. Ids are 128-bit random
tokens; the store holds at most ``max_sessions`` and forgets the least recently used.
Uploads land in the session's own temporary folder under a cleaned name; nothing else
on the machine is read for a page.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from optimus.agent.model import Model
from optimus.agent.session import ChatSession
from optimus.errors import UserError
from optimus.formulation import Formulation, load_formulation

__all__ = ["Limits", "WebSession", "SessionStore", "clean_upload_name"]

DATA_SUFFIXES = (".csv", ".tsv", ".json", ".yaml", ".yml", ".xlsx", ".parquet", ".txt")
MODEL_SUFFIXES = (".yaml", ".yml", ".json")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class Limits:
    """What one request or session may send."""

    max_file_bytes: int = 5 * 1024 * 1024
    max_files: int = 20  # per session
    max_session_bytes: int = 20 * 1024 * 1024
    max_request_bytes: int = 6 * 1024 * 1024  # one request body, uploads included
    max_message_chars: int = 20_000  # the agent's own limit on a problem text


def clean_upload_name(name: str | None, suffixes: tuple[str, ...]) -> str:
    """The file's own name (no folders), if it is a plain name with an allowed suffix."""
    base = Path(str(name or "").replace("\\", "/")).name
    if not _NAME.match(base) or ".." in base:
        raise UserError(f"cannot accept a file named {base!r}.",
                        fix="Rename it to letters, digits, '.', '_' and '-' only "
                            "(for example costs.csv).")
    if not base.lower().endswith(suffixes):
        raise UserError(f"{base}: this kind of file is not accepted here.",
                        fix="Use one of: " + ", ".join(suffixes) + ".")
    return base


@dataclass
class WebSession:
    """One browser tab's state."""

    id: str
    chat: ChatSession
    folder: Path
    label: str
    uploads: dict[str, int] = field(default_factory=dict)  # name -> bytes
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_used: float = field(default_factory=time.monotonic)

    def save_upload(self, name: str, content: bytes, limits: Limits,
                    suffixes: tuple[str, ...] = DATA_SUFFIXES) -> str:
        """Store an uploaded file in the session folder; returns its clean name."""
        name = clean_upload_name(name, suffixes)
        if len(content) > limits.max_file_bytes:
            raise UserError(f"{name} has {len(content):,} bytes; the limit is "
                            f"{limits.max_file_bytes:,}.",
                            fix="Upload a smaller file, or run optimus on your machine "
                                "(optimus run model.yaml) for large data.")
        if name not in self.uploads and len(self.uploads) >= limits.max_files:
            raise UserError(f"this session already has {len(self.uploads)} files; the limit is "
                            f"{limits.max_files}.", fix="Start a new problem (New) to begin again.")
        total = sum(v for k, v in self.uploads.items() if k != name) + len(content)
        if total > limits.max_session_bytes:
            raise UserError(f"the uploads of this session would take {total:,} bytes; the limit "
                            f"is {limits.max_session_bytes:,}.", fix="Start a new problem (New).")
        (self.folder / name).write_bytes(content)
        self.uploads[name] = len(content)
        return name

    def data_files(self) -> list[str]:
        """The uploads that are tables (CSV, TSV, Excel, JSON records, Parquet)."""
        from optimus.datafiles import FORMATS

        return sorted(n for n in self.uploads if Path(n).suffix.lower() in FORMATS)

    def attach_data(self, name: str) -> None:
        """Read the uploaded table ``name`` and attach every table of the session to the
        problem stated in words (the model sees their columns and reads them by name, as
        with ``optimus chat --data``). A file that cannot be read is removed again and the
        error (a :class:`~optimus.datafiles.DataError`: file, row and fix) raised."""
        from optimus.datafiles import Attachments, DataError

        try:
            attachments = Attachments.from_items(
                {n: self.folder / n for n in self.data_files()})
        except DataError:
            self.uploads.pop(name, None)
            (self.folder / name).unlink(missing_ok=True)
            raise
        self.chat.attachments = attachments or None

    def open_model(self, name: str, content: bytes, limits: Limits) -> Formulation:
        """Read an uploaded model file; its data files must be uploads of this session."""
        name = self.save_upload(name, content, limits, MODEL_SUFFIXES)
        f = load_formulation(self.folder / name)
        folder = self.folder.resolve()
        for p in f.parameters:
            if p.data is None:
                continue
            path = Path(p.data.path)
            target = (folder / path).resolve()
            if path.is_absolute() or target.parent != folder or target.name not in self.uploads \
                    or target.name == name:
                raise UserError(f"parameter {p.name} reads {p.data.path!r}, which was not "
                                f"uploaded here.",
                                fix=f"Attach {path.name} as a data file (it must sit next to "
                                    f"the model file, data: {{path: {path.name}}}), then open "
                                    f"the model again.")
        return f

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class SessionStore:
    """Sessions by id, at most ``max_sessions`` (least recently used dropped first)."""

    def __init__(self, make_model: Callable[[], Model], *, label: str,
                 max_sessions: int = 64, max_attempts: int | None = None,
                 root: Path | None = None):
        self.make_model = make_model
        self.label = label
        self.max_sessions = max_sessions
        self.max_attempts = max_attempts
        self._root = Path(tempfile.mkdtemp(prefix="optimus-serve-", dir=root))
        self._sessions: "OrderedDict[str, WebSession]" = OrderedDict()
        self._lock = threading.Lock()

    def create(self) -> WebSession:
        kw = {} if self.max_attempts is None else {"max_attempts": self.max_attempts}
        chat = ChatSession(self.make_model(), **kw)  # type: ignore[arg-type]
        sid = secrets.token_urlsafe(16)
        folder = self._root / sid
        folder.mkdir()
        ws = WebSession(sid, chat, folder, self.label)
        with self._lock:
            self._sessions[sid] = ws
            while len(self._sessions) > self.max_sessions:
                _, old = self._sessions.popitem(last=False)
                old.close()
        return ws

    def get(self, sid: str | None) -> WebSession | None:
        if not sid:
            return None
        with self._lock:
            ws = self._sessions.get(sid)
            if ws is not None:
                self._sessions.move_to_end(sid)
                ws.last_used = time.monotonic()
            return ws

    def drop(self, sid: str) -> None:
        with self._lock:
            ws = self._sessions.pop(sid, None)
        if ws is not None:
            ws.close()

    def close(self) -> None:
        with self._lock:
            for ws in self._sessions.values():
                ws.close()
            self._sessions.clear()
        shutil.rmtree(self._root, ignore_errors=True)

    def __len__(self) -> int:
        return len(self._sessions)
