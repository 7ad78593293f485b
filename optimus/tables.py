"""Parameter tables: ``{index, value}`` records, and large tables kept as two columns.

A low layer: :mod:`optimus.formulation` types ``Parameter.values`` with
:data:`EntryTable`, and :mod:`optimus.data` reads :class:`EntryList` columns directly.
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Annotated, Any, Union

from pydantic import (
    BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidatorFunctionWrapHandler, WrapSerializer,
    WrapValidator,
)

from optimus._lazy import LazyRecords, ListSchemaOf, dump_lazy

__all__ = ["Scalar", "Entry", "EntryList", "EntryTable", "ArrayTable"]

Scalar = Union[str, int]


def _number_or_text(value: Any) -> Any:
    """A text that reads as a number is that number (``"12"`` -> 12.0, as before texts
    were allowed); any other text stays a text (a lookup value such as ``M1``)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


class Entry(BaseModel):
    """One value of a parameter table: the index (one element per index set) and value."""

    model_config = ConfigDict(extra="forbid")

    index: list[Scalar] = Field(description="Index values, one per index set, in order.")
    value: Annotated[Union[float, str], BeforeValidator(_number_or_text)] = Field(
        description="A number; or a text, for a lookup table used in filters (e.g. the "
                    "machine of each operation: 'M1').")


_ENTRIES = TypeAdapter(list[Entry])
_LAZY_MIN = 1000  # tables at least this long are kept as columns (see EntryList)


class EntryList(LazyRecords[Entry]):
    """A large parameter table's ``{index, value}`` records, kept as two columns.

    Validating 100,000 :class:`Entry` models (and the garbage collector rescanning them
    for as long as the formulation lives) cost more than compiling and solving a model
    that size, and the checker only needs the index tuples and the values
    (:meth:`columns`). Reads like a ``list[Entry]``; the models are built on first access
    to an element (see :mod:`optimus._lazy`). :class:`Parameter` makes one from a list
    of at least ``_LAZY_MIN`` records in their plainest form (:meth:`from_plain`); any
    other input goes through the ordinary ``list[Entry]`` validation.
    """

    __slots__ = ("_keys", "_values")

    def __init__(self, keys: list[tuple[Scalar, ...]], values: list[float]) -> None:
        if len(keys) != len(values):
            raise ValueError(f"{len(keys)} index tuples but {len(values)} values")
        super().__init__()
        self._keys = keys
        self._values = values

    @classmethod
    def from_plain(cls, records: Any) -> "EntryList | None":
        """From ``{"index": [...], "value": v}`` dicts in their plainest form, or None.

        Plainest form: a list of dicts, each with exactly the keys ``index`` (a list of
        ``str`` or ``int``, not ``bool``) and ``value`` (a ``float`` or an ``int``). For
        such records :class:`Entry`'s validation changes nothing but ints to floats, so
        they are checked here with a few passes over whole columns instead of record by
        record; anything else (strings as numbers, ``Entry`` objects, a missing or extra
        key, an invalid record) returns None and goes through ``list[Entry]``.
        """
        if type(records) is not list or set(map(type, records)) != {dict} \
                or set(map(len, records)) != {2}:
            return None
        try:  # two keys, both of them present: exactly these two
            indexes = list(map(itemgetter("index"), records))
            values = list(map(itemgetter("value"), records))
        except KeyError:
            return None
        if set(map(type, indexes)) != {list} \
                or not set(map(type, chain.from_iterable(indexes))) <= {str, int} \
                or not set(map(type, values)) <= {float, int}:
            return None
        try:
            floats = list(map(float, values))
        except OverflowError:  # an int too large for a float: let pydantic say so
            return None
        return cls(list(map(tuple, indexes)), floats)

    def _build(self) -> list[Entry]:
        return _ENTRIES.validate_python(self.dicts())

    def __len__(self) -> int:
        return len(self._values)

    def columns(self) -> tuple[list[tuple[Scalar, ...]], list[float]]:
        """The index tuples and the values, without building the models (do not mutate)."""
        return self._keys, self._values

    def dicts(self) -> list[dict[str, Any]]:
        """The entries as new dicts, as ``[e.model_dump() for e in entries]`` gives them."""
        return [{"index": list(k), "value": v} for k, v in zip(self._keys, self._values)]

    def __copy__(self) -> "EntryList":
        return EntryList(self._keys, self._values)  # immutable contents

    def __deepcopy__(self, memo: dict) -> "EntryList":
        return EntryList(list(self._keys), list(self._values))

    def __reduce__(self) -> tuple:
        return (EntryList, (list(self._keys), list(self._values)))


