"""Data tables read from files or given as pandas DataFrames, safely and column by column.

Formats (by suffix): CSV (``.csv``), TSV (``.tsv``, ``.tab``), Excel (``.xlsx``, each
sheet a table), JSON records (``.json``: a list of ``{column: value}`` objects, or an
object mapping table names to such lists) and Parquet (``.parquet``, ``.pq``). pandas
reads them (with pyarrow for Parquet and openpyxl for Excel); this module adds what a
model needs on top:

* **Safe opening** (:func:`open_data_file`): a data path must name a regular file (not
  a directory, FIFO, device or socket), hold no NUL character, resolve without a
  symlink loop and be at most :data:`MAX_DATA_BYTES`; the file is opened once and
  checked on the open descriptor, so it cannot be swapped for a FIFO in between.
* **Limits**: at most :data:`MAX_TABLE_ROWS` rows and :data:`MAX_TABLE_COLUMNS` columns
  per table, :data:`MAX_CELL_CHARS` characters per cell that a model uses.
* **Errors that name file, row and column** (:class:`DataError`), and never echo the
  file's text: a wrong cell is located, not quoted (a data path may point at a file
  whose contents are private). Numbers read from the file (two values of a duplicated
  key) and names the formulation already knows (set elements) may be shown.
* **Vectorized conversion** of a column to float64 values (:meth:`Table.numbers`) or to
  canonical set elements (:meth:`Table.keys`: ``int`` where the cell is an integer, else
  the stripped text), each distinct cell converted once.

:class:`TableStore` resolves a formulation's ``data.path`` against the model file's
folder, or, when tables are attached to a problem stated in words
(:class:`Attachments`), against the attached names only; it caches each file once per
check.

Row numbers: CSV/TSV say ``line N`` (the header is line 1, blank lines count), Excel
``row N`` (the header is row 1), JSON ``record N`` and Parquet ``row N`` (from 1).
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np

from optimus.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DataError", "Table", "Attachments", "TableStore", "open_data_file", "read_tables",
           "describe", "describe_table",
           "FORMATS", "MAX_DATA_BYTES", "MAX_TABLE_ROWS", "MAX_TABLE_COLUMNS", "MAX_CELL_CHARS"]

MAX_DATA_BYTES = 512 * 2**20  # one data file
MAX_TABLE_ROWS = 5_000_000  # the largest parameter table a model may hold
MAX_TABLE_COLUMNS = 5_000
MAX_CELL_CHARS = 1_000  # a set element or key read from a file
MAX_SHEETS = 100

#: suffix -> format
FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".json": "json", ".parquet": "parquet", ".pq": "parquet"}
_FIX_FORMAT = "Use a .csv, .tsv, .xlsx, .json (records) or .parquet file."
_PLAIN_HEADER = re.compile(r"^[\w .%()/#+-]{1,64}$")


class DataError(UserError):
    """Bad data: the message names the file, and the row and column where there is one."""


def shown_name(name: object, limit: int = 64) -> str:
    """A column, sheet or file name for a message: quoted, control characters replaced,
    cut at ``limit``. Names that do not look like headers are not shown at all."""
    text = str(name)
    if not _PLAIN_HEADER.match(text):
        return "(an unnamed column)" if not text.strip() else f"(a column of {len(text)} characters)"
    return repr(text[:limit])


def _columns_list(columns: Iterable[object], limit: int = 20) -> str:
    cols = [str(c) for c in columns]
    plain = [c for c in cols if _PLAIN_HEADER.match(c)]
    if len(plain) < len(cols):  # a header that is not a header: a file that is not a table
        return f"{len(cols)} column(s)"
    more = f", ... ({len(cols)} in all)" if len(cols) > limit else ""
    return "columns " + ", ".join(cols[:limit]) + more


# --------------------------------------------------------------------------- opening
def open_data_file(path: str | Path, label: str | None = None) -> bytes:
    """The bytes of a data file, after checking that it is a regular file within the
    size limit; raises :class:`DataError` (naming ``label``, default the path)."""
    label = label or str(path)
    text = str(path)
    if "\0" in text:
        raise DataError(f"data file path {label!r} contains a NUL character.",
                        fix="Give the path of a data file.")
    fix = "Give the path of a regular data file (CSV, TSV, Excel, JSON or Parquet)."
    try:
        fd = os.open(text, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        where = Path(text).parent
        raise DataError(f"data file {label} not found (looked in {where}).",
                        fix="Check the path; relative paths are read from the model file's folder.") from None
    except IsADirectoryError:
        raise DataError(f"data file {label} is a directory.", fix=fix) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataError(f"data file {label} is a symbolic link that loops.", fix=fix) from None
        raise DataError(f"cannot open data file {label}: {exc.strerror or 'error'}.", fix=fix) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise DataError(f"data file {label} is a directory.", fix=fix)
        if not stat.S_ISREG(st.st_mode):
            raise DataError(f"data file {label} is not a regular file (a FIFO, device or socket).",
                            fix=fix)
        if st.st_size > MAX_DATA_BYTES:
            raise DataError(f"data file {label} has {st.st_size:,} bytes, more than the limit of "
                            f"{MAX_DATA_BYTES:,}.", fix="Split the table or drop unused columns.")
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_DATA_BYTES:  # grew while being read
                raise DataError(f"data file {label} is larger than the limit of {MAX_DATA_BYTES:,} bytes.",
                                fix="Split the table or drop unused columns.")
            chunks.append(chunk)
    except OSError as exc:
        raise DataError(f"cannot read data file {label}: {exc.strerror or 'error'}.", fix=fix) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def data_format(path: str | Path, label: str | None = None) -> str:
    suffix = Path(str(path)).suffix.lower()
    if suffix not in FORMATS:
        raise DataError(f"data file {label or path}: unknown format {suffix or '(no suffix)'!r}.",
                        fix=_FIX_FORMAT)
    return FORMATS[suffix]


# --------------------------------------------------------------------------- tables
@dataclass
class Table:
    """One table: its display ``name`` (``cost.csv``, ``plan.xlsx[demand]``), the pandas
    frame and how its rows are numbered in messages."""

    name: str
    frame: "pd.DataFrame"
    row_word: str = "line"
    first_row: int = 2  # the number of the first data row
    legacy: int | None = None  # a JSON {"index": [...], "value": v} table: its index width
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def row_label(self, i: int) -> str:
        return f"{self.row_word} {int(self.frame.index[i]) + self.first_row}"

    def at(self, i: int, column: str) -> str:
        return f"{self.name}, {self.row_label(i)}, column {shown_name(column)}"

    def column(self, name: str, what: str) -> "pd.Series":
        """The column ``name`` or a DataError that lists the columns there are."""
        if name not in self.columns:
            raise DataError(f"{self.name} has no column {shown_name(name)} ({what}); it has "
                            f"{_columns_list(self.columns)}.",
                            fix="Name one of its columns (names are case-sensitive).")
        return self.frame[self.frame.columns[self.columns.index(name)]]

    def numbers(self, name: str, what: str = "values") -> np.ndarray:
        """Column ``name`` as finite float64 values; DataError at the first bad cell."""
        key = ("numbers", name)
        if key in self._cache:
            return self._cache[key]
        import pandas as pd

        s = self.column(name, what)
        if pd.api.types.is_bool_dtype(s.dtype):
            values = s.to_numpy(dtype=np.float64)
        elif pd.api.types.is_numeric_dtype(s.dtype):
            values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            values = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raw = s.iloc[i]
            empty = raw is None or (isinstance(raw, float) and math.isnan(raw)) \
                or (isinstance(raw, str) and not raw.strip()) or raw is pd.NA
            count = int(bad.sum())
            more = f" ({count} such cells)" if count > 1 else ""
            if empty:
                raise DataError(f"{self.at(i, name)}: the cell is empty{more}.",
                                fix="Fill in a number (0 if that is what it means).")
            if isinstance(raw, (int, float, np.number)):
                raise DataError(f"{self.at(i, name)}: {float(raw)} is not a finite number{more}.",
                                fix="Use a finite number.")
            raise DataError(f"{self.at(i, name)}: the cell is not a number{more}.",
                            fix="Write a plain number such as 12.5 (no units or thousands separators).")
        self._cache[key] = values
        return values

    def keys(self, name: str, what: str = "keys") -> tuple[np.ndarray, list[Any]]:
        """Column ``name`` as set elements: ``(codes, uniques)`` with ``uniques`` in order
        of first appearance (ints for integer cells, else stripped text); DataError for
        an empty cell or a cell over :data:`MAX_CELL_CHARS`."""
        key = ("keys", name)
        if key in self._cache:
            return self._cache[key]
        import pandas as pd

        s = self.column(name, what)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        if (codes < 0).any():
            i = int(np.flatnonzero(codes < 0)[0])
            raise DataError(f"{self.at(i, name)}: the cell is empty.",
                            fix="Give every row a value in its key columns.")
        out: list[Any] = []
        for j, u in enumerate(uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)):
            v = _element(u)
            if isinstance(v, str) and (not v or len(v) > MAX_CELL_CHARS):
                i = int(np.flatnonzero(codes == j)[0])
                if not v:
                    raise DataError(f"{self.at(i, name)}: the cell is empty.",
                                    fix="Give every row a value in its key columns.")
                raise DataError(f"{self.at(i, name)}: the cell has {len(v):,} characters, more "
                                f"than the limit of {MAX_CELL_CHARS:,}.",
                                fix="Use short names for the elements of a set.")
            out.append(v)
        if len(set(out)) < len(out):  # " a" and "a" are one element: merge their codes
            first: dict[Any, int] = {}
            remap = np.array([first.setdefault(v, len(first)) for v in out], dtype=np.intp)
            codes = remap[codes]
            out = list(first)
        result = (np.asarray(codes, dtype=np.intp), out)
        self._cache[key] = result
        return result


def _element(value: Any) -> Any:
    """A cell as a set element: int for integers, else its stripped text."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if f.is_integer():
            return int(f)
        return repr(f)
    if hasattr(value, "isoformat"):  # dates and times from Excel or Parquet
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    text = str(value).strip()
    if text[:1].isdigit() or text[:1] in "+-":
        try:
            return int(text)
        except ValueError:
            pass
    return text


