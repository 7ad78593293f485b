"""The typed formulation: the one object every stage of optimus produces or consumes.

A :class:`Formulation` holds sets, parameters, decision variables, constraints, an
objective and the assumptions behind them. Expressions are strings in a small subset of
Python syntax (see :mod:`optimus.expressions`); they are parsed and interpreted by our own
code, never evaluated.

Example::

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({
    ...     "name": "bakery",
    ...     "variables": [{"name": "cakes"}, {"name": "pies"}],
    ...     "constraints": [{"name": "oven", "expression": "2*cakes + 3*pies <= 60"}],
    ...     "objective": {"sense": "maximize", "expression": "5*cakes + 7*pies"},
    ... })
    >>> f.variables[0].domain
    'continuous'

The JSON schema returned by :func:`strict_json_schema` satisfies OpenAI's strict
structured-output rules (every field required, nullable where optional, no free-form
dicts), so a language model can fill it directly.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from optimus._gc import gc_paused
from optimus.errors import UserError
from optimus.tables import Entry, EntryList, EntryTable, Scalar

__all__ = ["Formulation", "SetDef", "Parameter", "DataRef", "Variable", "Constraint", "Objective",
           "NamedObjective",
           "Entry", "EntryList", "load_formulation", "formulation_from_data", "strict_json_schema",
           "validation_errors", "read_model_file"]
Element = Union[str, int, list[Scalar]]
Domain = Literal["continuous", "integer", "binary", "semicontinuous", "semiinteger"]
Sense = Literal["minimize", "maximize"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataRef(_Strict):
    """Where a set's elements or a parameter's values come from: a table in a data file.

    ``path`` names the file: relative to the model file, or, for a problem stated in
    words, the name of an attached table (``--data``). Formats: CSV, TSV, Excel (pick
    the sheet with ``sheet``), JSON records, Parquet.

    * A set: ``{path: supply.csv, column: plant}`` - the column's distinct values in file
      order; ``index_columns: [from, to]`` for a set of pairs.
    * An indexed parameter: ``{path: cost.csv, column: cost, index_columns: [plant,
      market]}`` - the value column and the key columns, in the order of the parameter's
      index. Without ``index_columns``: the columns named like the index sets, else the
      first columns. Without ``column``: the column named like the parameter, else the
      last column.
    * A scalar from a key-value table (``Parameter_Name,Value,Unit,Description``):
      ``{path: params.csv, key: budget}`` - the row whose key column holds ``budget``;
      the key column is ``key_column``, else the first of
      Parameter_Name/Parameter/Name/Key, else the first column; the value column is
      ``column``, else ``Value``, else the second column. Without ``key``, a one-row
      table's ``column``.
    * JSON in optimus' own record format: a list of ``{"index": [...], "value": v}``, or
      an object mapping parameter names to such lists or to numbers.
    """

    path: str = Field(description="File name of an attached table (or a path relative to the model file).")
    column: str | None = Field(default=None, description="Value column (parameter) or element column (set).")
    index_columns: list[str] | None = Field(
        default=None, description="Key columns, one per index set in order (or the columns of a set of pairs).")
    key: str | None = Field(default=None, description="Scalar from a key-value table: the row's key.")
    key_column: str | None = Field(default=None, description="The column holding the keys (with `key`).")
    sheet: str | None = Field(default=None, description="Excel sheet (or JSON table) name.")


class SetDef(_Strict):
    """A finite set of elements, e.g. products, periods or arcs (pairs).

    Exactly one of ``elements`` (listed), ``data`` (a column of a table, distinct
    values in file order) or ``range`` (integers ``[first, last]``, both included)."""

    name: str = Field(description="Identifier used in expressions, e.g. Products.")
    description: str | None = Field(default=None, description="What the elements are.")
    elements: list[Element] | None = Field(
        default=None,
        description="The members: strings or integers; a list such as [\"a\", \"b\"] for a "
        "pair (e.g. an arc of a network)."
    )
    data: DataRef | None = Field(default=None, description="Read the elements from a table column.")
    range: list[int] | None = Field(
        default=None, description="Integers [first, last], both included, e.g. [1, 52].")


class Parameter(_Strict):
    """Known data: a scalar (``value``) or a table indexed by sets (``values`` or ``data``)."""

    name: str = Field(description="Identifier used in expressions, e.g. profit.")
    description: str | None = Field(default=None, description="Meaning and unit.")
    index: list[str] = Field(
        default_factory=list, description="Names of the index sets; empty for a scalar."
    )
    value: float | None = Field(default=None, description="The value of a scalar parameter.")
    values: EntryTable | None = Field(
        default=None, description="Table entries for an indexed parameter."
    )
    data: DataRef | None = Field(default=None, description="Read the table from a file.")
    default: float | None = Field(
        default=None, description="Value for index combinations not listed (sparse tables)."
    )
    forall: str | None = Field(
        default=None, description="A computed parameter: the bindings of its index, e.g. "
        "'c in Customers, s in Sites' (one name per index set, in order).")
    expression: str | None = Field(
        default=None, description="A computed parameter: its value from other parameters and "
        "numbers, e.g. 'sqrt((cx[c] - sx[s])**2 + (cy[c] - sy[s])**2)' (sqrt, exp, log, ceil, "
        "floor, round, abs, min, max, **); never computed by hand.")


class Variable(_Strict):
    """A decision variable, scalar or indexed by sets."""

    name: str = Field(description="Identifier used in expressions, e.g. x.")
    description: str | None = Field(default=None, description="What it decides, with unit.")
    index: list[str] = Field(
        default_factory=list, description="Names of the index sets; empty for a scalar."
    )
    domain: Domain = Field(
        default="continuous",
        description="continuous, integer (counts of discrete things), binary (yes/no), "
        "semicontinuous (0, or between lower and upper: a minimum lot size; upper required) "
        "or semiinteger (the same, integer).",
    )
    lower: float | None = Field(default=0.0, description="Lower bound; null for none.")
    upper: float | None = Field(default=None, description="Upper bound; null for none.")


class Constraint(_Strict):
    """One constraint, or a family of them with ``forall``.

    ``forall`` binds index names, e.g. ``"p in Products"``, ``"i in I, j in J"``,
    ``"(i, j) in Arcs"``, with an optional filter: ``"t in Periods if t > 1"``.
    ``expression`` is one comparison (``<=``, ``>=`` or ``==``) of linear expressions,
    e.g. ``"sum(hours[p] * x[p] for p in Products) <= capacity"``.
    """

    name: str = Field(description="Identifier, e.g. labor_limit.")
    description: str | None = Field(default=None, description="What it enforces, in words.")
    forall: str | None = Field(
        default=None, description="Index bindings such as 'p in Products'; null for one row."
    )
    expression: str = Field(description="A linear comparison, e.g. 'x + y <= 10'.")
    when: str | None = Field(
        default=None, description="An indicator: the constraint holds only when a binary "
        "variable has this value, e.g. 'open[p] == 1' (indexed by the forall's names); "
        "compiled with a big-M derived from the bounds, so never write a big-M yourself.")


class Objective(_Strict):
    """What to optimize."""

    sense: Sense
    expression: str = Field(description="A linear expression, e.g. '3*x + 5*y'.")
    description: str | None = Field(default=None, description="What it measures.")


class NamedObjective(_Strict):
    """One of several objectives (``Formulation.objectives``): optimized in the order of
    ``priority`` (lower first), each without worsening the ones before it; objectives of
    equal priority are blended by ``weight`` (sense-aware)."""

    name: str = Field(description="Identifier, e.g. total_cost.")
    sense: Sense
    expression: str = Field(description="A linear (or convex quadratic) expression.")
    priority: int = Field(default=1, description="Lower is optimized first (1, 2, 3 ...).")
    weight: float = Field(default=1.0, description="Weight among objectives of equal priority.")
    description: str | None = Field(default=None, description="What it measures.")


class Formulation(_Strict):
    """A complete optimization model as data.

    Load one with :func:`load_formulation` (JSON or YAML), save with :meth:`save`.
    """

    name: str = Field(default="model", description="Short identifier of the problem.")
    description: str | None = Field(default=None, description="The problem in one paragraph.")
    assumptions: list[str] = Field(
        default_factory=list,
        description="Modelling assumptions, e.g. 'counts of cars are integers'.",
    )
    sets: list[SetDef] = Field(default_factory=list)
    parameters: list[Parameter] = Field(default_factory=list)
    variables: list[Variable] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    objective: Objective | None = Field(
        default=None, description="The one objective; null when `objectives` lists several.")
    objectives: list[NamedObjective] | None = Field(
        default=None, description="Several objectives, optimized lexicographically by "
        "priority (never fold priorities into huge weights); then `objective` is null.")

    @model_validator(mode="after")
    def _one_objective_field(self) -> "Formulation":
        if self.objective is None and not self.objectives:
            raise ValueError("give `objective` ({sense, expression}), or `objectives` (a list of "
                             "{name, sense, expression, priority, weight}) for several")
        if self.objective is not None and self.objectives:
            raise ValueError("give either `objective` or `objectives`, not both (set "
                             "`objective` to null when listing several)")
        return self

    @property
    def main_objective(self) -> Objective:
        """The objective, or the first priority level of ``objectives`` as one blended
        :class:`Objective` (what the first solve optimizes)."""
        if self.objective is not None:
            return self.objective
        from optimus.objectives import first_level_objective

        sense, expression, description = first_level_objective(self.objectives or [])
        return Objective(sense=sense, expression=expression, description=description)  # type: ignore[arg-type]

    _base_dir: Path | None = PrivateAttr(default=None)
    _attachments: Any = PrivateAttr(default=None)  # optimus.datafiles.Attachments

    # ----------------------------------------------------------------- lookups
    def set(self, name: str) -> SetDef | None:
        return next((s for s in self.sets if s.name == name), None)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def constraint(self, name: str) -> Constraint | None:
        return next((c for c in self.constraints if c.name == name), None)

    @property
    def base_dir(self) -> Path:
        """Directory against which data-file paths are resolved."""
        return self._base_dir or Path.cwd()

    def with_base_dir(self, base_dir: str | Path | None) -> "Formulation":
        self._base_dir = Path(base_dir) if base_dir is not None else None
        return self

    @property
    def attachments(self) -> Any:
        """The tables attached to the problem (:class:`optimus.datafiles.Attachments`) or
        None: then ``data.path`` names files relative to :attr:`base_dir`."""
        return self._attachments

    def with_attachments(self, attachments: Any) -> "Formulation":
        """Read ``data.path`` from these attached tables only."""
        self._attachments = attachments if attachments else None
        return self

    def copy_deep(self) -> "Formulation":
        new = self.model_copy(deep=True)
        new._base_dir = self._base_dir
        new._attachments = self._attachments
        return new

    # ----------------------------------------------------------------- output
    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=False)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path, *, inputs: Any = None) -> Path:
        """Write as JSON or YAML, chosen by the file's suffix, through the guarded atomic
        writer (:func:`optimus.output.write_output`; ``inputs`` are never overwritten)."""
        from optimus.output import write_output

        path = Path(path)
        text = self.to_yaml() if path.suffix.lower() in (".yaml", ".yml") else self.to_json()
        write_output(path, text, inputs=inputs)
        return path

    def compact(self) -> str:
        """A short textual form (for repair prompts and transcripts)."""
        from optimus.render.text import compact_text

        return compact_text(self)

    def _repr_markdown_(self) -> str:  # notebooks
        from optimus.render.latex import to_markdown

        return to_markdown(self)

    def _repr_html_(self) -> str:  # notebooks: math as MathML, parameters as tables
        from optimus.render.notebook import formulation_notebook_html

        return formulation_notebook_html(self)


# --------------------------------------------------------------------------- loading
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (C version if built) that refuses a mapping with a key twice
    (PyYAML keeps the last one silently: ``{index: [a], value: 1, value: 2}``)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    mark = key_node.start_mark
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} appears twice in one mapping (values "
                        f"{seen[key]!r} and {value_node.value!r}); keep one", mark)
            except TypeError:  # an unhashable key: the base constructor says so
                break
            seen[key] = getattr(value_node, "value", None) if isinstance(value_node, yaml.ScalarNode) \
                else "..."
        return super().construct_mapping(node, deep=deep)


_YAML_LOADER = _UniqueKeyLoader

def validation_errors(exc: ValidationError, limit: int = 15) -> list[str]:
    """Readable lines for a pydantic ValidationError: field path and message."""
    errors = exc.errors()
    lines = [f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
             for err in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more")
    return lines


def formulation_from_data(data: Any, *, source: str = "input") -> Formulation:
    """Validate a decoded JSON/YAML object into a Formulation, or raise a UserError."""
    if isinstance(data, dict) and "formulation" in data and "objective" not in data:
        data = data["formulation"]  # a model file may wrap it next to an `expected` block
    if not isinstance(data, dict):
        raise UserError(
            f"{source}: expected a mapping with keys such as sets, parameters, variables, "
            f"constraints, objective; got {type(data).__name__}.",
            fix="See problems/ for example model files.",
        )
    data = {k: v for k, v in data.items() if k not in ("expected", "$schema")}
    try:
        with gc_paused():  # large tables: 100,000 records validate 3x faster
            return Formulation.model_validate(data)
    except ValidationError as exc:
        lines = [f"  - {line}" for line in validation_errors(exc, limit=20)]
        raise UserError(
            f"{source} does not match the formulation schema:\n" + "\n".join(lines),
            fix="Fix the fields named above (`optimus schema` prints the schema).",
        ) from None


def read_model_file(path: str | Path) -> dict[str, Any]:
    """Read a JSON or YAML model file into a dict (with UserErrors for bad input).

    The type is chosen by the suffix before anything is read; at most
    :data:`~optimus.budget.MAX_FILE_BYTES` are read, so a device or an endless pipe ends
    at once; nesting, huge integers and lone surrogates are refused."""
    from optimus.budget import DuplicateKeyError, InputLimitError, decode_utf8, lone_surrogate, read_limited

    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}", fix="Check the path and try again.")
    if path.is_dir():
        raise UserError(f"{path} is a directory, not a model file.", fix="Pass a .json or .yaml file.")
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise UserError(
            f"{path}: unknown model file type {suffix or '(none)'!r}.",
            fix="Use a .json, .yaml or .yml file.",
        )
    try:
        if path.is_char_device() or path.is_block_device():
            raise InputLimitError(f"{path} is a device, not a model file")
        text = decode_utf8(read_limited(path), str(path))
    except InputLimitError as exc:
        raise UserError(f"{exc}.", fix="Pass a UTF-8 JSON or YAML model file.") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}",
                        fix="Pass a UTF-8 JSON or YAML file.") from None
    try:
        if suffix == ".json":
            from optimus.budget import loads_json

            data = loads_json(text, str(path))
        else:
            data = yaml.load(text, Loader=_YAML_LOADER)  # safe loader, C version if built
            where = lone_surrogate(data)
            if where is not None:
                raise InputLimitError(f"{path} holds a lone surrogate in {where}")
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            fix="Fix the syntax at that position.",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UserError(
            f"{path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}.",
            fix="Fix the syntax at that position.",
        ) from None
    except DuplicateKeyError as exc:
        raise UserError(f"{exc}.", fix="Give each key once in each object.") from None
    except InputLimitError as exc:
        raise UserError(f"{exc}.", fix="Write numbers with at most 4,300 digits, nest less "
                                       "deeply and use only valid Unicode text.") from None
    except (ValueError, RecursionError) as exc:
        raise UserError(f"cannot read {path}: {str(exc).split(';')[0] or type(exc).__name__}.",
                        fix="Write numbers with at most 4,300 digits, nest less deeply and use "
                            "only valid Unicode text.") from None
    if data is None:
        raise UserError(f"{path} is empty.", fix="Write a formulation into it (see problems/).")
    return data


def load_formulation(path: str | Path) -> Formulation:
    """Load a JSON or YAML model file; data files are resolved relative to it."""
    path = Path(path)
    with gc_paused():  # a large file: the parsed data is freed before collection resumes
        f = formulation_from_data(read_model_file(path), source=str(path))
    return f.with_base_dir(path.resolve().parent)


# --------------------------------------------------------------------------- schema
def strict_json_schema() -> dict[str, Any]:
    """The Formulation JSON schema in the form OpenAI's strict mode accepts.

    Every object lists all its properties as required and sets
    ``additionalProperties: false``; optional fields are nullable; defaults are dropped.
    """
    schema = copy.deepcopy(Formulation.model_json_schema())

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("default", None)
            if node.get("type") == "object" or "properties" in node:
                props = node.get("properties", {})
                node["required"] = list(props)
                node["additionalProperties"] = False
                for value in props.values():  # a field may be named "default"
                    visit(value)
            for key, value in node.items():
                if key != "properties":
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema
