"""Read-only record lists that build their pydantic models only when read one by one.

A 90,000-column solution or a 90,000-entry parameter table is cheap as plain data
(keys, values, dicts) and costly as 90,000 pydantic models (building them, and the
garbage collector rescanning them later). :class:`LazyRecords` keeps the plain data, reads
like a ``list`` of the models (``len``, indexing, slicing, iteration, ``==`` with a list,
``repr``), builds every model at once with one public ``TypeAdapter`` validation on
first access to an element, and lets a pydantic field serialize the plain data directly.

Use it as a field type through ``Annotated[list[Model], WrapValidator(keep_lazy),
WrapSerializer(...), ListSchemaOf(Model)]``: the field's JSON schema stays exactly that
of ``list[Model]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Iterator, TypeVar, overload

from pydantic import (
    BaseModel, SerializationInfo, SerializerFunctionWrapHandler, ValidatorFunctionWrapHandler,
)
from pydantic_core import core_schema

from optimus._gc import gc_paused

M = TypeVar("M", bound=BaseModel)

_NOT_PLAIN = ("exclude_unset", "exclude_defaults", "exclude_none", "round_trip")


class LazyRecords(Sequence[M], Generic[M]):
    """Base class: subclasses implement :meth:`_build` (the models, as a new list)."""

    __slots__ = ("_records",)

    def __init__(self) -> None:
        self._records: list[M] | None = None

    def _build(self) -> list[M]:  # pragma: no cover - abstract
        raise NotImplementedError

    def dicts(self) -> list[dict[str, Any]]:  # pragma: no cover - abstract
        """The records as new dicts, as ``model_dump()`` of each model gives them."""
        raise NotImplementedError

    def records(self) -> list[M]:
        """The models as a list (built on first call, then cached; do not mutate it)."""
        if self._records is None:
            with gc_paused():  # many small objects at once (see optimus._gc)
                self._records = self._build()
        return self._records

    @property
    def built(self) -> bool:
        """Whether the models have been built."""
        return self._records is not None

    @overload
    def __getitem__(self, i: int) -> M: ...

    @overload
    def __getitem__(self, i: slice) -> list[M]: ...

    def __getitem__(self, i: int | slice) -> M | list[M]:
        return self.records()[i]

    def __iter__(self) -> Iterator[M]:
        return iter(self.records())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyRecords):
            return self.records() == other.records()
        if isinstance(other, (list, tuple)):
            return self.records() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # unhashable, like a list

    def __repr__(self) -> str:
        return repr(self.records())


def keep_lazy(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Wrap validator: a :class:`LazyRecords` passes as it is (its data is already valid)."""
    return value if isinstance(value, LazyRecords) else handler(value)


def plain_dump(info: SerializationInfo) -> bool:
    """Whether a dump asks for every field as it is (no include/exclude/exclude_* flags),
    so that the plain data can be written without building the models."""
    return info.include is None and info.exclude is None \
        and not any(getattr(info, flag, False) for flag in _NOT_PLAIN)


def dump_lazy(value: Any, handler: SerializerFunctionWrapHandler,
              info: SerializationInfo) -> Any:
    """Wrap serializer: a plain dump of a :class:`LazyRecords` writes its dicts without
    building the models; anything else is serialized as the list of models."""
    if isinstance(value, LazyRecords):
        if plain_dump(info):
            with gc_paused():  # pydantic serializes these dicts like the models
                return value.dicts()
        value = value.records()
    return handler(value)


class ListSchemaOf:
    """``Annotated`` marker: keep the JSON schema of ``list[model]`` in serialization mode
    too (a wrap serializer alone would make it ``Any``)."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        if handler.mode == "serialization":
            return handler(core_schema.list_schema(self.model.__pydantic_core_schema__))
        return handler(schema)