# --------------------------------------------------------------------------- reading
def read_tables(content: bytes | "pd.DataFrame", name: str, fmt: str | None = None
                ) -> dict[str, Table]:
    """The tables of one file's bytes (or one DataFrame): ``{sheet name: Table}``, with
    ``""`` for the only table of a single-table format."""
    import pandas as pd

    if isinstance(content, pd.DataFrame):
        return {"": _checked(Table(name, _plain_frame(content.reset_index(drop=True)), "row", 1))}
    fmt = fmt or data_format(name)
    try:
        if fmt in ("csv", "tsv"):
            return {"": _checked(_read_text_table(content, name, "\t" if fmt == "tsv" else ","))}
        if fmt == "xlsx":
            return _read_excel(content, name)
        if fmt == "json":
            return _read_json(content, name)
        if fmt == "parquet":
            frame = pd.read_parquet(io.BytesIO(content))
            return {"": _checked(Table(name, _plain_frame(frame.reset_index(drop=True)), "row", 1))}
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"{name}: the table does not fit in memory.",
                        fix="Split the table or drop unused columns.") from None
    except Exception as exc:  # noqa: BLE001 - a parser's error: say which file, not its text
        raise DataError(f"cannot read {name} as {fmt.upper()}: {_parser_reason(exc)}.",
                        fix=_FIX_FORMAT) from None
    raise DataError(f"{name}: unknown format {fmt!r}.", fix=_FIX_FORMAT)  # pragma: no cover


