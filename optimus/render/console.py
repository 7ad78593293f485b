"""Rich terminal rendering of solve outcomes and formulation issues.

Works for anything shaped like a :class:`~optimus.result.Result` (an
:class:`~optimus.answer.Answer` too): ``status``, ``objective``, ``bound``, ``gap``,
``variables``, ``diagnosis``, ``timings``. Every string that comes from a formulation
(names, set elements, messages) is rendered as plain :class:`rich.text.Text`, never as
markup, so ``cost["A", j]`` or ``[bold]`` in a name prints literally.

Example::

    >>> from rich.console import Console
    >>> from optimus.result import Result, VariableValue
    >>> r = Result(status="optimal", objective=12.0, bound=12.0, gap=0.0,
    ...            variables=[VariableValue(name="x", index=["A"], value=4.0)])
    >>> print_result(Console(width=60, color_system=None), r)  # doctest: +SKIP
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Iterable

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {
    "optimal": "bold green",
    "time_limit_feasible": "bold yellow",
    "infeasible": "bold red",
    "unbounded": "bold red",
    "infeasible_or_unbounded": "bold red",
    "time_limit_no_solution": "bold red",
    "error": "bold red",
    "unknown": "bold magenta",
    # agent outcomes (no solve happened), see optimus.result.Outcome
    "abstained": "bold yellow",
    "not_optimization": "bold yellow",
    "invalid_formulation": "bold red",
    "provider_error": "bold red",
    "timeout": "bold red",
    "parse_error": "bold red",
}

ZERO_TOL = 1e-9


def fmt_number(value: float | None, digits: int = 10) -> str:
    """A number for people: ``None`` -> ``-``, integers without ``.0``, else ``%g``."""
    if value is None:
        return "-"
    v = float(value)
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


def fmt_gap(gap: float | None) -> str:
    """A relative gap as a percentage."""
    if gap is None:
        return "-"
    return f"{100 * float(gap):.4g}%"


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return getattr(obj, name, default) if not isinstance(obj, dict) else obj.get(name, default)


def _index_text(index: Iterable[Any]) -> str:
    return ", ".join(str(i) for i in index)


def result_header(result: Any) -> Table:
    """A two-column grid: status, objective, bound, gap and timings."""
    status = str(_get(result, "status", "unknown"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("Status", Text(status, style=STATUS_STYLE.get(status, "bold")))
    grid.add_row("Objective", Text(fmt_number(_get(result, "objective"))))
    for name, value in (_get(result, "objectives") or {}).items():  # several objectives
        grid.add_row(f"  {name}", Text(fmt_number(value)))
    grid.add_row("Best bound", Text(fmt_number(_get(result, "bound"))))
    grid.add_row("Gap", Text(fmt_gap(_get(result, "gap"))))
    t = _get(result, "timings")
    if t is not None:
        grid.add_row("Time", Text(
            f"{_get(t, 'total', 0.0):.3f} s (build {_get(t, 'build', 0.0):.3f} s, "
            f"solve {_get(t, 'solve', 0.0):.3f} s)"))
    backend = _get(result, "backend")
    if backend:
        grid.add_row("Backend", Text(str(backend)))
    message = _get(result, "message")
    if message and status != "optimal":
        grid.add_row("Message", Text(str(message)))
    return grid


def result_table(result: Any, *, max_rows: int = 200, per_variable: int = 50) -> RenderableType:
    """A table of the nonzero variable values, grouped by variable.

    At most ``per_variable`` rows per variable and ``max_rows`` in all; a final line says
    how many nonzero values were left out (``--json`` prints them all).
    """
    groups: "OrderedDict[str, list[Any]]" = OrderedDict()
    for v in _get(result, "variables", None) or []:
        value = _get(v, "value")
        if value is None or abs(float(value)) <= ZERO_TOL:
            continue
        groups.setdefault(str(_get(v, "name")), []).append(v)
    if not groups:
        has_vars = bool(_get(result, "variables", None))
        return Text("All variables are zero." if has_vars else "No variable values.",
                    style="dim")
    table = Table(title="Nonzero variables", title_justify="left", show_edge=False,
                  header_style="bold")
    table.add_column("variable")
    table.add_column("index")
    table.add_column("value", justify="right")
    shown = left_out = 0
    names = list(groups)
    for gi, name in enumerate(names):
        rows = groups[name]
        for k, v in enumerate(rows):
            if k >= per_variable or shown >= max_rows:
                left_out += len(rows) - k
                break
            table.add_row(Text(name if k == 0 else ""), Text(_index_text(_get(v, "index") or [])),
                          Text(fmt_number(_get(v, "value"))),
                          end_section=(k == len(rows) - 1 and gi < len(names) - 1))
            shown += 1
    if not left_out:
        return table
    return Group(table, Text(f"... {left_out} more nonzero value(s) not shown "
                             f"(use --json for all).", style="dim"))


def diagnosis_panel(result: Any) -> RenderableType | None:
    """The diagnosis as a panel, or None when there is nothing to say."""
    diag = _get(result, "diagnosis")
    if diag is None:
        return None
    text = diag.text() if hasattr(diag, "text") else str(diag)
    kind = str(_get(diag, "kind", "") or "")
    if not text.strip():
        return None
    style = "green" if kind == "ok" else ("yellow" if kind == "suspicious" else "red")
    return Panel(Text(text), title=f"Diagnosis ({kind})" if kind else "Diagnosis",
                 title_align="left", border_style=style)


def sensitivity_panel(result: Any) -> RenderableType | None:
    """The sensitivity (shadow prices, slacks, ranges) as sentences in a panel, or None."""
    sens = _get(result, "sensitivity")
    if sens is None or not hasattr(sens, "text"):
        return None
    text = sens.text()
    if not text.strip():
        return None
    title = "Sensitivity" + (" (integers fixed)" if str(_get(sens, "basis", "")) ==
                             "fixed_integers" else "")
    return Panel(Text(text), title=title, title_align="left", border_style="cyan")


def what_if_panel(result: Any) -> RenderableType | None:
    """A what-if's comparison with the original optimum, in a panel (None if not one)."""
    w = _get(result, "what_if")
    if w is None:
        return None
    style = "green" if _get(w, "within_range") else ("yellow" if _get(w, "within_range") is False
                                                      else "cyan")
    return Panel(Text(str(_get(w, "explanation", ""))), title="What if", title_align="left",
                 border_style=style)


