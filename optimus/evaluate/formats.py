"""Read benchmark files into :class:`Problem` objects.

Accepted shapes, as a JSON array, a JSON object of records, or JSON Lines:

* the normalized format of ../shared/benchmarks: ``{"id", "question", "answer", "meta"}``;
* ORLM-style raw rows: ``{"en_question", "en_answer", ...}``;
* ``{"Question", "Answer", ...}`` rows (and ``question``/``answer`` without an id).

Answers given as text (``"No Best Solution"``, ``"infeasible"``, ``""``) or as the
sentinel ``-99999`` become ``None`` (a null reference); the source value is kept in
``meta.answer_raw``. Extra fields of raw rows are kept in ``meta``.

Example::

    >>> p = parse_row({"en_question": "Maximize x ...", "en_answer": "12.5"}, 0, "orlm")
    >>> p.id, p.answer
    ('orlm-0', 12.5)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimus.errors import UserError

SENTINELS = {-99999.0}
_QUESTION_KEYS = ("question", "en_question", "Question", "problem", "description")
_ANSWER_KEYS = ("answer", "en_answer", "Answer", "objective", "optimal_value")
_ID_KEYS = ("id", "ID", "Id", "index", "idx")


@dataclass
class Problem:
    """One benchmark row: the text, the reference objective and the source's metadata."""

    id: str
    question: str
    answer: float | None
    meta: dict[str, Any] = field(default_factory=dict)
    #: why the row cannot be run (not valid JSON, no question, a question over the text
    #: limit, a malformed ``meta``); such a row becomes a record of category "bad input"
    bad_input: str | None = None
    #: data tables attached to the problem (the row's ``"data"``: paths relative to the
    #: benchmark file, resolved when it is loaded)
    data: list[str] = field(default_factory=list)

    @property
    def answer_unknown(self) -> bool:
        """True when the row's reference is a gap in the labels (left out of accuracy)."""
        return bool(self.meta.get("answer_unknown"))

    @property
    def alt_answers(self) -> list[float]:
        """Alternative references (e.g. the LP optimum of an integer problem)."""
        out = []
        alts = self.meta.get("alt_answers") or []
        if not isinstance(alts, list):
            return out
        for v in alts:
            x = parse_answer(v)
            if x is not None:
                out.append(x)
        return out


def row_problem(row: Any) -> str | None:
    """Why a parsed problem cannot be run, or None: the same checks whatever formulator
    runs it (the offline reader accepts text a model call would refuse)."""
    from optimus.budget import MAX_TEXT_CHARS

    if not isinstance(row, Problem):
        return "not a problem"
    q = row.question
    if len(q) > MAX_TEXT_CHARS:
        return f"the question has {len(q):,} characters; the limit is {MAX_TEXT_CHARS:,}"
    try:
        (q + row.id).encode("utf-8")
    except UnicodeEncodeError:
        return "the question or id holds a lone surrogate (not valid Unicode text)"
    alts = row.meta.get("alt_answers")
    if alts is not None and not isinstance(alts, list):
        return f"meta.alt_answers must be a list of numbers, got {type(alts).__name__} {alts!r}"
    return None