def _parser_reason(exc: Exception) -> str:
    """A parser's complaint without the file's text: its line number, if any."""
    text = str(exc)
    m = re.search(r"[Ee]xpected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        return f"line {m.group(2)} has {m.group(3)} fields, the header has {m.group(1)}"
    if isinstance(exc, UnicodeDecodeError):
        return f"it is not UTF-8 text (byte {exc.start})"
    if "No columns to parse" in text:
        return "the file is empty"
    return type(exc).__name__


def _read_text_table(content: bytes, name: str, sep: str) -> Table:
    import pandas as pd

    if not content or content.isspace():  # (no stripped copy of a large file)
        raise DataError(f"{name} is empty.", fix="Write a header line and the data rows.")
    content.decode("utf-8-sig")  # UnicodeDecodeError (with its byte): reported by read_tables
    if b"\0" in content:
        raise DataError(f"cannot read {name}: it holds NUL characters (a binary file?).",
                        fix=_FIX_FORMAT)
    # the bytes to the C parser (a text stream would be encoded back to UTF-8 chunk by chunk)
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", sep=sep, skip_blank_lines=False,
                        skipinitialspace=True, keep_default_na=False, na_values=[""],
                        engine="c", low_memory=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    blank = frame.isna().all(axis=1)
    if blank.any():  # blank lines: kept while reading so that line numbers stay true
        frame = frame[~blank.to_numpy()]
    return Table(name, frame, "line", 2)


def _plain_frame(frame: "pd.DataFrame") -> "pd.DataFrame":
    frame = frame.copy(deep=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_excel(content: bytes, name: str) -> dict[str, Table]:
    import pandas as pd

    # as for CSV: only an empty cell is missing ("NA" is Namibia, "n/a" a text to report)
    book = pd.read_excel(io.BytesIO(content), sheet_name=None, engine="openpyxl",
                         keep_default_na=False, na_values=[""])
    if len(book) > MAX_SHEETS:
        raise DataError(f"{name} has {len(book)} sheets, more than the limit of {MAX_SHEETS}.",
                        fix="Keep the sheets the model needs.")
    out = {}
    for sheet, frame in book.items():
        frame = _plain_frame(frame.dropna(how="all"))
        out[str(sheet)] = _checked(Table(f"{name}[{sheet}]", frame, "row", 2))
    if not out:
        raise DataError(f"{name} has no sheets.", fix="Save the workbook with its data.")
    return out


def _read_json(content: bytes, name: str) -> dict[str, Table]:
    import pandas as pd

    from optimus.budget import InputLimitError, loads_json

    try:
        data = loads_json(content.decode("utf-8-sig"), name)
    except InputLimitError as exc:  # nesting, digits, surrogates, a key twice
        raise DataError(f"{exc}.", fix="Write the table as a list of flat records, each key "
                                       "once, e.g. [{\"item\": \"a\", \"cost\": 3}].") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).",
                        fix="Fix the syntax at that position.") from None
    if isinstance(data, list):
        return {"": _records(data, name, pd)}
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if isinstance(value, list):
                out[str(key)] = _records(value, f"{name}[{key}]", pd)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                t = Table(f"{name}[{key}]", pd.DataFrame({"value": [float(value)]}), "record", 1)
                t.legacy = 0
                out[str(key)] = t
            else:
                raise DataError(f"{name}: the value of key {shown_name(key)} is neither a list of "
                                f"records nor a number.",
                                fix="Write a list of {column: value} records (or a number).")
        if len(out) > MAX_SHEETS:
            raise DataError(f"{name} holds {len(out)} tables, more than the limit of {MAX_SHEETS}.",
                            fix="Keep the tables the model needs.")
        return out
    raise DataError(f"{name}: expected a list of records or an object of tables.",
                    fix="Write a list of {column: value} records.")