def print_result(console: Console, result: Any, *, title: str | None = None) -> None:
    """Print a header (status, objective, bound, gap, time), the nonzero variables
    grouped by variable, the sensitivity and the diagnosis in panels."""
    console.print(Panel(result_header(result), title=Text(title) if title else None,
                        title_align="left", expand=False))
    status = str(_get(result, "status", ""))
    if _get(result, "variables", None) or status in ("optimal", "time_limit_feasible"):
        console.print(result_table(result))
    wif = what_if_panel(result)
    if wif is not None:
        console.print(wif)
    sens = sensitivity_panel(result)
    if sens is not None:
        console.print(sens)
    panel = diagnosis_panel(result)
    if panel is not None:
        console.print(panel)


def issue_fields(issue: Any) -> tuple[str, str | None, str, str | None]:
    """``(where, symbol, message, fix)`` of an Issue, a dict or a plain string."""
    if isinstance(issue, str):
        return "", None, issue, None
    return (str(_get(issue, "where", "") or ""), _get(issue, "symbol"),
            str(_get(issue, "message", issue)), _get(issue, "fix"))


def print_issues(console: Console, issues: Iterable[Any], *,
                 title: str = "The formulation is invalid") -> None:
    """Print every issue: where (constraint, objective, ...), symbol, message and fix."""
    issues = list(issues)
    console.print(Text(f"{title}: {len(issues)} issue(s)", style="bold red"), soft_wrap=True)
    for n, issue in enumerate(issues, start=1):
        where, symbol, message, fix = issue_fields(issue)
        line = Text(f"{n}. ", style="bold")
        if where:
            line.append(where, style="bold")
            line.append(": ")
        line.append(message)
        console.print(line, soft_wrap=True)
        if symbol:
            console.print(Text("   symbol: ", style="dim") + Text(str(symbol)), soft_wrap=True)
        if fix:
            console.print(Text("   fix: ", style="bold cyan") + Text(str(fix)), soft_wrap=True)


def formulation_renderable(f: Any) -> RenderableType:
    """A formulation as Unicode math for the terminal (no LaTeX): the name, assumptions,
    then Sets, Parameters, Variables, Objective and Constraints, descriptions dimmed."""
    from optimus.render.unicode_math import flat, unicode_sections

    parts: list[RenderableType] = [Text(flat(f.name), style="bold underline")]
    if f.description:
        parts.append(Text(flat(f.description), style="italic"))
    for a in f.assumptions:
        parts.append(Text("assume: ", style="dim") + Text(flat(a)))
    for title, rows in unicode_sections(f):
        parts.append(Text(title, style="bold"))
        for line, desc in rows:
            t = Text("  ") + Text(line)
            if desc:
                t.append(f"   — {desc}", style="dim")
            parts.append(t)
    return Group(*parts)


def print_formulation(console: Console, f: Any) -> None:
    """Print :func:`formulation_renderable`."""
    console.print(formulation_renderable(f), soft_wrap=False)
