"""Concrete data of a formulation: canonical set elements and parameter tables.

Set elements become canonical Python values (``str``, ``int`` or a tuple of them for
pairs), listed, read from a table column or given as an integer range. Parameter tables
become ``{key tuple: float}`` dicts, read from inline entries or from data files (CSV,
TSV, Excel, JSON, Parquet through :mod:`optimus.datafiles`, column by column). Problems
are reported as :class:`~optimus.issues.Issue` objects, never raised, so that
:func:`optimus.checks.check` can list them all; a data file's issue names its file, row
and column.
"""

from __future__ import annotations

import math
from itertools import islice, product
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import numpy as np

from optimus.budget import MAX_TABLE
from optimus.datafiles import DataError, Table, TableStore, _columns_list, shown_name
from optimus.expressions import canonical
from optimus.issues import Issue
from optimus.tables import ArrayTable, EntryList

if TYPE_CHECKING:
    from optimus.formulation import Formulation, Parameter, SetDef

_MAX_TABLE = MAX_TABLE


def element(value: Any) -> Any:
    """Canonical form of a set element as written in a formulation."""
    if isinstance(value, list):
        return tuple(element(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_sets(f: Formulation, issues: list[Issue],
                   store: TableStore | None = None) -> dict[str, list[Any]]:
    sets: dict[str, list[Any]] = {}
    for s in f.sets:
        given = [x for x in (s.elements is not None, s.data is not None, s.range is not None) if x]
        if len(given) != 1:
            issues.append(Issue(
                "set_source", f"set {s.name}", s.name,
                f"set `{s.name}` " + ("has no elements" if not given else
                                      "gives more than one of elements, data and range"),
                "Give exactly one of `elements` (a list), `data` ({path, column}) or "
                "`range` ([first, last])."))
            sets[s.name] = []
            continue
        if s.elements is None:
            try:
                sets[s.name] = set_elements(s, store or table_store(f))
            except DataError as exc:
                issues.append(_data_issue(f"set {s.name}", s.name, exc))
                sets[s.name] = []
            continue
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
        return product(*plain)
    return _flat_keys(index, sets)


def _flat_keys(index: list[str], sets: dict[str, list[Any]]) -> Iterable[tuple]:
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


def table_store(f: Formulation) -> TableStore:
    """Where ``f``'s data paths are read from: its attached tables, or its folder."""
    return TableStore(f.base_dir, f.attachments)


def _as_store(source: "Path | TableStore") -> TableStore:
    return source if isinstance(source, TableStore) else TableStore(Path(source))


def _data_issue(where: str, symbol: str, exc: DataError) -> Issue:
    return Issue("data_file", where, symbol, exc.message, exc.fix or "Fix the data file.")


def set_elements(s: SetDef, store: TableStore) -> list[Any]:
    """The elements of a set given by ``data`` (distinct values in file order) or by
    ``range`` (``[first, last]``, both included); raises :class:`DataError`."""
    if s.range is not None:
        r = s.range
        if len(r) not in (2, 3) or (len(r) == 3 and r[2] <= 0):
            raise DataError(f"set `{s.name}`: range must be [first, last] (or [first, last, step] "
                            f"with a positive step), got {r}.", fix="For example range: [1, 52].")
        step = r[2] if len(r) == 3 else 1
        if r[1] < r[0]:
            raise DataError(f"set `{s.name}`: range [{r[0]}, {r[1]}] is empty (last below first).",
                            fix="Give [first, last] with first <= last.")
        if (r[1] - r[0]) // step + 1 > _MAX_TABLE:
            raise DataError(f"set `{s.name}`: range {r} has more than {_MAX_TABLE:,} elements.",
                            fix="Use a smaller range.")
        return list(range(r[0], r[1] + 1, step))
    ref = s.data
    assert ref is not None
    t = store.table(ref.path, ref.sheet)
    if ref.index_columns:
        cols = list(ref.index_columns)
    elif ref.column:
        cols = [ref.column]
    else:
        cols = [s.name] if s.name in t.columns else t.columns[:1]
    if not cols:
        raise DataError(f"{t.name} has no columns.", fix="Write a header line and the data rows.")
    what = f"elements of set `{s.name}`"
    if len(cols) == 1:
        codes, uniq = t.keys(cols[0], what)
        return list(uniq)
    parts = []
    for c in cols:
        codes, uniq = t.keys(c, what)
        parts.append(map(uniq.__getitem__, codes.tolist()))
    return list(dict.fromkeys(zip(*parts)))


def _width(name: str, sets: dict[str, list[Any]]) -> int:
    elems = sets.get(name, [])
    return len(elems[0]) if elems and isinstance(elems[0], tuple) else 1


_KEY_NAMES = ("parameter_name", "parameter", "name", "key", "param")


def _scalar_cell(t: Table, row: int, column: str) -> float:
    """One cell as a finite float (DataError naming it otherwise)."""
    import pandas as pd

    raw = t.column(column, "value").iloc[row]
    value = pd.to_numeric(pd.Series([raw]), errors="coerce").iloc[0]
    if raw is None or (isinstance(raw, str) and not raw.strip()) or \
            (isinstance(raw, float) and math.isnan(raw)):
        raise DataError(f"{t.at(row, column)}: the cell is empty.", fix="Fill in a number.")
    if pd.isna(value) or not math.isfinite(float(value)):
        raise DataError(f"{t.at(row, column)}: the cell is not a finite number.",
                        fix="Write a plain number such as 12.5 (no units or thousands separators).")
    return float(value)


def _scalar_from_file(p: Parameter, t: Table) -> float:
    ref = p.data
    assert ref is not None
    cols = t.columns
    if ref.key is not None:
        kcol = ref.key_column or next((c for c in cols if c.lower() in _KEY_NAMES), cols[0] if cols else "")
        codes, uniq = t.keys(kcol, f"keys of `{p.name}`")
        want = str(ref.key).strip()
        hits = [j for j, u in enumerate(uniq) if str(u) == want]
        if not hits:
            hits = [j for j, u in enumerate(uniq) if str(u).lower() == want.lower()]
        if not hits:
            raise DataError(f"{t.name}: no row whose column {shown_name(kcol)} holds {want!r} "
                            f"(the key of scalar parameter `{p.name}`).",
                            fix="Use a key of that column, or name the key column with `key_column`.")
        rows = np.flatnonzero(codes == hits[0])
        if len(rows) > 1:
            raise DataError(f"{t.name}: key {want!r} appears twice in column {shown_name(kcol)} "
                            f"({t.row_label(int(rows[0]))} and {t.row_label(int(rows[1]))}).",
                            fix="Keep one row per key.")
        if ref.column:
            vcol = ref.column
        else:
            others = [c for c in cols if c != kcol]
            vcol = next((c for c in others if c.lower() == "value"), others[0] if others else "")
        return _scalar_cell(t, int(rows[0]), vcol)
    if t.legacy == 0:
        return _scalar_cell(t, 0, "value")
    vcol = ref.column or (p.name if p.name in cols else (cols[-1] if cols else ""))
    if t.rows != 1:
        raise DataError(f"{t.name} has {t.rows} rows; scalar parameter `{p.name}` reads one cell.",
                        fix="Give `key` (and `key_column`) to pick the row of a key-value table.")
    return _scalar_cell(t, 0, vcol)


def _table_from_file(p: Parameter, t: Table, sets: dict[str, list[Any]],
                     members: dict[str, set]) -> dict[tuple, float]:
    """An indexed parameter's ``{key: value}`` from a table, checked column by column:
    every key cell an element of its set, no key twice; raises :class:`DataError`."""
    ref = p.data
    assert ref is not None
    widths = [_width(name, sets) for name in p.index]
    need = sum(widths)
    cols = t.columns
    if ref.index_columns is not None:
        idx_cols = list(ref.index_columns)
        if len(idx_cols) != need:
            raise DataError(f"`{p.name}` is indexed by {p.index} ({need} key column(s)) but "
                            f"index_columns names {len(idx_cols)}.",
                            fix="List one key column per index set, in the order of `index`.")
    elif t.legacy:
        idx_cols = [f"index_{k + 1}" for k in range(t.legacy)]
    elif all(w == 1 for w in widths) and all(name in cols for name in p.index):
        idx_cols = list(p.index)
    else:
        idx_cols = cols[:need]
    if t.legacy:
        vcol = "value"
    else:
        vcol = ref.column or (p.name if p.name in cols else next(
            (c for c in reversed(cols) if c not in idx_cols), ""))
    if len(idx_cols) != need or vcol in idx_cols:
        raise DataError(f"{t.name} has {_columns_list(cols)}: too few for the {need} key "
                        f"column(s) and the value column of `{p.name}`.",
                        fix="Name them with `index_columns` and `column`.")
    values = t.numbers(vcol, f"values of `{p.name}`")
    if all(w == 1 for w in widths):
        dense = _dense_from_file(p, t, idx_cols, values, sets, members)
        if dense is not None:
            return dense
    key_cols: list[list[Any]] = []
    pos = 0
    for name, width in zip(p.index, widths):
        group = idx_cols[pos:pos + width]
        pos += width
        pool = members.get(name, set())
        decoded = []
        for c in group:
            codes, uniq = _member_keys(t, c, p.name, name, pool) if width == 1 else \
                t.keys(c, f"keys of `{p.name}`")
            decoded.append(list(map(uniq.__getitem__, codes.tolist())))
        if width > 1:
            for i, k in enumerate(zip(*decoded)):
                if k not in pool:
                    raise DataError(f"{t.at(i, group[0])}: the pair in columns {group} is not an "
                                    f"element of set `{name}`.",
                                    fix=f"Use elements of `{name}` in those columns.")
        key_cols.extend(decoded)
    keys = list(zip(*key_cols)) if key_cols else [() for _ in range(t.rows)]
    table = dict(zip(keys, values.tolist()))
    if len(table) < len(keys):
        seen: dict[tuple, int] = {}
        for i, k in enumerate(keys):
            if k in seen:
                _duplicate(p, t, seen[k], i, k, values)
            seen[k] = i
    return table


def _member_keys(t: Table, column: str, pname: str, set_name: str, pool: set
                 ) -> tuple[np.ndarray, list[Any]]:
    """A key column's codes and distinct values, each matched to an element of its set."""
    codes, uniq = t.keys(column, f"keys of `{pname}`")
    fixed = [canonical(u, pool) for u in uniq]
    bad = [j for j, u in enumerate(fixed) if u not in pool]
    if bad:
        row = int(np.flatnonzero(codes == bad[0])[0])
        raise DataError(f"{t.at(row, column)}: the key is not an element of set `{set_name}`"
                        + (f" ({len(bad)} such keys)" if len(bad) > 1 else "") + ".",
                        fix=f"Use elements of `{set_name}` in that column, or fix the set.")
    return codes, fixed


def _duplicate(p: Parameter, t: Table, first: int, second: int, key: tuple,
               values: np.ndarray) -> None:
    shown = ", ".join(str(x) for x in key)
    raise DataError(f"{t.name}: {t.row_label(first)} and {t.row_label(second)} give the same key "
                    f"[{shown}] of `{p.name}` (values {values[first]:g} and {values[second]:g}).",
                    fix="Keep one row per key (sum or drop the duplicates).")


def _duplicate_entry(p: Parameter, raws: list[Sequence[Any]], vals: list[float],
                     sets: dict[str, list[Any]], members: dict[str, set]) -> Issue:
    """The issue for the first index that two inline entries of ``p`` both give."""
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(raws):
        key = _canon_key(raw, p.index, sets, members)
        if key is None:
            continue
        if key in seen:
            j = seen[key]
            shown = ", ".join(repr(x) for x in key)
            return Issue("duplicate_key", f"parameter {p.name}", p.name,
                         f"parameter `{p.name}` lists the index [{shown}] twice: entry {j + 1} "
                         f"gives {vals[j]:g} and entry {i + 1} gives {vals[i]:g}",
                         "Keep one entry per index (sum them or drop one).")
        seen[key] = i
    raise AssertionError("no duplicate entry")  # the caller saw fewer keys than entries


_DENSE_CELLS = 1 << 24  # the largest dense array a file table becomes (else a dict)


def _dense_from_file(p: Parameter, t: Table, idx_cols: list[str], values: np.ndarray,
                     sets: dict[str, list[Any]], members: dict[str, set]) -> ArrayTable | None:
    """The table as an :class:`ArrayTable` (a dense array over the index sets, built with
    numpy from the key columns' codes), or None when the product of the sets is much
    larger than the file (a sparse table: a dict)."""
    shape = tuple(len(sets.get(name, [])) for name in p.index)
    size = math.prod(shape)
    if not p.index or size > max(4 * t.rows, 1024) or size > _DENSE_CELLS:
        return None
    positions = []
    where = []
    for name, c in zip(p.index, idx_cols):
        codes, fixed = _member_keys(t, c, p.name, name, members.get(name, set()))
        pos = {e: i for i, e in enumerate(sets[name])}
        upos = np.fromiter(map(pos.__getitem__, fixed), dtype=np.intp, count=len(fixed))
        positions.append(pos)
        where.append(upos[codes])
    flat = np.ravel_multi_index(tuple(where), shape) if where else np.zeros(t.rows, dtype=np.intp)
    counts = np.bincount(flat, minlength=size)
    if counts.max(initial=0) > 1:
        order = np.argsort(flat, kind="stable")
        sorted_flat = flat[order]
        k = int(np.flatnonzero(sorted_flat[1:] == sorted_flat[:-1])[0])
        i, j = sorted(int(x) for x in (order[k], order[k + 1]))
        key = tuple(sets[name][int(w[i])] for name, w in zip(p.index, where))
        _duplicate(p, t, i, j, key, values)
    array = np.full(size, np.nan)
    array[flat] = values
    return ArrayTable(array.reshape(shape), list(p.index), [sets[n] for n in p.index], positions)


def read_records(p: Parameter, source: "Path | TableStore", issues: list[Issue],
                 sets: dict[str, list[Any]] | None = None,
                 members: dict[str, set] | None = None) -> dict[tuple, float] | float | None:
    """A parameter's data: a float (scalar) or a checked ``{key: value}`` table; None
    after adding an issue."""
    assert p.data is not None
    store = _as_store(source)
    where = f"parameter {p.name}"
    try:
        sheet = p.data.sheet
        if sheet is None and Path(p.data.path).suffix.lower() == ".json":
            # an object of tables keyed by parameter name (optimus' JSON format)
            tables = store.tables(p.data.path)
            if len(tables) > 1:
                sheet = next((k for k in (p.data.column, p.name) if k in tables), None)
        t = store.table(p.data.path, sheet)
        if not p.index:
            return _scalar_from_file(p, t)
        return _table_from_file(p, t, sets or {}, members or {})
    except DataError as exc:
        issues.append(_data_issue(where, p.name, exc))
        return None


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
    if str in set(map(type, vals)):
        return None  # texts (a lookup table): record by record
    values = list(map(float, vals))
    if not all(map(math.isfinite, values)):
        return None
    return dict(zip(keys, values))


def parameter_table(p: Parameter, sets: dict[str, list[Any]], members: dict[str, set],
                    source: "Path | TableStore", issues: list[Issue], *,
                    complete: bool = True) -> Any:
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
            return read_records(p, source, issues)
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
    from_file: dict[tuple, float] | None = None
    if p.data is not None:
        got = read_records(p, source, issues, sets, members)
        if not isinstance(got, dict):
            return None
        from_file = got
    bad: list[str] = []
    pools = [members.get(name, set()) for name in p.index]
    simple = not any(isinstance(e, tuple) for name in p.index for e in sets.get(name, [])[:1])
    arity = len(p.index)
    isfinite = math.isfinite
    bulk = _bulk_table(raws, vals, pools) if simple else None
    table: dict[tuple, float] = {} if bulk is None else bulk
    accepted = len(table)
    for raw, value in (zip(raws, vals) if bulk is None else ()):
        if simple and len(raw) == arity:
            # fast path: the record's values are already canonical members (the common case)
            key = tuple(raw)
            for k, pool in zip(key, pools):
                if (type(k) is not str and type(k) is not int) or k not in pool:
                    break
            else:
                if type(value) is str:
                    table[key] = value
                    continue
                if isfinite(value):
                    table[key] = float(value)
                    accepted += 1
                    continue
        key = _canon_key(raw, p.index, sets, members)
        ok, which = (False, None) if key is None else _key_in_sets(key, p.index, sets, members)
        if not ok:
            bad.append(f"{list(raw)!r}"
                       + (f" ({which})" if which else " (wrong number of index values)"))
            continue
        if type(value) is str:
            table[key] = value
            continue
        if not math.isfinite(value):
            bad.append(f"{list(raw)!r} (value {value})")
            continue
        table[key] = float(value)
        accepted += 1
    if len(table) < accepted if bulk is None else len(bulk) < len(raws):
        issues.append(_duplicate_entry(p, raws, vals, sets, members))
        return None
    if from_file is not None:  # checked already; its records override inline ones
        if table:
            table.update(from_file)
        else:
            table = from_file
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
