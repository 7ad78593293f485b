"""Text that reaches a terminal has its control characters escaped.

Names, descriptions and messages come from model files, data files and model replies; a
raw ESC in one of them could recolour the terminal, move the cursor or (OSC 52) write the
clipboard. :func:`escape_controls` shows each C0/C1 control character (newlines and tabs
excepted) and DEL as a visible escape; :class:`SafeConsole` is the rich console every
command prints through, which applies it to all the text it renders while keeping its
own styles and cursor controls (progress lines).

>>> escape_controls("red \\x1b[31mtext\\x1b]52;c;aGk=\\x07 end\\n")
'red \\\\x1b[31mtext\\\\x1b]52;c;aGk=\\\\x07 end\\n'
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from rich.console import Console
from rich.segment import Segment

__all__ = ["escape_controls", "SafeConsole", "safe_console"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group(0)):02x}"


def escape_controls(text: Any) -> str:
    """``text`` with every control character but newline and tab as ``\\xNN``.

    >>> escape_controls("bell\\x07 and\\ttab")
    'bell\\\\x07 and\\ttab'
    """
    text = str(text)
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


class SafeConsole(Console):
    """A rich :class:`~rich.console.Console` whose text has control characters escaped
    (rich itself drops BEL but passes ESC through). Rich's own control segments (cursor
    movement of a live progress line) are kept.

    >>> import io
    >>> c = SafeConsole(file=io.StringIO(), force_terminal=True, highlight=False)
    >>> c.print("a\\x1b[2Jb")
    >>> "\\x1b[2J" in c.file.getvalue(), "a\\\\x1b[2Jb" in c.file.getvalue()
    (False, True)
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            seg if seg.control else Segment(escape_controls(seg.text), seg.style, None)
            for seg in buffer)


def safe_console(**kw: Any) -> SafeConsole:
    """A :class:`SafeConsole` (the same arguments as rich's ``Console``)."""
    return SafeConsole(**kw)