def parse_answer(value: Any) -> float | None:
    """A reference objective as a float, or None for "no solution" labels."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("$", "")
        if not text:
            return None
        try:
            x = float(text)
        except ValueError:
            return None  # "No Best Solution", "infeasible", ...
    else:
        return None
    if not math.isfinite(x) or x in SENTINELS:
        return None
    return x


def parse_row(row: Any, position: int, stem: str) -> Problem | None:
    """One record to a :class:`Problem`; None when it has no question text."""
    if not isinstance(row, dict):
        return None
    qkey = next((k for k in _QUESTION_KEYS if isinstance(row.get(k), str) and row[k].strip()),
                None)
    if qkey is None:
        return None
    akey = next((k for k in _ANSWER_KEYS if k in row), None)
    raw_answer = row.get(akey) if akey else None
    ident = next((row[k] for k in _ID_KEYS if k in row and row[k] not in (None, "")), None)
    pid = str(ident) if ident is not None else f"{stem}-{position}"
    meta = dict(row.get("meta") or {}) if isinstance(row.get("meta"), dict) else {}
    for k, v in row.items():
        if k not in (qkey, akey, "meta", "id") and k not in meta:
            meta[k] = v
    answer = parse_answer(raw_answer)
    if akey is None:
        meta.setdefault("answer_unknown", True)  # no label at all: nothing to score
    elif answer is None and raw_answer is not None and "answer_raw" not in meta:
        meta["answer_raw"] = raw_answer
    return Problem(id=pid, question=row[qkey], answer=answer, meta=meta)


class BadRow:
    """A row that could not be decoded (``reason``); it becomes a "bad input" record."""

    def __init__(self, reason: str, line: int | None = None):
        self.reason = reason
        self.line = line


def _loads(text: str, where: str) -> Any:
    from optimus.budget import InputLimitError, loads_json

    try:
        return loads_json(text, where)
    except InputLimitError as exc:
        raise ValueError(str(exc)) from None


def _rows(text: str, path: Path) -> list[Any]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = _loads(text, str(path))
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).",
                            fix="Fix the file, or write one JSON object per line (JSONL).")
        except ValueError as exc:
            raise UserError(f"{exc}.", fix="Fix the file, or write one JSON object per line "
                                           "(JSONL) so that a bad row is only that row.")
        return list(data) if isinstance(data, list) else [data]
    rows: list[Any] = []
    lines = text.splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(_loads(line, f"line {n}"))
        except json.JSONDecodeError as exc:
            if n == 1 and stripped.startswith("{"):
                try:  # a pretty-printed single JSON object of records
                    data = _loads(text, str(path))
                except ValueError:
                    pass
                else:
                    return _object_rows(data)
            rows.append(BadRow(f"line {n} is not valid JSON ({exc.msg})", n))
        except ValueError as exc:
            rows.append(BadRow(str(exc), n))
    if len(rows) == 1 and isinstance(rows[0], dict) and not _looks_like_row(rows[0]):
        return _object_rows(rows[0])
    return rows


def _looks_like_row(d: dict[str, Any]) -> bool:
    return any(k in d for k in _QUESTION_KEYS)


def _object_rows(data: Any) -> list[Any]:
    if isinstance(data, dict) and not _looks_like_row(data):
        out = []
        for key, value in data.items():  # {"0": {...}, "1": {...}}
            if isinstance(value, dict):
                value = dict(value)
                value.setdefault("id", key)
            out.append(value)
        return out
    return [data]


def load_problems(path: str | Path) -> list[Problem]:
    """Read a benchmark file (JSON array/object or JSONL) into problems.

    Raises :class:`UserError` for a missing file, invalid JSON (naming the line) or a
    file with no usable rows. Duplicate ids get a ``#2``, ``#3`` ... suffix.
    """
    p = Path(path)
    if not p.exists():
        raise UserError(f"No such file: {p}", fix="Pass the path of a .jsonl or .json benchmark file.")
    if p.is_dir():
        raise UserError(f"{p} is a directory, not a benchmark file.",
                        fix="Pass the path of a .jsonl or .json file.")
    from optimus.budget import InputLimitError, decode_utf8, read_limited

    try:
        if p.is_char_device() or p.is_block_device():
            raise InputLimitError(f"{p} is a device, not a benchmark file")
        text = decode_utf8(read_limited(p), str(p))
    except InputLimitError as exc:
        raise UserError(f"{exc}.", fix="Pass a UTF-8 JSON or JSONL benchmark file.") from None
    except OSError as exc:
        raise UserError(f"cannot read {p}: {exc.strerror or exc}",
                        fix="Check the file's permissions.") from None
    stem = p.stem
    problems: list[Problem] = []
    for i, row in enumerate(_rows(text, p)):
        problems.append(_problem(row, i, stem, p))
    if not any(prob.bad_input is None for prob in problems):
        first = next((prob.bad_input for prob in problems), None)
        raise UserError(f"{p} has no usable rows" + (f" (the first: {first})" if first else "")
                        + ".",
                        fix="Each row needs a question text: `question` (with `answer`), "
                            "`en_question`/`en_answer` or `Question`/`Answer`.")
    unique_ids(problems)
    return problems


def _problem(row: Any, position: int, stem: str, bench: Path) -> Problem:
    """The row as a problem; a row that cannot be run as a problem with ``bad_input``."""
    ident = None
    if isinstance(row, dict):
        ident = next((row[k] for k in _ID_KEYS if k in row and row[k] not in (None, "")), None)
    pid = str(ident) if ident is not None else f"{stem}-{position}"
    if isinstance(row, BadRow):
        return Problem(id=pid, question="", answer=None, meta={"answer_unknown": True},
                       bad_input=row.reason)
    try:
        prob = parse_row(row, position, stem)
    except Exception as exc:  # noqa: BLE001 - a malformed row is recorded, never fatal
        prob, why = None, f"the row cannot be read ({type(exc).__name__}: {exc})"
    else:
        why = "the row has no question text (question, en_question or Question)" \
            if isinstance(row, dict) else f"the row is a {type(row).__name__}, not an object"
    if prob is None:
        return Problem(id=pid, question="", answer=None, meta={"answer_unknown": True},
                       bad_input=why)
    try:
        prob.data = _row_data(prob.meta.pop("data", None), bench, prob.id)
    except UserError as exc:
        prob.bad_input = exc.message
        return prob
    prob.bad_input = row_problem(prob)
    return prob


def unique_ids(problems: list[Problem]) -> None:
    """Give every problem its own id: a repeated id gets ``#2``, ``#3`` ..., skipping any
    id that another row of the file has (``a, a, a#2`` -> ``a, a#3, a#2``)."""
    given = {prob.id for prob in problems}
    taken: set[str] = set()
    for prob in problems:
        if prob.id not in taken:
            taken.add(prob.id)
            continue
        n = 2
        while f"{prob.id}#{n}" in taken or f"{prob.id}#{n}" in given:
            n += 1
        prob.id = f"{prob.id}#{n}"
        taken.add(prob.id)


def _row_data(value: Any, bench: Path, pid: str) -> list[str]:
    """A row's ``"data"``: a list of paths (or ``NAME=path``) relative to the benchmark
    file, made absolute."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise UserError(f"{bench}: row {pid!r}: `data` must be a list of file paths.",
                        fix='For example "data": ["data/cost.csv", "data/supply.csv"].')
    out = []
    for v in value:
        name, sep, path = v.partition("=") if "=" in v else ("", "", v)
        full = Path(path)
        if not full.is_absolute():
            full = bench.resolve().parent / full
        out.append(f"{name}={full}" if sep else str(full))
    return out


def select(problems: list[Problem], ids: list[str] | None = None,
           limit: int | None = None) -> list[Problem]:
    """Keep the problems named in ``ids`` (in file order), then the first ``limit``."""
    if ids:
        known = {p.id for p in problems}
        unknown = [i for i in ids if i not in known]
        if unknown:
            sample = ", ".join(p.id for p in problems[:3])
            raise UserError(f"Unknown id(s): {', '.join(unknown)}.",
                            fix=f"Use ids from the file (e.g. {sample}).")
        wanted = set(ids)
        problems = [p for p in problems if p.id in wanted]
    if limit is not None:
        if limit < 1:
            raise UserError(f"--limit must be at least 1 (got {limit}).")
        problems = problems[:limit]
    return problems
