"""Prompt templates: plain Markdown files in ``prompts/`` (installed as ``optimus.prompts``).

Templates are loaded by name and filled with ``{{placeholder}}`` substitution (not
``str.format``, so JSON braces in the text need no escaping).

    >>> "{{problem}}" in load_prompt("formulate")
    True
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

NAMES = ("system", "formulate", "repair", "chat_edit", "data")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The text of ``prompts/<name>.md``."""
    resource = files("optimus.prompts") / f"{name}.md"
    if not resource.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} (have {', '.join(NAMES)})")
    return resource.read_text(encoding="utf-8")


def render(name: str, **values: str) -> str:
    """``load_prompt(name)`` with each ``{{key}}`` replaced by ``values[key]``.

    Substitution is single-pass, so a value that itself contains ``{{...}}`` (e.g. text
    written by a user or a model) is left as it is.
    """
    template = load_prompt(name)

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in values:
            raise KeyError(f"prompt {name!r} needs a value for {{{{{key}}}}}")
        return str(values[key])

    return _PLACEHOLDER.sub(sub, template)