def _validate_entries(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, EntryList):
        return value
    if type(value) is list and len(value) >= _LAZY_MIN:
        plain = EntryList.from_plain(value)
        if plain is not None:
            return plain
    return handler(value)  # Entry's validation: its coercions and its error messages



#: ``Parameter.values``: ``list[Entry]`` in the schema; large tables are an EntryList.
EntryTable = Annotated[list[Entry], WrapValidator(_validate_entries),
                       WrapSerializer(dump_lazy), ListSchemaOf(Entry)]


_NO_VALUE = object()


class ArrayTable(dict):
    """A parameter table read from a data file, kept as a dense float64 array over its
    index sets (NaN where the file has no row), so that the vectorized sums of
    :mod:`optimus.dense` read the array directly and nobody pays for 1,000,000 key tuples.

    It is a ``dict`` of ``{key tuple: float}`` to everyone else: :meth:`get`,
    ``table[key]``, ``key in table`` and ``len(table)`` answer from the array; any other
    use (iteration, ``items()``, copying, updating) first fills the dict itself, once, in
    row-major order of the index sets, after which it is an ordinary dict.
    """

    __slots__ = ("array", "set_names", "_elements", "_positions", "_count", "_filled")

    def __init__(self, array: Any, set_names: list[str], elements: list[list[Any]],
                 positions: list[dict[Any, int]]) -> None:
        import numpy as np

        super().__init__()
        self.array = array
        self.set_names = list(set_names)
        self._elements = elements
        self._positions = positions
        self._count = int(np.count_nonzero(~np.isnan(array)))
        self._filled = False

    # -------------------------------------------------------------- from the array
    def _where(self, key: Any) -> tuple[int, ...] | None:
        if type(key) is not tuple or len(key) != len(self._positions):
            return None
        out = []
        for k, pos in zip(key, self._positions):
            try:
                i = pos.get(k)
            except TypeError:  # an unhashable key
                return None
            if i is None:
                return None
            out.append(i)
        return tuple(out)

    def get(self, key: Any, default: Any = None) -> Any:
        if self._filled:
            return dict.get(self, key, default)
        where = self._where(key)
        if where is None:
            return default
        v = float(self.array[where])
        return default if v != v else v

    def __getitem__(self, key: Any) -> float:
        v = self.get(key, _NO_VALUE)
        if v is _NO_VALUE:
            raise KeyError(key)
        return v

    def __contains__(self, key: object) -> bool:
        return self.get(key, _NO_VALUE) is not _NO_VALUE

    def __len__(self) -> int:
        return dict.__len__(self) if self._filled else self._count

    # -------------------------------------------------------------- as a dict
    def fill(self) -> "ArrayTable":
        """Fill the dict from the array (once)."""
        if not self._filled:
            import numpy as np

            have = ~np.isnan(self.array)
            idx = np.nonzero(have)
            cols = [list(map(elems.__getitem__, ix.tolist())) for elems, ix in zip(self._elements, idx)]
            keys = zip(*cols) if cols else [()] * int(have.sum())
            dict.update(self, zip(keys, self.array[have].tolist()))
            self._filled = True
        return self

    def __iter__(self):  # type: ignore[no-untyped-def]
        return dict.__iter__(self.fill())

    def keys(self):  # type: ignore[no-untyped-def]
        return dict.keys(self.fill())

    def values(self):  # type: ignore[no-untyped-def]
        return dict.values(self.fill())

    def items(self):  # type: ignore[no-untyped-def]
        return dict.items(self.fill())

    def copy(self) -> dict:  # type: ignore[override]
        return dict(self.fill().items())

    def __repr__(self) -> str:
        return dict.__repr__(self.fill())

    def __eq__(self, other: object) -> bool:
        return dict.__eq__(self.fill(), other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (dict, (dict(self.fill().items()),))

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self.fill(), key, value)

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self.fill(), key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self.fill(), *args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        return dict.setdefault(self.fill(), key, default)

    def pop(self, *args: Any) -> Any:
        return dict.pop(self.fill(), *args)

    def popitem(self) -> tuple:
        return dict.popitem(self.fill())

    def clear(self) -> None:
        self.fill()
        dict.clear(self)