def _records(rows: list, name: str, pd: Any) -> Table:
    for i, r in enumerate(rows):
        if not isinstance(r, dict):
            raise DataError(f"{name}, record {i + 1}: not an object of column: value pairs.",
                            fix="Write each record as an object, e.g. {\"plant\": \"a\", \"cost\": 3}.")
    if rows and all(set(r) == {"index", "value"} for r in rows):  # the optimus record format
        width = max(len(r["index"]) if isinstance(r["index"], list) else 1 for r in rows)
        cols: dict[str, list] = {f"index_{k + 1}": [] for k in range(width)}
        for i, r in enumerate(rows):
            idx = r["index"] if isinstance(r["index"], list) else [r["index"]]
            if len(idx) != width:
                raise DataError(f"{name}, record {i + 1}: {len(idx)} index values, others have {width}.",
                                fix="Give every record the same number of index values.")
            for k, v in enumerate(idx):
                cols[f"index_{k + 1}"].append(v)
        cols["value"] = [r["value"] for r in rows]
        t = Table(name, pd.DataFrame(cols), "record", 1)
        t.legacy = width
        return _checked(t)
    for i, r in enumerate(rows):
        for k, v in r.items():
            if isinstance(v, (dict, list)):
                raise DataError(f"{name}, record {i + 1}, column {shown_name(k)}: a nested value.",
                                fix="Give each column a number or a text.")
    return _checked(Table(name, pd.DataFrame.from_records(rows), "record", 1))


