"""The version and the distribution name (``pip install optimus-milp``; the import name
and the command stay ``optimus``)."""

from __future__ import annotations

__version__ = "0.2.0"

#: The name on the package index: ``optimus`` there is an unrelated project.
DISTRIBUTION = "optimus-milp"


def install_extra(extra: str) -> str:
    """The command that installs one of optimus's extras.

    >>> install_extra("anthropic")
    'pip install "optimus-milp[anthropic]"'
    """
    return f'pip install "{DISTRIBUTION}[{extra}]"'
