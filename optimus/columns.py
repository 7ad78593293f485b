"""Column keys and column maps that cost nothing until read one by one.

A variable indexed by sets is a block of columns numbered row-major over the product of
its sets. Materializing that block as a list of key tuples and a ``{key: column}`` dict
costs a Python object per column (a 1,000 x 1,000 transportation model: a million
tuples). The vectorized build never needs them, so:

* :class:`ProductKeys` is the block's keys as a lazy sequence (``keys[k]`` unravels ``k``);
* :class:`GridColumns` is the block's ``{key: column}`` map: it answers one lookup from
  the sets' positions, and builds the real dict (:meth:`GridColumns.lookup`) only when a
  scalar path asks for it;
* :class:`ColumnKeys` is the program's ``(variable name, key)`` pairs, block by block.

>>> keys = ProductKeys([["a", "b"], [1, 2, 3]])
>>> len(keys), keys[4], list(keys)[:2]
(6, ('b', 2), [('a', 1), ('a', 2)])
>>> cols = GridColumns(10, keys)
>>> cols[("b", 2)], cols.get(("c", 1)), len(cols)
(14, None, 6)
>>> ck = ColumnKeys([("x", keys)]) + [("y.z", (1,))]
>>> len(ck), ck[0], ck[6], ck[5:7]
(7, ('x', ('a', 1)), ('y.z', (1,)), [('x', ('b', 3)), ('y.z', (1,))])
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain, product, repeat
from typing import Any


class _Lazy(Sequence):
    """A sequence whose items are computed: slices and negative indices done once here."""

    __slots__ = ()
    _len: int

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self._item(i) for i in range(*k.indices(self._len))]
        if k < 0:
            k += self._len
        if not 0 <= k < self._len:
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._item(k)

    def _item(self, k: int) -> Any:  # pragma: no cover - each subclass has its own
        raise NotImplementedError


class ProductKeys(_Lazy):
    """The keys of the product of element lists, row-major, without storing them."""

    __slots__ = ("pools", "_strides", "_len")

    def __init__(self, pools: Sequence[Sequence[Any]]) -> None:
        self.pools = [list(p) for p in pools]
        sizes = [len(p) for p in self.pools]
        self._len = math.prod(sizes)
        self._strides = [math.prod(sizes[k + 1:]) for k in range(len(sizes))]

    def __iter__(self) -> Iterator[tuple]:
        return product(*self.pools)

    def _item(self, k: int) -> tuple:
        out = []
        for pool, stride in zip(self.pools, self._strides):
            q, k = divmod(k, stride)
            out.append(pool[q])
        return tuple(out)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProductKeys):
            return self.pools == other.pools
        return isinstance(other, Sequence) and len(other) == self._len and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class GridColumns(Mapping):
    """``{key: column}`` of a block of columns from ``base``, over :class:`ProductKeys`."""

    __slots__ = ("base", "grid", "_positions", "_dict")

    def __init__(self, base: int, keys: ProductKeys) -> None:
        self.base = base
        self.grid = keys
        self._positions: list[dict[Any, int]] | None = None
        self._dict: dict[tuple, int] | None = None

    @property
    def strides(self) -> list[int]:
        return list(self.grid._strides)

    def __len__(self) -> int:
        return len(self.grid)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.grid)

    def __getitem__(self, key: Any) -> int:
        if self._dict is not None:
            return self._dict[key]
        if self._positions is None:
            self._positions = [{e: i for i, e in enumerate(p)} for p in self.grid.pools]
        if not isinstance(key, tuple) or len(key) != len(self._positions):
            raise KeyError(key)
        col = self.base
        for pos, stride, e in zip(self._positions, self.grid._strides, key):
            col += pos[e] * stride  # KeyError for an element not in its set
        return col

    def lookup(self) -> dict[tuple, int]:
        """The map as a plain dict (built once), for paths that look up column by column."""
        if self._dict is None:
            self._dict = dict(zip(self.grid, range(self.base, self.base + len(self.grid))))
        return self._dict


def lookup(colmap: Mapping) -> Mapping:
    """A fast ``{key: column}`` for ``colmap``: a dict as is, a :class:`GridColumns` built."""
    return colmap.lookup() if isinstance(colmap, GridColumns) else colmap


class ColumnKeys(_Lazy):
    """A program's ``(variable name, key)`` pairs, stored as ``(name, keys)`` blocks;
    a block whose name is None holds ready-made pairs (auxiliary columns)."""

    __slots__ = ("blocks", "_starts", "_len")

    def __init__(self, blocks: Sequence[tuple[str | None, Sequence[Any]]]) -> None:
        self.blocks = [(n, ks) for n, ks in blocks if len(ks)]
        self._starts: list[int] = []
        total = 0
        for _, ks in self.blocks:
            self._starts.append(total)
            total += len(ks)
        self._len = total

    def __iter__(self) -> Iterator[tuple[str, tuple]]:
        return chain.from_iterable(ks if n is None else zip(repeat(n), ks)
                                   for n, ks in self.blocks)

    def _item(self, j: int) -> tuple[str, tuple]:
        b = bisect.bisect_right(self._starts, j) - 1
        name, ks = self.blocks[b]
        got = ks[j - self._starts[b]]
        return got if name is None else (name, got)

    def __add__(self, other: Sequence[tuple[str, tuple]]) -> "ColumnKeys":
        extra = other.blocks if isinstance(other, ColumnKeys) else [(None, list(other))]
        return ColumnKeys(self.blocks + extra)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != self._len:
            return False
        if isinstance(other, ColumnKeys) and len(other.blocks) == len(self.blocks) and all(
                n == m and type(a) is type(b) for (n, a), (m, b) in zip(self.blocks, other.blocks)):
            return all(a == b for (_, a), (_, b) in zip(self.blocks, other.blocks))
        return all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]
