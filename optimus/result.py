"""Solve outcomes as data: one status vocabulary and one JSON shape everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import (
    BaseModel, Field, PrivateAttr, SerializerFunctionWrapHandler, TypeAdapter, WrapSerializer,
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


class RelaxationEntry(_Record):
    """One change of a smallest relaxation that makes an infeasible model feasible.

    ``constraint`` and ``index`` name the constraint row (for a variable bound, the
    variable, with ``kind`` ``lower bound``/``upper bound`` and ``variable`` set too);
    ``current`` is its limit now and ``needed`` the limit that restores feasibility.
    Entries with the same ``option`` are one way out, to apply together: option 1
    minimizes the total change over every constraint and bound; later options change one
    constraint alone. ``parameter`` names the parameter entry behind the limit, when one
    does (``demand[gadgets]``).
    """

    constraint: str
    index: list[Any] = Field(default_factory=list)
    current: float
    needed: float
    kind: ConflictKind = ConflictKind.ROW
    variable: str | None = None
    sense: str | None = None
    option: int = 1
    parameter: str | None = None

    @property
    def label(self) -> str:
        idx = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        return f"{self.constraint}{idx}"

    @property
    def text(self) -> str:
        """``meet_demand[gadgets]: 120 -> 100 (demand[gadgets])``; a bound:
        ``x (upper bound): 5 -> 8``."""
        def num(v: float) -> str:
            return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.10g}"
        what = self.label if self.kind == ConflictKind.ROW else f"{self.label} ({self.kind})"
        via = f" ({self.parameter})" if self.parameter else ""
        return f"{what}: {num(self.current)} -> {num(self.needed)}{via}"


class UnboundedVariable(_Record):
    """A variable that grows (``increases``) or falls (``decreases``) without limit."""

    name: str
    index: list[Any] = Field(default_factory=list)
    direction: Direction
    ray: float | None = None  # its component of HiGHS's primal ray
    in_objective: bool | None = None
    missing: str | None = None  # what kind of limit is missing, in words

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


class SensitivityBasis(StrEnum):
    """Which linear program the sensitivity figures come from."""

    LP = "lp"  # the model itself (a linear program)
    FIXED_INTEGERS = "fixed_integers"  # a MIP: the LP with the integer variables fixed


class ConstraintSensitivity(BaseModel):
    """One constraint row at the optimum.

    ``activity`` is the row's left-hand side, ``slack`` the distance to its active
    limit (``rhs``), ``binding`` whether it holds with equality. ``dual`` (the shadow
    price) is the change in the objective per unit increase of ``rhs``, in the
    objective's own sense (a binding ``<=`` capacity of a maximization has a dual >= 0);
    it holds while ``rhs`` stays in ``rhs_range`` (``None`` = unbounded that way).
    ``rhs_parameter`` names the parameter entry that supplies ``rhs`` when one does
    (``available[finishing]``), with its ``description`` (meaning and unit).
    """

    name: str
    index: list[Any] = Field(default_factory=list)
    activity: float
    slack: float | None = None
    dual: float
    rhs_range: list[float | None] = Field(default_factory=lambda: [None, None])
    binding: bool = False
    sense: str = "<="
    rhs: float | None = None
    rhs_parameter: str | None = None
    description: str | None = None

    @property
    def label(self) -> str:
        idx = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        return f"{self.name}{idx}"


class VariableSensitivity(BaseModel):
    """One variable at the optimum.

    ``reduced_cost`` is the change in the objective per unit increase of the variable
    from its optimal value (0 for a basic variable; for a variable at 0 in a maximization,
    a negative reduced cost is what each unit forced in would lose). The solution stays
    optimal while the variable's objective coefficient (``cost``) stays in
    ``cost_range`` (``None`` = unbounded that way). ``cost_parameter`` names the
    parameter entry that supplies the coefficient when one does (``profit[tables]``).
    """

    name: str
    index: list[Any] = Field(default_factory=list)
    value: float
    reduced_cost: float
    cost_range: list[float | None] = Field(default_factory=lambda: [None, None])
    cost: float = 0.0
    basic: bool = False
    cost_parameter: str | None = None
    description: str | None = None

    @property
    def label(self) -> str:
        idx = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        return f"{self.name}{idx}"


class Sensitivity(BaseModel):
    """Shadow prices, slacks, reduced costs and ranges of an optimal solution.

    ``basis`` says where they come from (the LP itself, or for a MIP the LP with the
    integer variables fixed at their optimum, which ``note`` says in words); ``sense``
    and ``objective`` (the objective's description) let the sentences speak of it.
    ``truncated`` is set when only part of the rows/columns are listed.
    """

    basis: SensitivityBasis = SensitivityBasis.LP
    note: str = ""
    sense: str = "minimize"
    objective: str | None = None
    constraints: list[ConstraintSensitivity] = Field(default_factory=list)
    variables: list[VariableSensitivity] = Field(default_factory=list)
    truncated: bool = False

    def constraint(self, name: str, *index: Any) -> ConstraintSensitivity | None:
        """The record of constraint ``name`` at ``index`` (None if absent)."""
        want = [str(i) for i in index]
        return next((c for c in self.constraints
                     if c.name == name and [str(i) for i in c.index] == want), None)

    def variable(self, name: str, *index: Any) -> VariableSensitivity | None:
        """The record of variable ``name`` at ``index`` (None if absent)."""
        want = [str(i) for i in index]
        return next((v for v in self.variables
                     if v.name == name and [str(i) for i in v.index] == want), None)

    def sentences(self, *, max_each: int = 12) -> list[str]:
        """What the figures mean, in the problem's words (see :mod:`optimus.explain`)."""
        from optimus.explain import sensitivity_sentences

        return sensitivity_sentences(self, max_each=max_each)

    def text(self) -> str:
        lines = [self.note] if self.note else []
        lines += [f"- {s}" for s in self.sentences()]
        return "\n".join(lines)

    def compact(self) -> dict[str, Any]:
        """A short JSON form for logs (eval's results.jsonl): the binding constraints with
        their duals and ranges, and the variables with a nonzero reduced cost."""
        return {
            "basis": str(self.basis),
            "binding": [{"name": c.name, "index": c.index, "dual": c.dual,
                         "rhs_range": c.rhs_range} for c in self.constraints if c.binding][:50],
            "reduced_costs": [{"name": v.name, "index": v.index, "reduced_cost": v.reduced_cost}
                              for v in self.variables if abs(v.reduced_cost) > 1e-9][:50],
        }


class ParameterChange(BaseModel):
    """One override of a what-if: ``parameter[index]`` from ``before`` to ``after``."""

    parameter: str
    index: list[Any] = Field(default_factory=list)
    before: float | None = None
    after: float

    @property
    def label(self) -> str:
        idx = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        return f"{self.parameter}{idx}"


class WhatIf(BaseModel):
    """A re-solve with some parameter values changed, compared with the original optimum.

    ``within_range`` is True when every change stayed inside the right-hand-side or
    objective-coefficient range of the original optimum (jointly, by the 100% rule), so
    the duals predicted the new objective (``predicted_objective``); False when a change
    went beyond its range; None when the duals cannot say (no sensitivity, a MIP, or the
    change touched constraint coefficients or bounds). ``prediction_held`` compares the
    prediction with the re-solve. ``plan_changed`` says whether the set of nonzero
    variables changed; ``variables`` lists the values that moved (``name, index, before,
    after``). ``explanation`` says it in words.
    """

    changes: list[ParameterChange] = Field(default_factory=list)
    status_before: Status | None = None
    status_after: Status | None = None
    objective_before: float | None = None
    objective_after: float | None = None
    predicted_objective: float | None = None
    within_range: bool | None = None
    prediction_held: bool | None = None
    plan_changed: bool | None = None
    kind: str = "rhs"  # rhs | cost | rhs_and_cost | coefficients | none
    rows: list[dict[str, Any]] = Field(default_factory=list)
    costs: list[dict[str, Any]] = Field(default_factory=list)
    variables: list[dict[str, Any]] = Field(default_factory=list)
    explanation: str = ""


class Timings(BaseModel):
    build: float = 0.0
    solve: float = 0.0
    total: float = 0.0


class Diagnosis(BaseModel):
    """What went wrong (or looks suspicious), in the problem's own terms.

    ``kind`` is a :class:`DiagnosisKind`. ``conflict`` lists the constraint rows (and
    variable bounds) of an IIS or of an elastic relaxation (:class:`ConflictEntry`);
    ``relaxation`` the smallest changes of limits that make an infeasible model feasible
    (:class:`RelaxationEntry`, grouped by ``option``);
    ``unbounded_variables`` the variables along the ray (:class:`UnboundedVariable`);
    ``issues`` and ``warnings`` are plain sentences.
    """

    kind: DiagnosisKind = DiagnosisKind.OK
    summary: str = ""
    issues: list[str] = Field(default_factory=list)
    conflict: list[ConflictEntry] = Field(default_factory=list)
    conflict_method: ConflictMethod | None = None
    relaxation: list[RelaxationEntry] = Field(default_factory=list)
    unbounded_variables: list[UnboundedVariable] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def relaxation_text(self) -> str:
        """``meet_demand[gadgets]: 120 -> 100, or line_capacity_limit[gadgets]: 100 -> 120``:
        the options, each a list of changes to apply together."""
        options: dict[int, list[RelaxationEntry]] = {}
        for r in self.relaxation:
            options.setdefault(r.option, []).append(r)
        return ", or ".join(" and ".join(e.text for e in group) for group in options.values())

    def text(self) -> str:
        """A plain-text rendering for people and for repair prompts."""
        lines = [self.summary] if self.summary else []
        lines += [f"- {i}" for i in self.issues]
        if self.conflict:
            lines.append(f"Conflicting constraints ({self.conflict_method or 'IIS'}):")
            for c in self.conflict:
                lines.append(f"- {c.label} ({c.kind})")
        if self.relaxation:
            lines.append("Smallest change that makes it feasible: " + self.relaxation_text() + ".")
        if self.unbounded_variables:
            lines.append("Variables that can grow without limit:")
            for v in self.unbounded_variables:
                lines.append(f"- {v.label} ({v.direction})"
                             + (f": {v.missing}" if v.missing else ""))
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


class Result(BaseModel):
    """The outcome of a solve: ``status``, ``objective``, ``bound``, ``gap``,
    ``variables`` (``{name, index, value}`` records), ``diagnosis``, ``sensitivity``
    (duals, slacks, reduced costs and ranges of an optimum; ``None`` when not computed),
    ``what_if`` (a re-solve with changed parameters, compared; only in what-if results)
    and ``timings``."""

    status: Status
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    variables: VariableList = Field(default_factory=list)
    diagnosis: Diagnosis | None = None
    sensitivity: Sensitivity | None = None
    what_if: WhatIf | None = None
    #: several objectives: each one's value at the solution, ``{name: value}``
    objectives: dict[str, float] | None = None
    timings: Timings = Field(default_factory=Timings)
    backend: str | None = None
    message: str | None = None
    #: every column's value, auxiliary columns of constructs included (not serialized)
    _columns: Any = PrivateAttr(default=None)

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
            exclude = {"backend", "message"} | ({"what_if"} if self.what_if is None else set()) \
                | ({"objectives"} if self.objectives is None else set())
            data = self.model_dump(mode="json", exclude=exclude)
        if self.diagnosis is None:
            data["diagnosis"] = None
        return data
