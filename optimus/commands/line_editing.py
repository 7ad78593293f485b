"""Line editing and history for ``optimus chat`` at a terminal (prompt_toolkit).

:func:`chat_input` returns something with ``readline()`` like a file: at a terminal a
:class:`PromptReader` (arrow keys, Home/End, Ctrl-R search, Up/Down through this session's
lines), otherwise ``stdin`` itself, so that pipes, files and tests read plain lines.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["PromptReader", "chat_input"]


class PromptReader:
    """``readline()`` through a prompt_toolkit prompt with in-memory history.

    Returns the line with its newline, or ``""`` at the end of input (Ctrl-D), like a
    file; Ctrl-C raises :class:`KeyboardInterrupt` as at any prompt."""

    shows_prompt = True  # the caller must not print its own prompt

    def __init__(self, prompt: str = "> ", continuation: str = "… ", **session_options: Any):
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        self.prompt = prompt
        self.continuation = continuation
        self._session: Any = PromptSession(history=InMemoryHistory(), **session_options)
        self._continuing = False

    def readline(self) -> str:
        try:
            line = self._session.prompt(self.continuation if self._continuing else self.prompt)
        except EOFError:
            return ""
        self._continuing = line.rstrip().endswith("\\")
        return line + "\n"


def chat_input(stdin: TextIO | None = None) -> Any:
    """A :class:`PromptReader` when stdin and stdout are terminals, else ``stdin``."""
    stdin = stdin if stdin is not None else sys.stdin
    if _is_tty(stdin) and _is_tty(sys.stdout):
        try:
            return PromptReader()
        except Exception:  # noqa: BLE001 - no usable terminal: read plain lines
            return stdin
    return stdin


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
