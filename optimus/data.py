"""Concrete data of a formulation: canonical set elements and parameter tables.

Set elements become canonical Python values (``str``, ``int`` or a tuple of them for
pairs). Parameter tables become ``{key tuple: float}`` dicts, read from inline entries or
from CSV/JSON data files. Problems are reported as :class:`~optimus.issues.Issue` objects,
never raised, so that :func:`optimus.checks.check` can list them all.
"""

from __future__ import annotations

import csv
import json
import math
from itertools import islice, product
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from optimus.budget import MAX_TABLE
from optimus.expressions import canonical
from optimus.issues import Issue
from optimus.tables import EntryList

if TYPE_CHECKING:
    from optimus.formulation import Formulation, Parameter

_MAX_TABLE = MAX_TABLE


def element(value: Any) -> Any:
    """Canonical form of a set element as written in a formulation."""
    if isinstance(value, list):
        return tuple(element(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_sets(f: Formulation, issues: list[Issue]) -> dict[str, list[Any]]:
    sets: dict[str, list[Any]] = {}
    for s in f.sets:
        elems = [element(e) for e in s.elements]
        seen: set = set()
        dups = []
        for e in elems:
            if e in seen:
                dups.append(e)
            seen.add(e)
        if dups:
            issues.append(Issue(
                "duplicate_element", f"set {s.name}", s.name,
                f"set `{s.name}` lists {', '.join(repr(d) for d in dups[:5])} more than once",
                "List each element once."))
            elems = list(dict.fromkeys(elems))
        widths = {len(e) if isinstance(e, tuple) else 1 for e in elems}
        if len(widths) > 1:
            issues.append(Issue(
                "mixed_elements", f"set {s.name}", s.name,
                f"set `{s.name}` mixes single elements and tuples of different lengths",
                "Make every element a single value, or every element a pair (a list of 2)."))
        sets[s.name] = elems
    return sets


def index_keys(index: list[str], sets: dict[str, list[Any]]) -> Iterable[tuple]:
    """All flattened key tuples of the product of the named sets."""
    plain = [sets.get(name, []) for name in index]
    if not any(isinstance(e, tuple) for elems in plain for e in elems[:1]):
        # every element is a single value (sets never mix widths): no flattening needed
        yield from product(*plain)
        return
    pools = []
    for name in index:
        pools.append([e if isinstance(e, tuple) else (e,) for e in sets.get(name, [])])
    for combo in product(*pools):
        key: tuple = ()
        for part in combo:
            key += part
        yield key


def _canon_key(raw: list[Any], index: list[str], sets: dict[str, list[Any]],
               members: dict[str, set]) -> tuple | None:
    """Match a record's index to the index sets; None when it does not fit."""
    raw = [element(r) for r in raw]
    out: list[Any] = []
    pos = 0
    for name in index:
        elems = sets.get(name, [])
        width = len(elems[0]) if elems and isinstance(elems[0], tuple) else 1
        if width == 1:
            if pos >= len(raw):
                return None
            v = raw[pos]
            if isinstance(v, tuple) and len(v) == 1:
                v = v[0]
            out.append(canonical(v, members.get(name, set())))
            pos += 1
        else:  # a tuple element may be given flat or as one nested list
            if pos < len(raw) and isinstance(raw[pos], tuple):
                out.extend(raw[pos])
                pos += 1
            else:
                out.extend(raw[pos:pos + width])
                pos += width
    if pos != len(raw):
        return None
    return tuple(out)


def _key_in_sets(key: tuple, index: list[str], sets: dict[str, list[Any]],
                 members: dict[str, set] | None = None) -> tuple[bool, str | None]:
    pos = 0
    for name in index:
        elems = sets.get(name, [])
        width = len(elems[0]) if elems and isinstance(elems[0], tuple) else 1
        part = key[pos:pos + width]
        value = part[0] if width == 1 else tuple(part)
        pool = members[name] if members is not None and name in members else set(elems)
        if value not in pool:
            return False, name
        pos += width
    return True, None


def read_records(p: Parameter, base_dir: Path, issues: list[Issue]
                 ) -> list[tuple[Sequence[Any], float]] | float | None:
    """Read a parameter's data file: a list of (index values as a list or tuple, value)
    or a scalar."""
    assert p.data is not None
    path = Path(p.data.path)
    if not path.is_absolute():
        path = base_dir / path
    where = f"parameter {p.name}"
    if not path.exists():
        issues.append(Issue("data_file", where, p.name, f"data file {p.data.path!r} of "
                            f"parameter `{p.name}` not found (looked in {path.parent})",
                            "Give a path relative to the model file."))
        return None
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            if not rows:
                raise ValueError("the file is empty")
            header = [h.strip() for h in rows[0]]
            col = p.data.column or (p.name if p.name in header else header[-1])
            if col not in header:
                raise ValueError(f"no column {col!r} (columns: {', '.join(header)})")
            vi = header.index(col)
            idx_cols = [header.index(n) if n in header else i for i, n in enumerate(p.index)]
            return _csv_records(rows, vi, idx_cols)
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                key = p.data.column or p.name
                if key not in data:
                    raise ValueError(f"no key {key!r}")
                data = data[key]
            if isinstance(data, (int, float)):
                return float(data)
            return [(list(r["index"]) if isinstance(r["index"], list) else [r["index"]],
                     float(r["value"])) for r in data]
        raise ValueError("use a .csv or .json file")
    except RecursionError:
        issues.append(Issue("data_file", where, p.name,
                            f"data file {p.data.path!r} of `{p.name}` nests deeper than the "
                            f"JSON decoder allows (about 1,000 levels)",
                            "Write a flat list of {\"index\": [...], \"value\": v} records."))
        return None
    except (ValueError, KeyError, TypeError, OSError, json.JSONDecodeError) as exc:
        issues.append(Issue("data_file", where, p.name,
                            f"cannot read data file {p.data.path!r} of `{p.name}`: {exc}",
                            "CSV: one column per index set and a value column; JSON: a list "
                            "of {\"index\": [...], \"value\": v} records."))
        return None


def _csv_records(rows: list[list[str]], vi: int, idx_cols: list[int]
                 ) -> list[tuple[Sequence[Any], float]]:
    """``(index values, value)`` of the data lines (blank lines skipped), column by column:
    each distinct index cell is converted once (files repeat set elements a lot)."""
    fast = _csv_records_full(rows, vi, idx_cols)
    if fast is not None:
        return fast
    data = [(n, r) for n, r in enumerate(rows[1:], start=2) if "".join(r).strip()]
    try:
        values = [float(r[vi]) for _, r in data]
    except (ValueError, IndexError):
        for lineno, row in data:
            try:
                float(row[vi])
            except (ValueError, IndexError):
                raise ValueError(f"line {lineno}: {row[vi] if vi < len(row) else ''!r} "
                                 f"is not a number") from None
        raise  # pragma: no cover - the loop above finds the line
    columns = []
    for i in idx_cols:
        try:
            cells = [r[i] for _, r in data]
        except IndexError:
            short = next(n for n, r in data if len(r) <= i)
            raise ValueError(f"line {short}: missing index column {i + 1}") from None
        convert = {c: _num_or_str(c.strip()) for c in set(cells)}
        columns.append(list(map(convert.__getitem__, cells)))
    keys = [list(k) for k in zip(*columns)] if columns else [[] for _ in data]
    return list(zip(keys, values))


def _csv_records_full(rows: list[list[str]], vi: int, idx_cols: list[int]
                      ) -> list[tuple[Sequence[Any], float]] | None:
    """:func:`_csv_records` for the common file (every line as wide as the header, every
    value a number), column by column without looking at lines one at a time; None for
    anything else (a blank line has a blank value cell, so it lands there too), which
    the line-by-line path then reads or reports."""
    body = rows[1:]
    width = len(rows[0])
    if not body or set(map(len, body)) != {width} or vi >= width \
            or any(i >= width for i in idx_cols):
        return None
    columns = list(zip(*body))
    try:
        values = list(map(float, columns[vi]))
    except ValueError:
        return None
    keys_by_col = []
    for i in idx_cols:
        cells = columns[i]
        convert = {c: _num_or_str(c.strip()) for c in set(cells)}
        keys_by_col.append(map(convert.__getitem__, cells))
    keys = zip(*keys_by_col) if idx_cols else [() for _ in body]  # index tuples
    return list(zip(keys, values))


def _num_or_str(s: str) -> Any:
    if s[:1].isalpha():  # int() cannot parse it: skip the costly exception
        return s
    try:
        return int(s)
    except ValueError:
        return s


def _bulk_table(raws: list[Sequence[Any]], vals: list[float], pools: list[set]
                ) -> dict | None:
    """The table in one go when every record is already canonical and valid (each index
    value a str or int member of its set, every value finite), checked with set
    operations over the distinct values; None sends the caller to the record-by-record
    path that canonicalizes values and reports problems."""
    arity = len(pools)
    keys = list(map(tuple, raws))  # tuple(t) is t itself
    if set(map(len, keys)) - {arity}:
        return None
    for pos, pool in enumerate(pools):
        seen = set(map(itemgetter(pos), keys))
        if not seen <= pool or not all(type(v) is str or type(v) is int for v in seen):
            return None
    values = list(map(float, vals))
    if not all(map(math.isfinite, values)):
        return None
    return dict(zip(keys, values))


def parameter_table(p: Parameter, sets: dict[str, list[Any]], members: dict[str, set],
                    base_dir: Path, issues: list[Issue], *, complete: bool = True) -> Any:
    """Resolve a parameter to a float (scalar) or a ``{key: float}`` table."""
    where = f"parameter {p.name}"
    sources = [x for x in (p.value is not None and not p.index, p.values is not None,
                           p.data is not None) if x]
    for s in p.index:
        if s not in sets:
            from optimus.expressions import suggest
            hint = suggest(s, list(sets))
            issues.append(Issue("unknown_set", where, s,
                                f"parameter `{p.name}` is indexed by unknown set `{s}`"
                                + (f"; did you mean `{hint}`?" if hint else ""),
                                f"Declare set `{s}` or use a declared set name."))
            return None
    if not p.index:
        if p.data is not None:
            got = read_records(p, base_dir, issues)
            if isinstance(got, float):
                return got
            if got is not None:
                issues.append(Issue("data_file", where, p.name,
                                    f"scalar parameter `{p.name}` got a table from its data file",
                                    "Give it an index or point it at a scalar."))
            return None
        if p.value is None:
            issues.append(Issue("missing_value", where, p.name,
                                f"scalar parameter `{p.name}` has no value",
                                f"Set `value` of `{p.name}` to a number."))
            return None
        if not math.isfinite(p.value):
            issues.append(Issue("bad_value", where, p.name, f"parameter `{p.name}` is {p.value}",
                                "Use a finite number."))
            return None
        return float(p.value)
    if not sources:
        if p.default is not None:
            return {}
        issues.append(Issue("missing_value", where, p.name,
                            f"indexed parameter `{p.name}` has no values",
                            "Give `values` as a list of {index, value} records, a data file, "
                            "or a `default`."))
        return None
    # the records as two columns: index values (lists or tuples) and values
    raws: list[Sequence[Any]] = []
    vals: list[float] = []
    if isinstance(p.values, EntryList):  # a large table: its columns, without the models
        keys, values = p.values.columns()
        raws += keys
        vals += values
    elif p.values is not None:
        raws += [e.index for e in p.values]
        vals += [e.value for e in p.values]
    if p.data is not None:
        got = read_records(p, base_dir, issues)
        if got is None:
            return None
        if isinstance(got, float):
            issues.append(Issue("data_file", where, p.name,
                                f"data file of indexed parameter `{p.name}` holds a scalar",
                                "Point it at a table."))
            return None
        raws += map(itemgetter(0), got)
        vals += map(itemgetter(1), got)
    bad: list[str] = []
    pools = [members.get(name, set()) for name in p.index]
    simple = not any(isinstance(e, tuple) for name in p.index for e in sets.get(name, [])[:1])
    arity = len(p.index)
    isfinite = math.isfinite
    bulk = _bulk_table(raws, vals, pools) if simple else None
    table: dict[tuple, float] = {} if bulk is None else bulk
    for raw, value in (zip(raws, vals) if bulk is None else ()):
        if simple and len(raw) == arity:
            # fast path: the record's values are already canonical members (the common case)
            key = tuple(raw)
            for k, pool in zip(key, pools):
                if (type(k) is not str and type(k) is not int) or k not in pool:
                    break
            else:
                if isfinite(value):
                    table[key] = float(value)
                    continue
        key = _canon_key(raw, p.index, sets, members)
        ok, which = (False, None) if key is None else _key_in_sets(key, p.index, sets, members)
        if not ok:
            bad.append(f"{list(raw)!r}"
                       + (f" ({which})" if which else " (wrong number of index values)"))
            continue
        if not math.isfinite(value):
            bad.append(f"{list(raw)!r} (value {value})")
            continue
        table[key] = float(value)
    if bad:
        issues.append(Issue("bad_index", where, p.name,
                            f"parameter `{p.name}` has entries whose index is not in its sets "
                            f"{p.index}: {', '.join(bad[:5])}" + (" ..." if len(bad) > 5 else ""),
                            f"Each entry's index needs one element of each of {p.index}, in order."))
    full = 1
    for name in p.index:
        full *= len(sets.get(name, []))
    # every key in ``table`` is a valid, distinct combination: as many keys as the product
    # of the sets means nothing is missing
    if complete and p.default is None and len(table) < full:
        # every key of ``table`` is valid and distinct: the rest are missing; list the
        # first five without walking the whole product of the sets
        n_missing = full - len(table)
        missing = list(islice((k for k in index_keys(p.index, sets) if k not in table), 5))
        if missing:
            shown = ", ".join("[" + ", ".join(repr(x) for x in k) + "]" for k in missing[:5])
            issues.append(Issue(
                "missing_value", where, p.name,
                f"parameter `{p.name}` has no value for {n_missing:,} index combination(s) of "
                f"{' x '.join(p.index)}: {shown}" + (" ..." if n_missing > 5 else ""),
                f"Add entries for them, or give `{p.name}` a `default` (e.g. 0)."))
    return table
