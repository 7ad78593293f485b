"""Solve outcomes as data: one status vocabulary and one JSON shape everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import (
    BaseModel, Field, SerializerFunctionWrapHandler, TypeAdapter, WrapSerializer,
    WrapValidator, model_serializer,
)

from optimus._compat import StrEnum
from optimus._gc import gc_paused
from optimus._lazy import LazyRecords, ListSchemaOf, dump_lazy, keep_lazy


class Status(StrEnum):
    """Solver status: one vocabulary for every backend, command and JSON output.

    Members are strings (``Status.OPTIMAL == "optimal"``), so JSON output holds the
    plain words. Every HiGHS and CBC status maps to one of these (``unknown`` is the
    fallback); see ``solvers/highs.py`` and ``solvers/pulp_cbc.py``.
    """

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


class Outcome(StrEnum):
    """Outcomes where no solve happened (the agent's, the offline reader's, eval's).

    ``parse_error`` is the outcome of one attempt whose reply could not be read.
    """

    ABSTAINED = "abstained"
    NOT_OPTIMIZATION = "not_optimization"
    INVALID_FORMULATION = "invalid_formulation"
    PROVIDER_ERROR = "provider_error"
    TIMEOUT = "timeout"
    PARSE_ERROR = "parse_error"


#: The status of an answer or an attempt: a solver status, or an outcome with no solve.
AnswerStatus = Status | Outcome


class DiagnosisKind(StrEnum):
    """What a :class:`Diagnosis` explains."""

    OK = "ok"
    SUSPICIOUS = "suspicious"  # optimal, with warnings
    INVALID = "invalid"  # the formulation could not be built (``issues``)
    INFEASIBLE = "infeasible"  # ``conflict``
    UNBOUNDED = "unbounded"  # ``unbounded_variables``
    TIME_LIMIT = "time_limit"
    ERROR = "error"
    # the agent's, for its attempts
    PARSE_ERROR = "parse_error"
    NOT_FORMULATED = "not_formulated"
    UNGROUNDED = "ungrounded"


class ConflictMethod(StrEnum):
    """How a conflict was found (see the README's diagnosis section)."""

    IIS = "iis"
    FARKAS = "farkas"
    ELASTIC = "elastic"
    BOUNDS = "bounds"


class ConflictKind(StrEnum):
    """What one member of a conflict is."""

    ROW = "row"
    LOWER_BOUND = "lower bound"
    UPPER_BOUND = "upper bound"
    BOUNDS = "bounds"  # lower bound above upper bound
    INTEGRALITY = "integrality"  # an integer variable whose bounds hold no integer


class Direction(StrEnum):
    INCREASES = "increases"
    DECREASES = "decreases"


class _Record(BaseModel):
    """A record that serializes only the fields that were given (in declaration order)
    and also reads like the dict it replaces: ``entry["constraint"]``,
    ``entry.get("variable")``, ``"violation" in entry``."""

    @model_serializer(mode="wrap")
    def _only_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {k: v for k, v in data.items() if k in self.model_fields_set}

    def __getitem__(self, key: str) -> Any:
        if key not in self.model_fields_set:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in self.model_fields_set else default

    def __contains__(self, key: object) -> bool:
        return key in self.model_fields_set


class ConflictEntry(_Record):
    """One member of an infeasible set: a constraint row (``constraint``, ``index``,
    ``sense``, ``rhs``) or a variable bound (``variable``, ``index``, ``value``), with a
    readable ``text`` and, from an elastic relaxation, the ``violation`` it needs."""

    constraint: str | None = None
    variable: str | None = None
    index: list[Any] = Field(default_factory=list)
    kind: ConflictKind = ConflictKind.ROW
    sense: str | None = None
    rhs: float | None = None
    value: float | None = None
    text: str = ""
    violation: float | None = None

    @property
    def label(self) -> str:
        """``name[i, j]`` of the constraint or variable."""
        idx = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        return f"{self.constraint or self.variable}{idx}"


class UnboundedVariable(_Record):
    """A variable that grows (``increases``) or falls (``decreases``) without limit."""

    name: str
    index: list[Any] = Field(default_factory=list)
    direction: Direction
    ray: float | None = None  # its component of HiGHS's primal ray
    in_objective: bool | None = None

    @property
    def label(self) -> str:
        idx = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        return f"{self.name}{idx}"


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

    ``kind`` is a :class:`DiagnosisKind`. ``conflict`` lists the constraint rows (and
    variable bounds) of an IIS or of an elastic relaxation (:class:`ConflictEntry`),
    ``unbounded_variables`` the variables along the ray (:class:`UnboundedVariable`);
    ``issues`` and ``warnings`` are plain sentences.
    """

    kind: DiagnosisKind = DiagnosisKind.OK
    summary: str = ""
    issues: list[str] = Field(default_factory=list)
    conflict: list[ConflictEntry] = Field(default_factory=list)
    conflict_method: ConflictMethod | None = None
    unbounded_variables: list[UnboundedVariable] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def text(self) -> str:
        """A plain-text rendering for people and for repair prompts."""
        lines = [self.summary] if self.summary else []
        lines += [f"- {i}" for i in self.issues]
        if self.conflict:
            lines.append(f"Conflicting constraints ({self.conflict_method or 'IIS'}):")
            for c in self.conflict:
                lines.append(f"- {c.label} ({c.kind})")
        if self.unbounded_variables:
            lines.append("Variables that can grow without limit:")
            for v in self.unbounded_variables:
                lines.append(f"- {v.label} ({v.direction})")
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


class Result(BaseModel):
    """The outcome of a solve: ``status``, ``objective``, ``bound``, ``gap``,
    ``variables`` (``{name, index, value}`` records), ``diagnosis`` and ``timings``."""

    status: Status
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
        return self.status == Status.OPTIMAL

    def value(self, name: str, *index: Any) -> float | None:
        """The value of variable ``name`` at ``index`` (None if absent)."""
        want = [str(i) for i in index]
        for v in self.variables:
            if v.name == name and [str(i) for i in v.index] == want:
                return v.value
        return None

    def to_frames(self, formulation: Any = None) -> dict[str, Any]:
        """The solution as ``{variable name: pandas DataFrame}``: index columns (named
        after the variable's index sets when ``formulation`` is given) and ``value``; see
        :mod:`optimus.solution_tables`."""
        from optimus.solution_tables import solution_frames

        return solution_frames(self.variables, formulation)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON shape shared by ``run --json``, ``solve --json`` and eval's records
        (without ``backend`` and ``message``)."""
        with gc_paused():  # 100,000 variables: many small objects at once
            data = self.model_dump(mode="json", exclude={"backend", "message"})
        if self.diagnosis is None:
            data["diagnosis"] = None
        return data