def _checked(t: Table) -> Table:
    if t.rows > MAX_TABLE_ROWS:
        raise DataError(f"{t.name} has {t.rows:,} rows, more than the limit of {MAX_TABLE_ROWS:,}.",
                        fix="Aggregate or split the table.")
    if len(t.columns) > MAX_TABLE_COLUMNS:
        raise DataError(f"{t.name} has {len(t.columns):,} columns, more than the limit of "
                        f"{MAX_TABLE_COLUMNS:,}.", fix="Keep the columns the model needs.")
    if len(set(t.columns)) < len(t.columns):
        raise DataError(f"{t.name} has two columns of the same name.", fix="Rename one of them.")
    for c in t.columns:
        if len(c) > MAX_CELL_CHARS:
            raise DataError(f"{t.name}: a column name has {len(c):,} characters, more than the "
                            f"limit of {MAX_CELL_CHARS:,}.", fix="Use short column names.")
    return t


# --------------------------------------------------------------------------- attachments
_NAME = re.compile(r"^[\w][\w.\-]{0,99}$")


class Attachments:
    """Tables attached to a problem stated in words: ``{name: path or DataFrame}``.

    A model's formulation may read only these, by name (``--data NAME=FILE``) or by the
    file's name (``--data FILE``). Build one with :meth:`from_items`.
    """

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        self.items: dict[str, Any] = dict(items or {})
        self._tables: dict[str, dict[str, Table]] = {}

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, name: object) -> bool:
        return name in self.items

    def names(self) -> list[str]:
        return list(self.items)

    @classmethod
    def from_items(cls, items: Any) -> "Attachments":
        """From ``--data`` values or Python objects: paths (``str``/``Path``), ``"NAME=FILE"``
        strings, DataFrames (named ``table1``, ``table2``, ... or ``df.attrs["name"]``),
        ``(name, path or DataFrame)`` pairs, or a ``{name: path or DataFrame}`` dict.

        Every file is checked now (exists, regular, within the limits): bad input is a
        :class:`DataError` before any model call."""
        import pandas as pd

        if items is None:
            return cls()
        if isinstance(items, Attachments):
            return items
        if isinstance(items, (str, Path, pd.DataFrame)):
            items = [items]
        pairs: list[tuple[str | None, Any]] = []
        if isinstance(items, Mapping):
            pairs = [(str(k), v) for k, v in items.items()]
        else:
            for n, item in enumerate(items, 1):
                if isinstance(item, tuple) and len(item) == 2:
                    pairs.append((str(item[0]), item[1]))
                elif isinstance(item, pd.DataFrame):
                    pairs.append((str(item.attrs.get("name") or f"table{n}"), item))
                elif isinstance(item, str) and "=" in item and not Path(item).exists():
                    name, _, path = item.partition("=")
                    pairs.append((name.strip(), path.strip()))
                elif isinstance(item, (str, Path)):
                    pairs.append((None, item))
                else:
                    raise DataError(f"cannot attach a {type(item).__name__} as data.",
                                    fix="Attach file paths, NAME=FILE strings or pandas DataFrames.")
        out = cls()
        for name, value in pairs:
            if isinstance(value, pd.DataFrame):
                name = name or f"table{len(out.items) + 1}"
            else:
                if not isinstance(value, (str, Path)) or not str(value):
                    raise DataError(f"data {name or ''}: expected a file path or a DataFrame.",
                                    fix="Attach file paths, NAME=FILE strings or pandas DataFrames.")
                path = Path(value).expanduser()
                name = name or path.name
                data_format(path, str(value))
                value = path
            if not _NAME.match(name or ""):
                raise DataError(f"data name {shown_name(name)} is not a plain name.",
                                fix="Use letters, digits, '.', '-' and '_', e.g. --data costs=cost.csv.")
            if name in out.items:
                raise DataError(f"two data tables are named {name!r}.",
                                fix="Give one of them another name: --data NAME=FILE.")
            out.items[name] = value
        for name in out.items:
            out.tables(name)  # read and check every file now
        return out

    def tables(self, name: str) -> dict[str, Table]:
        """The tables of attachment ``name`` (read once)."""
        got = self._tables.get(name)
        if got is None:
            value = self.items[name]
            if isinstance(value, Path):
                got = read_tables(open_data_file(value, name), name, data_format(value, name))
            else:
                got = read_tables(value, name)
            self._tables[name] = got
        return got

    def resolve(self, path: str) -> str | None:
        """The attachment a formulation's ``data.path`` names, or None."""
        if path in self.items:
            return path
        base = Path(path).name
        matches = [n for n, v in self.items.items()
                   if isinstance(v, Path) and (v.name == path or v.name == base and path == base)]
        return matches[0] if len(matches) == 1 else None

    def paths(self) -> list[Path]:
        return [v for v in self.items.values() if isinstance(v, Path)]


