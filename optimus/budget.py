"""Every limit on the work one input may cause, in one place, and the per-problem deadline.

Each limit is checked *before* the work it bounds (a power is refused before it is
computed, a model before its keys are built) and gives exit 2 with the number found and
the limit. ``docs/limits.md`` lists them; a model reply hits the same limits as a file.

The deadline is cooperative: :func:`deadline` sets a time by which the work of the
current thread must end, and :func:`check_deadline` (called inside the loops that can
run long: building keys and rows, between agent attempts) raises :class:`WorkTimeout`
once it has passed; solver time limits are clipped to the time left
(:func:`time_left`).

Example::

    >>> with deadline(60):
    ...     check_deadline()  # returns: 60 s have not passed
    >>> time_left() is None  # no deadline outside the block
    True
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from pathlib import Path
from typing import Any, Iterator

# --------------------------------------------------------------------------- expressions
#: characters of one expression (constraint, objective or forall)
MAX_EXPRESSION_CHARS = 20_000
#: nesting depth of one expression, after long chains of ``+ - *`` are balanced (a sum
#: of 10,000 terms has depth about 15; ``((((x))))`` nested 10^5 deep is refused)
MAX_EXPRESSION_DEPTH = 100
#: digits of an integer constant in an expression (10^308 is about the largest float)
MAX_INT_DIGITS = 308
#: the largest magnitude of a constant result (a power, a product) in an expression
MAX_CONSTANT = 1e308
#: a coefficient, right-hand side or objective term larger than this in magnitude is
#: refused, naming the term: solvers treat 1e20 as infinity and lose all precision far
#: below that
MAX_COEFFICIENT = 1e15

# --------------------------------------------------------------------------- model size
#: decision variables (columns) of one model
MAX_COLUMNS = 5_000_000
#: constraint rows of one model (the bindings of every forall, estimated from the set sizes
#: before any row is built; filters are not counted, since evaluating them is the work)
MAX_ROWS = 5_000_000
#: nonzero coefficients (terms) of one model, estimated from the set sizes
MAX_NONZEROS = 20_000_000
#: entries of one parameter table
MAX_TABLE = 5_000_000

# --------------------------------------------------------------------------- files and text
#: bytes of a model file (JSON/YAML), a benchmark file or a JSON data file
MAX_FILE_BYTES = 512 * 1024 * 1024
#: nesting depth of JSON in model, data and benchmark files and in model replies: what
#: the decoder allows (about 1,000 levels; YAML's own limit is lower), refused cleanly
MAX_JSON_DEPTH = 1_000
#: digits of an integer in a JSON/YAML file (Python's own limit for int <-> str)
MAX_FILE_INT_DIGITS = 4_300
#: characters of a problem text (``solve``, ``chat``, an eval question)
MAX_TEXT_CHARS = 20_000


class WorkTimeout(Exception):
    """The deadline set by :func:`deadline` passed while work was still running."""


_state = threading.local()


def _current() -> float | None:
    return getattr(_state, "deadline", None)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Work in this block (in this thread) must end within ``seconds`` (None: no limit).

    Nested blocks keep the earlier of the two deadlines."""
    if seconds is None:
        yield
        return
    previous = _current()
    end = time.monotonic() + max(0.0, float(seconds))
    _state.deadline = end if previous is None else min(previous, end)
    try:
        yield
    finally:
        _state.deadline = previous


def set_deadline(end: float | None) -> None:
    """Set this thread's deadline to the monotonic time ``end`` (None: clear it); for a
    worker thread that takes over the deadline of the thread that started it."""
    _state.deadline = end


def current_deadline() -> float | None:
    """This thread's deadline as a monotonic time, or None."""
    return _current()


def time_left() -> float | None:
    """Seconds until this thread's deadline (at least 0), or None without one."""
    end = _current()
    return None if end is None else max(0.0, end - time.monotonic())


def check_deadline() -> None:
    """Raise :class:`WorkTimeout` if this thread's deadline has passed."""
    end = getattr(_state, "deadline", None)
    if end is not None and time.monotonic() > end:
        raise WorkTimeout("the time limit for this problem passed while it was being built")


# --------------------------------------------------------------------------- reading input
class InputLimitError(ValueError):
    """An input file or text is beyond a limit (size, nesting, digits, not UTF-8)."""


def read_limited(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, reading at most ``limit`` + 1 (so ``/dev/zero`` or an endless
    pipe ends at once); :class:`InputLimitError` beyond ``limit``."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputLimitError(f"{path} is larger than the limit of {limit:,} bytes")
    return data


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` as UTF-8 text; :class:`InputLimitError` naming the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputLimitError(f"{source} is not UTF-8 text (byte {exc.start + 1:,} cannot "
                              f"be decoded)") from None


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads_json(text: str, source: str = "input") -> Any:
    """``json.loads`` with its limits as :class:`InputLimitError`: nesting beyond the
    decoder's depth (about :data:`MAX_JSON_DEPTH`), integers over
    :data:`MAX_FILE_INT_DIGITS` digits, lone surrogates (``"\\ud800"``) that no output
    could encode. Syntax errors stay :class:`json.JSONDecodeError`."""
    try:
        data = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError:
        raise
    except DuplicateKeyError as exc:
        raise DuplicateKeyError(f"{source}: {exc}") from None
    except RecursionError:
        raise InputLimitError(f"{source} nests JSON deeper than about {MAX_JSON_DEPTH:,} "
                              f"levels") from None
    except ValueError as exc:  # int digits
        raise InputLimitError(f"{source}: {str(exc).split(';')[0]}") from None
    if _SURROGATE_ESCAPE.search(text):
        where = lone_surrogate(data)
        if where is not None:
            raise InputLimitError(f"{source} holds a lone surrogate (an escape such as "
                                  f"\\ud800 that is not a character) in {where}")
    return data


class DuplicateKeyError(InputLimitError):
    """A JSON object with one key twice (``json`` keeps the last one silently)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) < len(pairs):
        seen: dict[str, Any] = {}
        for k, v in pairs:
            if k in seen:
                raise DuplicateKeyError(f"the key {k!r} appears twice in one object (values "
                                        f"{_short(seen[k])} and {_short(v)}); keep one")
            seen[k] = v
    return out


def _short(v: Any) -> str:
    text = json.dumps(v) if isinstance(v, (int, float, str, bool)) or v is None else "..."
    return text if len(text) <= 40 else text[:37] + "..."


def lone_surrogate(data: Any) -> str | None:
    """Where ``data`` (decoded JSON/YAML) holds a string that is not valid Unicode text
    (a lone surrogate), as a path such as ``variables[0].name``; None when it holds none."""
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return path or "(top level)"
        elif isinstance(value, dict):
            for k, v in value.items():
                stack.append((k, f"{path}.{k}" if path else str(k)))
                stack.append((v, f"{path}.{k}" if path else str(k)))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
    return None
