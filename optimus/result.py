"""Solve outcomes as data: one status vocabulary and one JSON shape everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    BaseModel, Field, TypeAdapter, WrapSerializer, WrapValidator,
)

from optimus._gc import gc_paused
from optimus._lazy import LazyRecords, ListSchemaOf, dump_lazy, keep_lazy


class Status(str, Enum):
    """Solver status (design.md: one enum everywhere)."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT_FEASIBLE = "time_limit_feasible"
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"
    ERROR = "error"
    UNKNOWN = "unknown"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.TIME_LIMIT_FEASIBLE)


class Outcome(str, Enum):
    """Agent outcomes where no solve happened."""

    ABSTAINED = "abstained"
    NOT_OPTIMIZATION = "not_optimization"
    INVALID_FORMULATION = "invalid_formulation"
    PROVIDER_ERROR = "provider_error"
    TIMEOUT = "timeout"


class VariableValue(BaseModel):
    name: str
    index: list[Any] = Field(default_factory=list)
    value: float


class VariableValues(LazyRecords[VariableValue]):
    """A solution's ``{name, index, value}`` records, kept as the columns' keys and values.

    Reads like a ``list[VariableValue]``; the records are built on first access to an
    element (see :mod:`optimus._lazy`), and serializing a :class:`Result` writes them
    straight from the keys and values, so a 90,000-column solution costs almost nothing
    until someone reads it record by record.

    ``keys`` are ``(variable name, index tuple)`` pairs, ``values`` the matching floats;
    both are kept as given (do not mutate them afterwards).
    """

    __slots__ = ("_keys", "_values")

    def __init__(self, keys: Sequence[tuple[str, tuple]], values: Sequence[float]) -> None:
        if len(keys) != len(values):
            raise ValueError(f"{len(keys)} keys but {len(values)} values")
        super().__init__()
        self._keys = keys
        self._values = values

    def _build(self) -> list[VariableValue]:
        return _RECORDS.validate_python(self.dicts())

    def __len__(self) -> int:
        return len(self._values)

    def columns(self) -> tuple[Sequence[tuple[str, tuple]], Sequence[float]]:
        """The ``(name, index tuple)`` keys and the values, without building the records
        (do not mutate them)."""
        return self._keys, self._values

    def dicts(self) -> list[dict[str, Any]]:
        """The records as new dicts, as ``[v.model_dump() for v in values]`` gives them."""
        return [{"name": name, "index": list(key), "value": value}
                for (name, key), value in zip(self._keys, self._values)]

    def __copy__(self) -> "VariableValues":
        return VariableValues(self._keys, self._values)

    def __deepcopy__(self, memo: dict) -> "VariableValues":
        return VariableValues(list(self._keys), list(self._values))

    def __reduce__(self) -> tuple:
        return (VariableValues, (list(self._keys), list(self._values)))


_RECORDS = TypeAdapter(list[VariableValue])



#: The type of ``Result.variables``: a list of records, or a lazy :class:`VariableValues`.
VariableList = Annotated[list[VariableValue], WrapValidator(keep_lazy),
                         WrapSerializer(dump_lazy), ListSchemaOf(VariableValue)]


class Timings(BaseModel):
    build: float = 0.0
    solve: float = 0.0
    total: float = 0.0


class Diagnosis(BaseModel):
    """What went wrong (or looks suspicious), in the problem's own terms.

    ``kind``: ``ok``, ``invalid``, ``infeasible``, ``unbounded``, ``suspicious``,
    ``time_limit``, ``error``; the agent adds ``parse_error``, ``not_formulated`` and
    ``ungrounded`` to its attempts. ``conflict`` lists constraint rows (and variable bounds) of an IIS or of an
    elastic relaxation, each ``{"constraint", "index", "kind"}``; ``unbounded_variables``
    lists ``{"name", "index", "direction"}``; ``warnings`` are plain sentences.
    """

    kind: str = "ok"
    summary: str = ""
    issues: list[str] = Field(default_factory=list)
    conflict: list[dict[str, Any]] = Field(default_factory=list)
    conflict_method: str | None = None
    unbounded_variables: list[dict[str, Any]] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def text(self) -> str:
        """A plain-text rendering for people and for repair prompts."""
        lines = [self.summary] if self.summary else []
        lines += [f"- {i}" for i in self.issues]
        if self.conflict:
            lines.append(f"Conflicting constraints ({self.conflict_method or 'IIS'}):")
            for c in self.conflict:
                idx = f"[{', '.join(map(str, c.get('index') or []))}]" if c.get("index") else ""
                lines.append(f"- {c.get('constraint') or c.get('variable')}{idx} ({c.get('kind', 'row')})")
        if self.unbounded_variables:
            lines.append("Variables that can grow without limit:")
            for v in self.unbounded_variables:
                idx = f"[{', '.join(map(str, v.get('index') or []))}]" if v.get("index") else ""
                lines.append(f"- {v.get('name')}{idx} ({v.get('direction', '')})")
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


class Result(BaseModel):
    """The outcome of a solve, in design.md's JSON shape."""

    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    variables: VariableList = Field(default_factory=list)
    diagnosis: Diagnosis | None = None
    timings: Timings = Field(default_factory=Timings)
    backend: str | None = None
    message: str | None = None

    @property
    def is_ok(self) -> bool:
        return self.status == Status.OPTIMAL.value

    def value(self, name: str, *index: Any) -> float | None:
        """The value of variable ``name`` at ``index`` (None if absent)."""
        want = [str(i) for i in index]
        for v in self.variables:
            if v.name == name and [str(i) for i in v.index] == want:
                return v.value
        return None

    def to_json_dict(self) -> dict[str, Any]:
        """design.md's JSON shape (without ``backend`` and ``message``)."""
        with gc_paused():  # 100,000 variables: many small objects at once
            data = self.model_dump(mode="json", exclude={"backend", "message"})
        if self.diagnosis is None:
            data["diagnosis"] = None
        return data
