"""A solution as tables: one pandas DataFrame per variable, and files written from them.

:func:`solution_frames` turns a result's ``(variable, index tuple) -> value`` columns into
``{variable name: DataFrame}``: one column per index position, named after the
variable's index sets when the formulation is known (``Plants``, ``Markets``; a set used
twice becomes ``Nodes``, ``Nodes_2``; a set of pairs ``Arcs_1``, ``Arcs_2``), else
``index_1``, ``index_2`` ...; and a ``value`` column. :func:`write_solution` writes them:

* ``.csv``: one long table ``variable, index_1, ..., index_k, value`` (``k`` the largest
  number of index positions; shorter keys leave the rest empty), one row per column of
  the program;
* ``.xlsx``: a sheet per variable (named after it, cut to Excel's 31 characters), and for
  a variable with two index positions also a pivot sheet ``<name>_pivot`` (first index
  down, second across).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    import pandas as pd

    from optimus.formulation import Formulation

__all__ = ["solution_frames", "write_solution", "SOLUTION_FORMATS"]

SOLUTION_FORMATS = (".csv", ".xlsx")


def _columns_of(variables: Any) -> tuple[Sequence[tuple[str, tuple]], Sequence[float]]:
    if hasattr(variables, "columns"):
        return variables.columns()
    keys = [(v.name, tuple(v.index)) for v in variables]
    return keys, [v.value for v in variables]


def _index_names(name: str, width: int, f: "Formulation | None") -> list[str]:
    var = f.variable(name) if f is not None else None
    if var is None:
        return [f"index_{k + 1}" for k in range(width)]
    names: list[str] = []
    for s in var.index:
        elems = None
        sd = f.set(s) if f is not None else None
        if sd is not None and sd.elements:
            first = sd.elements[0]
            elems = len(first) if isinstance(first, list) else 1
        elif sd is not None and sd.data is not None and sd.data.index_columns:
            elems = len(sd.data.index_columns)
        names += [s] if (elems or 1) == 1 else [f"{s}_{k + 1}" for k in range(elems or 1)]
    if len(names) != width:
        return [f"index_{k + 1}" for k in range(width)]
    out: list[str] = []
    for n in names:  # x[Nodes, Nodes]: Nodes, Nodes_2
        cand, k = n, 2
        while cand in out or cand == "value":
            cand, k = f"{n}_{k}", k + 1
        out.append(cand)
    return out


def solution_frames(variables: Any, formulation: "Formulation | None" = None
                    ) -> dict[str, "pd.DataFrame"]:
    """``{variable name: DataFrame}`` with the index columns and ``value`` (see the
    module docstring); variables in the order of the program's columns."""
    import pandas as pd

    keys, values = _columns_of(variables)
    groups: dict[str, tuple[list[tuple], list[float]]] = {}
    for (name, key), value in zip(keys, values):
        g = groups.setdefault(name, ([], []))
        g[0].append(tuple(key))
        g[1].append(value)
    out: dict[str, pd.DataFrame] = {}
    for name, (ks, vs) in groups.items():
        width = len(ks[0]) if ks else 0
        cols = _index_names(name, width, formulation)
        data: dict[str, Any] = {c: [k[i] for k in ks] for i, c in enumerate(cols)} if width else {}
        data["value"] = vs
        out[name] = pd.DataFrame(data)
    return out


def long_frame(frames: dict[str, "pd.DataFrame"]) -> "pd.DataFrame":
    """All variables in one table: ``variable, index_1 .. index_k, value``."""
    import pandas as pd

    width = max((len(df.columns) - 1 for df in frames.values()), default=0)
    parts = []
    for name, df in frames.items():
        idx = list(df.columns[:-1])
        part = pd.DataFrame({"variable": name}, index=range(len(df)))
        for k in range(width):
            part[f"index_{k + 1}"] = df[idx[k]].to_numpy(dtype=object) if k < len(idx) else None
        part["value"] = df["value"].to_numpy()
        parts.append(part)
    if not parts:
        return pd.DataFrame({"variable": [], "value": []})
    return pd.concat(parts, ignore_index=True)


def _sheet_names(names: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    used: set[str] = set()
    for n in names:
        base = "".join("_" if ch in "[]:*?/\\" else ch for ch in n)[:31] or "sheet"
        cand, k = base, 2
        while cand.lower() in used:
            tail = f"_{k}"
            cand, k = base[:31 - len(tail)] + tail, k + 1
        used.add(cand.lower())
        out[n] = cand
    return out


def write_solution(path: Path, frames: dict[str, "pd.DataFrame"]) -> None:
    """Write ``frames`` to ``path`` (``.csv`` long table or ``.xlsx`` sheets); the caller
    makes the write atomic."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".csv":
        long_frame(frames).to_csv(path, index=False)
        return
    if suffix != ".xlsx":
        raise ValueError(f"solution format {suffix!r}")
    names = []
    for name, df in frames.items():
        names.append(name)
        if len(df.columns) == 3:
            names.append(f"{name}_pivot")
    sheets = _sheet_names(names)
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        if not frames:
            pd.DataFrame({"variable": []}).to_excel(w, sheet_name="solution", index=False)
        for name, df in frames.items():
            df.to_excel(w, sheet_name=sheets[name], index=False)
            if len(df.columns) == 3:
                a, b = df.columns[0], df.columns[1]
                pivot = df.pivot_table(index=a, columns=b, values="value", sort=False,
                                       aggfunc="first")
                pivot.to_excel(w, sheet_name=sheets[f"{name}_pivot"])