class TableStore:
    """Tables by the ``data.path`` a formulation writes, read once per store.

    With ``attachments``, a path must name an attachment (nothing else is read); without,
    it is a file relative to ``base_dir``."""

    def __init__(self, base_dir: Path, attachments: Attachments | None = None) -> None:
        self.base_dir = base_dir
        self.attachments = attachments if attachments else None
        self._files: dict[str, dict[str, Table]] = {}

    def tables(self, path: str) -> dict[str, Table]:
        if self.attachments is not None:
            name = self.attachments.resolve(path)
            if name is None:
                raise DataError(f"data path {path!r} is not an attached table (attached: "
                                f"{', '.join(self.attachments.names())}).",
                                fix="Name one of the attached tables in `data.path`.")
            return self.attachments.tables(name)
        got = self._files.get(path)
        if got is None:
            full = Path(path)
            if "\0" not in path and not full.is_absolute():
                full = self.base_dir / full
            fmt = data_format(path)
            got = read_tables(open_data_file(full, path), path, fmt)
            self._files[path] = got
        return got

    def table(self, path: str, sheet: str | None = None) -> Table:
        """One table of ``path``: its only table, or the sheet ``sheet``."""
        tables = self.tables(path)
        if sheet is not None:
            if sheet not in tables:
                raise DataError(f"{path} has no sheet (or table) {shown_name(sheet)}; it has "
                                f"{_columns_list(tables).replace('columns', 'sheets')}.",
                                fix="Name one of its sheets in `data.sheet`.")
            return tables[sheet]
        if len(tables) == 1:
            return next(iter(tables.values()))
        names = [shown_name(n) for n in list(tables)[:20]]
        raise DataError(f"{path} holds {len(tables)} sheets (tables): {', '.join(names)}; say "
                        f"which one with `sheet`.", fix="Add `sheet:` with one of them.")


# --------------------------------------------------------------------------- summaries
SMALL_ROWS = 30  # a table this short (and within SMALL_CHARS) is shown whole
SMALL_CHARS = 2_000
SAMPLE_ROWS = 5
_DETAIL_COLUMNS = 40  # columns described one by one; the rest are named only
_CELL = 24  # characters of a cell shown in a summary


def _cell_text(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        f = float(value)
        text = "" if math.isnan(f) else f"{f:.10g}"
    else:
        text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= _CELL else text[:_CELL - 1] + "…"


def _csv_line(cells: Iterable[Any]) -> str:
    out = []
    for c in cells:
        t = _cell_text(c)
        out.append(f'"{t}"' if ("," in t or '"' in t) else t)
    return ",".join(out)


def _column_summary(name: str, s: "pd.Series") -> str:
    import pandas as pd

    label = _cell_text(name) or "(unnamed)"
    n_distinct = int(s.nunique(dropna=True))
    empty = int(s.isna().sum())
    tail = f", {empty} empty" if empty else ""
    if pd.api.types.is_bool_dtype(s.dtype):
        return f"  - {label}: boolean, {n_distinct} distinct{tail}"
    if pd.api.types.is_numeric_dtype(s.dtype):
        kind = "integer" if pd.api.types.is_integer_dtype(s.dtype) or \
            (s.dropna().size and bool((s.dropna() % 1 == 0).all())) else "number"
        lo, hi = s.min(), s.max()
        rng = f", min {_cell_text(lo)}, max {_cell_text(hi)}" if s.notna().any() else ""
        return f"  - {label}: {kind}, {n_distinct} distinct{rng}{tail}"
    sample = [_cell_text(v) for v in s.dropna().unique()[:3]]
    shown = ", ".join(repr(v) for v in sample) + (", ..." if n_distinct > 3 else "")
    numeric = pd.to_numeric(s, errors="coerce")
    mixed = f" (mostly numbers: {int(numeric.notna().sum())} of {s.notna().sum()} cells)" \
        if numeric.notna().sum() * 2 > s.notna().sum() > 0 else ""
    return f"  - {label}: text{mixed}, {n_distinct} distinct: {shown}{tail}"


def describe_table(t: Table, label: str) -> str:
    """What a model sees of one table: name, size, each column's type, distinct count
    and range, and the rows themselves only when the table is small. The length does not
    grow with the number of rows (and is bounded in the number of columns)."""
    frame = t.frame
    cols = t.columns
    lines = [f"Table {label}: {t.rows} rows, {len(cols)} columns"]
    for c in cols[:_DETAIL_COLUMNS]:
        lines.append(_column_summary(c, frame[frame.columns[cols.index(c)]]))
    if len(cols) > _DETAIL_COLUMNS:
        rest = [_cell_text(c) for c in cols[_DETAIL_COLUMNS:_DETAIL_COLUMNS + 100]]
        more = " ..." if len(cols) > _DETAIL_COLUMNS + 100 else ""
        lines.append(f"  - further columns: {', '.join(rest)}{more}")
    header = _csv_line(cols[:_DETAIL_COLUMNS * 2])
    if t.rows <= SMALL_ROWS:
        body = [_csv_line(r[:_DETAIL_COLUMNS * 2]) for r in frame.itertuples(index=False, name=None)]
        text = "\n".join([header] + body)
        if len(text) <= SMALL_CHARS:
            lines.append("  All rows:")
            lines.append("    " + text.replace("\n", "\n    "))
            return "\n".join(lines)
    body = [_csv_line(r[:_DETAIL_COLUMNS * 2])
            for r in frame.head(SAMPLE_ROWS).itertuples(index=False, name=None)]
    lines.append(f"  First {len(body)} of {t.rows} rows (the rest are not shown):")
    lines.append("    " + "\n    ".join([header] + body))
    return "\n".join(lines)


def describe(att: Attachments) -> str:
    """The summary of every attached table, for the formulate prompt."""
    parts = []
    for name in att.names():
        tables = att.tables(name)
        for sheet, t in tables.items():
            label = f'"{name}"' + (f', sheet "{sheet}"' if sheet and len(tables) > 1 or
                                   sheet and Path(name).suffix.lower() in (".xlsx", ".xlsm") else "")
            parts.append(describe_table(t, label))
    return "\n\n".join(parts)
