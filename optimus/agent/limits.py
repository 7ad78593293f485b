"""Limits and defaults of the agent, and the input check; free of LangChain imports so
that the command line starts fast for commands that never call a model."""

from __future__ import annotations

from optimus.budget import MAX_TEXT_CHARS  # noqa: F401  (re-exported)
from optimus.errors import UserError

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_TIME_LIMIT = 60.0  # seconds per solve


def check_text(text: str | None) -> str:
    """The problem text, stripped; a :class:`UserError` when empty or too long."""
    if text is None or not str(text).strip():
        raise UserError("The problem text is empty.",
                        fix='Describe the problem, e.g. optimus solve "A bakery makes cakes ..." '
                            "or pass a file with -f problem.txt.")
    text = str(text).strip()
    if not is_utf8(text):
        raise UserError("The problem text is not valid UTF-8 text (it holds bytes that are not "
                        "characters, or a lone surrogate).",
                        fix="Save the text as UTF-8 and pass it again.")
    if len(text) > MAX_TEXT_CHARS:
        raise UserError(f"The problem text has {len(text):,} characters; the limit is "
                        f"{MAX_TEXT_CHARS:,}.",
                        fix="Shorten the text, or put large data tables in a model file "
                            "(optimus run model.yaml) with CSV data files.")
    return text


def is_utf8(text: str) -> bool:
    """True when ``text`` can be encoded as UTF-8 (no lone surrogates, which is what
    undecodable bytes of a command line or a file become)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
