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
        for v in self.meta.get("alt_answers") or []:
            x = parse_answer(v)
            if x is not None:
                out.append(x)
        return out


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


def _rows(text: str, path: Path) -> list[Any]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).",
                            fix="Fix the file, or write one JSON object per line (JSONL).")
        return list(data)
    rows: list[Any] = []
    lines = text.splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            if n == 1 and stripped.startswith("{"):
                try:  # a pretty-printed single JSON object of records
                    data = json.loads(text)
                except json.JSONDecodeError:
                    pass
                else:
                    return _object_rows(data)
            raise UserError(f"{path}, line {n}: not valid JSON ({exc.msg}).",
                            fix="Each line of a .jsonl file must be one complete JSON object.")
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
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{p} is not UTF-8 text.", fix="Pass a JSON or JSONL benchmark file.")
    except OSError as exc:
        raise UserError(f"cannot read {p}: {exc.strerror or exc}",
                        fix="Check the file's permissions.") from None
    stem = p.stem
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(_rows(text, p)):
        prob = parse_row(row, i, stem)
        if prob is None:
            continue
        prob.data = _row_data(prob.meta.pop("data", None), p, prob.id)
        if prob.id in seen:
            seen[prob.id] += 1
            prob.id = f"{prob.id}#{seen[prob.id]}"
        else:
            seen[prob.id] = 1
        problems.append(prob)
    if not problems:
        raise UserError(f"{p} has no usable rows.",
                        fix="Each row needs a question text: `question` (with `answer`), "
                            "`en_question`/`en_answer` or `Question`/`Answer`.")
    return problems


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
