"""HTML for a formulation, a solve result and its diagnosis: math as MathML, solutions
as tables (a variable over two sets as a grid). Used by ``optimus serve`` and by the
notebook display (``_repr_html_`` of :class:`~optimus.formulation.Formulation`,
:class:`~optimus.answer.Answer` and :class:`~optimus.pipeline.Report`).

Math is the LaTeX of :mod:`optimus.render.latex`, converted to MathML on the server
(``latex2mathml``); browsers render MathML natively, so the page needs no script and
makes no request to another host. Every string from a formulation or a result is escaped;
converted MathML is accepted only if it consists of MathML elements, else the LaTeX is
shown as escaped code.

Results are read through their JSON shape (``to_json_dict()``), so new keys (a
diagnosis' ``relaxation``, a result's ``sensitivity``) are shown without this module
knowing their layout: a list of records becomes a table, a mapping a definition list.

    >>> math_html("x \\\\leq 3").startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
    True
"""

from __future__ import annotations

import html
import math
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from optimus.formulation import Formulation

__all__ = ["math_html", "formulation_html", "result_html", "diagnosis_html", "answer_html",
           "variable_tables", "json_html", "attempts_html"]

MAX_ROWS = 200  # rows of one solution table
MAX_GRID_COLUMNS = 40
_KNOWN_DIAGNOSIS = ("kind", "summary", "issues", "conflict", "conflict_method",
                    "unbounded_variables", "warnings")
_KNOWN_RESULT = ("status", "objective", "bound", "gap", "variables", "diagnosis", "timings",
                 "formulation", "attempts", "usage", "formulator", "confidence", "message",
                 "unexplained_numbers", "cross_check")
_MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "msub", "msup", "msubsup", "mfrac", "mtext",
                "mspace", "mover", "munder", "munderover", "msqrt", "mroot", "mstyle",
                "mtable", "mtr", "mtd", "mpadded", "mphantom", "menclose", "semantics",
                "annotation", "merror", "ms"}
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
_ATTR_OK = re.compile(r'^</?[a-z]+(\s+[a-z:-]+="[^"<>&]*")*\s*/?>$')


def esc(value: Any) -> str:
    """Escaped text for HTML element content or a quoted attribute."""
    return html.escape(str(value), quote=True)


def num(value: Any) -> str:
    """A number for a table cell: ``-`` for None, integers without ``.0``, else 10 digits."""
    if value is None:
        return "-"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(v) or math.isinf(v):
        return esc(str(v))
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.10g}"


# --------------------------------------------------------------------------- math
def _safe_mathml(markup: str) -> bool:
    """Only MathML elements, with plain quoted attributes."""
    for m in _TAG.finditer(markup):
        if m.group(1) not in _MATHML_TAGS or not _ATTR_OK.match(m.group(0)):
            return False
    return "<" not in _TAG.sub("", markup) and ">" not in _TAG.sub("", markup)


def math_html(tex: str, *, display: bool = False) -> str:
    """LaTeX as MathML; the escaped LaTeX in ``<code>`` if it cannot be converted."""
    try:
        from latex2mathml.converter import convert

        markup = convert(tex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - an unknown command: show the source
        return f'<code class="tex">{esc(tex)}</code>'
    markup = markup.replace("\\&amp;", "&amp;").replace("\\&", "&amp;")
    if not _safe_mathml(markup):
        return f'<code class="tex">{esc(tex)}</code>'
    return markup


# --------------------------------------------------------------------------- formulation
def _param_html(p: Any, f: "Formulation") -> str:
    from optimus.render.latex import _name, _number, _param_table

    idx = ", ".join(_name(s) for s in p.index)
    head = _name(p.name) + (f"_{{{idx}}}" if p.index else "")
    table, _ = _param_table(p, f)
    desc = f' <span class="desc">— {esc(p.description)}</span>' if p.description else ""
    if not p.index:
        val = _number(float(table)) if isinstance(table, (int, float)) else r"\text{?}"
        tex = f"{head} = {val}"
        return f"<li>{math_html(tex)}{desc}</li>"
    extra = []
    if p.data is not None:
        extra.append(f"from file {esc(p.data.path)}")
    if p.default is not None:
        extra.append(f"default {num(p.default)}")
    note = f' <span class="note">({"; ".join(extra)})</span>' if extra else ""
    body = ""
    if isinstance(table, dict) and table:
        keys = list(table)
        if len(p.index) == 2 and all(isinstance(k, tuple) and len(k) == 2 for k in keys):
            body = _grid([(k[0], k[1], table[k]) for k in keys], p.index[0], p.index[1])
        else:
            rows = [[_cell_key(k), num(v)] for k, v in list(table.items())[:MAX_ROWS]]
            body = _table([esc(", ".join(p.index)), esc(p.name)], rows,
                          more=len(table) - len(rows))
    return f"<li>{math_html(head)}{desc}{note}{body}</li>"


def _cell_key(key: Any) -> str:
    if isinstance(key, tuple):
        return esc(", ".join(_plain(k) for k in key))
    return esc(_plain(key))


def _plain(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(_plain(x) for x in v) + ")"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def formulation_html(f: "Formulation") -> str:
    """The formulation as HTML: sets, parameters (tables), variables with domains, the
    objective and each constraint as display math."""
    from optimus.expressions import ExprError, parse
    from optimus.render.latex import (
        _MAX_SET_ELEMENTS, _Tex, _domain, _element, _name, _sym_var, _tex_text, expr_to_latex,
        forall_to_latex,
    )

    sets = {s.name for s in f.sets}
    out = [f'<section class="formulation"><h3>{esc(f.name)}</h3>']
    if f.description:
        out.append(f'<p class="description">{esc(f.description)}</p>')
    if f.assumptions:
        out.append('<h4>Assumptions</h4><ul class="assumptions">'
                   + "".join(f"<li>{esc(a)}</li>" for a in f.assumptions) + "</ul>")
    if f.sets:
        out.append('<h4>Sets</h4><ul class="sets">')
        for s in f.sets:
            if s.elements is None:  # a range or a column of a data file (not read here)
                if s.range is not None and len(s.range) >= 2:
                    shown = rf"{_element(s.range[0])}, \ldots, {_element(s.range[1])}"
                elif s.data is not None:
                    shown = r"\text{" + _tex_text(
                        f"column {s.data.column or '?'} of {s.data.path}") + "}"
                else:
                    shown = ""
                elements: list = []
            else:
                elements = s.elements
                shown = ", ".join(_element(e) for e in elements[:_MAX_SET_ELEMENTS])
            if len(elements) > _MAX_SET_ELEMENTS:
                shown += rf", \ldots \text{{ ({len(elements)} elements)}}"
            desc = f' <span class="desc">— {esc(s.description)}</span>' if s.description else ""
            tex = _name(s.name) + r" = \{" + shown + r"\}"
            out.append(f"<li>{math_html(tex)}{desc}</li>")
        out.append("</ul>")
    if f.parameters:
        out.append('<h4>Parameters</h4><ul class="parameters">')
        out += [_param_html(p, f) for p in f.parameters]
        out.append("</ul>")
    out.append('<h4>Variables</h4><ul class="variables">')
    for v in f.variables:
        desc = f' <span class="desc">— {esc(v.description)}</span>' if v.description else ""
        tex = f"{_sym_var(v)} {_domain(v)}"
        out.append(f"<li>{math_html(tex)}{desc}</li>")
    out.append("</ul>")
    objectives = [f.objective] if f.objective is not None else f.objectives or []
    out.append('<h4>Objective</h4>' if f.objective is not None else
               '<h4>Objectives (lexicographic, by priority)</h4>')
    for o in sorted(objectives, key=lambda o: getattr(o, "priority", 0)):
        sense = r"\max" if o.sense == "maximize" else r"\min"
        try:
            obj = _Tex(sets).expr(parse(o.expression))
        except ExprError:
            obj = _tex_text(o.expression)
        if getattr(o, "name", None):
            out.append(f'<p class="desc">{esc(o.name)} (priority {o.priority}, weight '
                       f'{o.weight:g})</p>')
        if o.description:
            out.append(f'<p class="desc">{esc(o.description)}</p>')
        obj_html = math_html(sense + r" \quad " + obj, display=True)
        out.append(f'<div class="objective">{obj_html}</div>')
    if f.constraints:
        out.append('<h4>Constraints</h4><div class="constraints">')
        for c in f.constraints:
            body = expr_to_latex(c.expression, sets)
            if getattr(c, "when", None):
                from optimus.render.latex import when_latex

                body = when_latex(c, sets) + body
            if c.forall and c.forall.strip():
                body += r" \qquad " + forall_to_latex(c.forall)
            desc = f' <span class="desc">— {esc(c.description)}</span>' if c.description else ""
            out.append(f'<div class="constraint"><div class="name">{esc(c.name)}{desc}</div>'
                       f"{math_html(body, display=True)}</div>")
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


# --------------------------------------------------------------------------- tables
def _table(head: list[str], rows: list[list[str]], *, more: int = 0, cls: str = "") -> str:
    """A table from already escaped cells."""
    t = [f'<table class="{cls}">' if cls else "<table>", "<thead><tr>"]
    t += [f"<th>{h}</th>" for h in head]
    t.append("</tr></thead><tbody>")
    for r in rows:
        t.append("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    t.append("</tbody></table>")
    if more > 0:
        t.append(f'<p class="note">… {more} more not shown (download the CSV for all).</p>')
    return "".join(t)


def _grid(cells: list[tuple[Any, Any, Any]], row_set: str, col_set: str) -> str:
    """A two-index table as a grid: rows by the first index, columns by the second."""
    rows: "OrderedDict[str, dict[str, Any]]" = OrderedDict()
    cols: "OrderedDict[str, None]" = OrderedDict()
    for r, c, v in cells:
        rows.setdefault(_plain(r), {})[_plain(c)] = v
        cols.setdefault(_plain(c), None)
    col_keys = list(cols)[:MAX_GRID_COLUMNS]
    row_keys = list(rows)[:MAX_ROWS]
    head = [f"{esc(row_set)} / {esc(col_set)}"] + [esc(c) for c in col_keys]
    body = [[f"<th>{esc(r)}</th>"] + [num(rows[r][c]) if c in rows[r] else "" for c in col_keys]
            for r in row_keys]
    t = ['<table class="grid"><thead><tr>'] + [f"<th>{h}</th>" for h in head]
    t.append("</tr></thead><tbody>")
    for r in body:
        t.append("<tr>" + r[0] + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>")
    t.append("</tbody></table>")
    cut_rows, cut_cols = len(rows) - len(row_keys), len(cols) - len(col_keys)
    if cut_rows or cut_cols:
        t.append(f'<p class="note">… {cut_rows} more rows, {cut_cols} more columns not shown '
                 f'(download the CSV for all).</p>')
    return "".join(t)


def variable_tables(variables: Iterable[Any], index_sets: dict[str, list[str]] | None = None,
                    *, nonzero_only: bool = True) -> str:
    """The solution, one table per variable: scalars together, one index as a column, two
    indices as a grid, more as rows. ``index_sets`` maps a variable to its index sets
    (for the headers); zeros are left out of grids' cells unless ``nonzero_only=False``."""
    index_sets = index_sets or {}
    groups: "OrderedDict[str, list[tuple[list, float]]]" = OrderedDict()
    for v in variables:
        name = _get(v, "name")
        value = _get(v, "value")
        if value is None:
            continue
        groups.setdefault(str(name), []).append((list(_get(v, "index") or []), float(value)))
    if not groups:
        return '<p class="note">No variable values.</p>'
    scalars = [(n, vals[0][1]) for n, vals in groups.items() if len(vals) == 1 and not vals[0][0]]
    out = []
    if scalars:
        out.append(_table(["variable", "value"], [[esc(n), num(v)] for n, v in scalars],
                          cls="scalars"))
    for name, vals in groups.items():
        if len(vals) == 1 and not vals[0][0]:
            continue
        shown = [(i, v) for i, v in vals if not nonzero_only or abs(v) > 1e-9]
        sets = index_sets.get(name) or [f"index {k + 1}" for k in range(len(vals[0][0]))]
        title = f'<h5>{esc(name)}<span class="note"> ({len(shown)} nonzero of {len(vals)})</span></h5>'
        if not shown:
            out.append(title + '<p class="note">all zero</p>')
            continue
        if all(len(i) == 2 for i, _ in vals) and len(sets) == 2:
            # a grid shows every cell, zeros too (a blank would read as "not defined")
            out.append(title + _grid([(i[0], i[1], v) for i, v in vals], sets[0], sets[1]))
            continue
        rows = [[esc(", ".join(_plain(x) for x in i)), num(v)] for i, v in shown[:MAX_ROWS]]
        out.append(title + _table([esc(", ".join(sets)), esc(name)], rows,
                                  more=len(shown) - len(rows)))
    return "".join(out)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


# --------------------------------------------------------------------------- generic JSON
def json_html(value: Any, depth: int = 0) -> str:
    """Any JSON value as HTML: a list of records as a table, a mapping as a definition
    list, a scalar as text (escaped; bounded depth and size)."""
    if depth > 6:
        return esc("…")
    if isinstance(value, dict):
        if not value:
            return ""
        return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{json_html(v, depth + 1)}</dd>"
                                for k, v in list(value.items())[:MAX_ROWS]) + "</dl>"
    if isinstance(value, list):
        if value and all(isinstance(x, dict) for x in value):
            keys: list[str] = []
            for x in value[:MAX_ROWS]:
                keys += [k for k in x if k not in keys]
            rows = [[_json_cell(x.get(k), depth) for k in keys] for x in value[:MAX_ROWS]]
            return _table([esc(k) for k in keys], rows, more=len(value) - len(rows))
        return esc(", ".join(_plain(x) if not isinstance(x, (dict, list)) else "…"
                             for x in value[:MAX_ROWS]))
    if isinstance(value, float):
        return num(value)
    return esc("" if value is None else value)


def _json_cell(v: Any, depth: int) -> str:
    if isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
        return esc(", ".join(_plain(x) for x in v))
    return json_html(v, depth + 1)


# --------------------------------------------------------------------------- results
def diagnosis_html(diag: Any) -> str:
    """The diagnosis: summary, issues, conflicting constraints, unbounded variables,
    warnings, and any further part (a relaxation, say) as a table."""
    if diag is None:
        return ""
    d = diag.model_dump(mode="json") if hasattr(diag, "model_dump") else dict(diag)
    kind = str(d.get("kind") or "")
    out = [f'<section class="diagnosis {esc(kind)}"><h4>Diagnosis'
           + (f' <span class="kind">{esc(kind)}</span>' if kind else "") + "</h4>"]
    if d.get("summary"):
        out.append(f'<p class="summary">{esc(d["summary"])}</p>')
    if d.get("issues"):
        out.append('<ul class="issues">' + "".join(f"<li>{esc(i)}</li>" for i in d["issues"]) + "</ul>")
    if d.get("conflict"):
        method = d.get("conflict_method") or "iis"
        rows = []
        for c in d["conflict"]:
            idx = c.get("index") or []
            label = (c.get("constraint") or c.get("variable") or "") + (
                f"[{', '.join(_plain(i) for i in idx)}]" if idx else "")
            rows.append([esc(label), esc(c.get("kind", "")), esc(c.get("text", "")),
                         num(c["violation"]) if c.get("violation") is not None else ""])
        head = ["constraint", "kind", "what it says", "violation"]
        if not any(r[3] for r in rows):
            head, rows = head[:3], [r[:3] for r in rows]
        out.append(f'<h5>Conflicting constraints ({esc(method)})</h5>'
                   + _table(head, rows, cls="conflict"))
    if d.get("unbounded_variables"):
        rows = []
        for v in d["unbounded_variables"]:
            idx = v.get("index") or []
            rows.append([esc(v.get("name", "") + (f"[{', '.join(_plain(i) for i in idx)}]" if idx else "")),
                         esc(v.get("direction", ""))])
        out.append("<h5>Variables that can grow without limit</h5>"
                   + _table(["variable", "direction"], rows, cls="unbounded"))
    for w in d.get("warnings") or []:
        out.append(f'<p class="warning">Warning: {esc(w)}</p>')
    for key, value in d.items():
        if key not in _KNOWN_DIAGNOSIS and value not in (None, [], {}, ""):
            out.append(f'<h5 class="extra">{esc(key.replace("_", " ").capitalize())}</h5>'
                       f'<div class="{esc(key)}">{json_html(value)}</div>')
    out.append("</section>")
    return "".join(out)


def _index_sets(formulation: Any) -> dict[str, list[str]]:
    if formulation is None:
        return {}
    variables = _get(formulation, "variables") or []
    return {str(_get(v, "name")): list(_get(v, "index") or []) for v in variables}


def result_html(result: Any, formulation: Any = None) -> str:
    """Status, objective, bound, gap and time; the solution tables; the diagnosis; and any
    further part of the result (sensitivity, say) as tables."""
    data = result.to_json_dict() if hasattr(result, "to_json_dict") else dict(result)
    if formulation is None:
        formulation = data.get("formulation")
    status = str(data.get("status", ""))
    head = [("Status", f'<span class="status {esc(status)}">{esc(status)}</span>'),
            ("Objective", num(data.get("objective"))), ("Best bound", num(data.get("bound")))]
    if data.get("gap") is not None:
        head.append(("Gap", f"{100 * float(data['gap']):.4g}%"))
    t = data.get("timings") or {}
    if t:
        head.append(("Time", f"{float(t.get('total', 0.0)):.3f} s"))
    out = ['<section class="result"><table class="summary">'
           + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in head) + "</table>"]
    if data.get("message"):
        out.append(f'<p class="message">{esc(data["message"])}</p>')
    if data.get("variables"):
        out.append('<h4>Solution</h4><div class="solution">'
                   + variable_tables(data["variables"], _index_sets(formulation)) + "</div>")
    out.append(diagnosis_html(data.get("diagnosis")))
    for key, value in data.items():
        if key not in _KNOWN_RESULT and value not in (None, [], {}, ""):
            out.append(f'<section class="{esc(key)}"><h4>{esc(key.replace("_", " ").capitalize())}</h4>'
                       f"{json_html(value)}</section>")
    out.append("</section>")
    return "".join(out)


def attempts_html(attempts: Iterable[Any]) -> str:
    """The attempts: number, outcome, objective and what the checker or solver found."""
    rows = []
    for a in attempts:
        d = _get(a, "diagnosis")
        found = ""
        if d is not None:
            found = (_get(d, "summary") or "") + (" " + "; ".join((_get(d, "issues") or [])[:3])
                                                  if _get(d, "issues") else "")
        rows.append([str(_get(a, "number")), esc(_get(a, "status")), num(_get(a, "objective")),
                     esc(found[:400])])
    if not rows:
        return ""
    return "<h4>Attempts</h4>" + _table(["#", "outcome", "objective", "what was found"], rows,
                                        cls="attempts")


def answer_html(answer: Any) -> str:
    """An :class:`~optimus.answer.Answer`: the formulation, the result, the attempts."""
    out = ['<div class="optimus-answer">']
    if answer.formulation is not None:
        out.append(formulation_html(answer.formulation))
    out.append(result_html(answer, answer.formulation))
    out.append(attempts_html(answer.attempts))
    u = answer.usage
    out.append(f'<p class="note">{esc(answer.formulator or "formulator ?")}: {u.calls} model '
               f"call(s), {u.input_tokens} input / {u.output_tokens} output tokens</p></div>")
    return "".join(out)
