"""``optimus run MODEL``: check, build and solve a typed model file; write code and math.

Exit codes:

* 0 - optimal, or a feasible solution at the time limit (``time_limit_feasible``);
* 1 - solved, but not optimal: infeasible, unbounded, infeasible_or_unbounded,
  time_limit_no_solution, error or unknown;
* 2 - bad input: missing or unreadable file, invalid JSON/YAML, schema violation, an
  invalid formulation (every issue is printed), or a bad option;
* 4 - ``--cross-check`` found that the backends disagree.

With ``--json`` exactly one JSON object is printed on stdout (the result's shape:
``status, objective, bound, gap, variables, diagnosis, sensitivity, timings``, plus
``cross_check`` with ``--cross-check``, and ``what_if`` with ``--set``); messages go to
stderr. ``--set NAME=VALUE`` / ``--set 'NAME[i,j]=VALUE'`` overrides parameters, solves
the model as given and as changed, and reports the changed one with ``what_if``: whether
the change stayed inside the ranges of the original optimum (the duals predicted it) or
changed the plan. ``sensitivity`` (shadow
prices, slacks, reduced costs, ranges) is computed for small models, always with
``--sensitivity``, never with ``--no-sensitivity``; otherwise it is null.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from optimus.safe_text import SafeConsole
from optimus.commands.outputs import (
    atomic_write, check_output_paths, check_solution_path, stdout_silenced, write_solution_file,
    write_text,
)

def register(app: typer.Typer) -> None:
    """Add ``optimus run`` to the app."""

    @app.command("run")
    def run_cmd(
        model: str = typer.Argument(..., metavar="MODEL",
                                    help="Model file: a Formulation as .json, .yaml or .yml."),
        backend: str = typer.Option("highs", "--backend", "-b", help="Solver: highs or pulp (cbc)."),
        cross_check: bool = typer.Option(False, "--cross-check",
                                         help="Also solve with every backend and compare."),
        time_limit: Optional[float] = typer.Option(None, "--time-limit", metavar="S",
                                                   help="Time limit in seconds."),
        mip_gap: Optional[float] = typer.Option(None, "--mip-gap", metavar="G",
                                                help="Relative MIP gap, e.g. 0.01."),
        code: Optional[Path] = typer.Option(None, "--code", metavar="OUT.py",
                                            help="Write a standalone Pyomo script."),
        latex: Optional[Path] = typer.Option(None, "--latex", metavar="OUT.md",
                                             help="Write the model as Markdown with LaTeX."),
        lp_out: Optional[Path] = typer.Option(None, "--lp", metavar="OUT.lp",
                                              help="Write the model as an LP file."),
        mps_out: Optional[Path] = typer.Option(None, "--mps", metavar="OUT.mps",
                                               help="Write the model as an MPS file."),
        solution: Optional[Path] = typer.Option(None, "--solution", metavar="OUT.csv|OUT.xlsx",
                                                help="Write the solution: one table per variable."),
        json_out: bool = typer.Option(False, "--json",
                                      help="Print one JSON object on stdout, nothing else."),
        sensitivity: Optional[bool] = typer.Option(
            None, "--sensitivity/--no-sensitivity",
            help="Shadow prices, slacks, reduced costs and ranges of the optimum (default: "
                 "shown for models of at most 200 rows and 200 columns)."),
        set_: Optional[list[str]] = typer.Option(
            None, "--set", metavar="NAME=VALUE",
            help="What-if: override a parameter (NAME=VALUE or 'NAME[i,j]=VALUE'; repeat for "
                 "more), re-solve, and say whether the duals predicted the change."),
    ) -> None:
        """Check, build and solve MODEL; print the solution (exit 0 optimal, 1 not optimal,
        2 bad input, 4 backends disagree)."""
        code_ = run(model, backend=backend, cross_check=cross_check, time_limit=time_limit,
                    mip_gap=mip_gap, code=code, latex=latex, lp=lp_out, mps=mps_out,
                    json_out=json_out, sensitivity=sensitivity, solution=solution,
                    overrides=set_ or [])
        if code_:
            raise SystemExit(code_)  # typer.Exit's code is dropped with standalone_mode=False


# --------------------------------------------------------------------------- the work
def run(model: str | Path, *, backend: str = "highs", cross_check: bool = False,
        time_limit: float | None = None, mip_gap: float | None = None,
        code: Path | None = None, latex: Path | None = None, lp: Path | None = None,
        mps: Path | None = None, json_out: bool = False, sensitivity: bool | None = None,
        solution: Path | None = None, overrides: list[str] | None = None,
        console: Console | None = None, err_console: Console | None = None) -> int:
    """Do what ``optimus run`` does and return its exit code.

    Bad input raises :class:`~optimus.errors.UserError` (the CLI prints it, exit 2).
    """
    from optimus.formulation import load_formulation

    out = console or SafeConsole(highlight=False)
    err = err_console or SafeConsole(stderr=True, highlight=False)
    from optimus.pipeline import SolveOptions

    SolveOptions(backend=backend, time_limit=time_limit, mip_gap=mip_gap)  # bad options: exit 2
    from optimus.whatif import parse_override

    changes = [parse_override(o) for o in overrides or []]  # bad --set: exit 2
    model_path = Path(model)
    f = load_formulation(model_path)
    check_solution_path(solution)
    outputs = _plan_outputs(model_path, f, {"code": code, "latex": latex, "lp": lp, "mps": mps,
                                            "solution": solution})

    real_stdout = sys.stdout
    with stdout_silenced(json_out):
        payload, exit_code, written, result, cc = _solve(
            f, backend=backend, cross_check=cross_check, time_limit=time_limit,
            mip_gap=mip_gap, outputs=outputs, err=err, sensitivity=sensitivity,
            overrides=changes)

    if json_out:
        real_stdout.write(json.dumps(payload, allow_nan=False, default=str) + "\n")
        real_stdout.flush()
        return exit_code
    if result is not None:
        from optimus.render.console import print_result

        print_result(out, result, title=f"{f.name}  ({model_path.name})"
                     + ("  with " + ", ".join(map(str, changes)) if changes else ""))
        if cc is not None:
            _print_cross_check(out, cc)
    for kind, path in written:
        out.print(Text(f"Wrote {_KIND_LABEL[kind]}: {path}"), soft_wrap=True)
    return exit_code


_KIND_LABEL = {"code": "Pyomo script", "latex": "Markdown/LaTeX", "lp": "LP file",
               "mps": "MPS file", "solution": "solution"}


def _solve(f: Any, *, backend: str, cross_check: bool, time_limit: float | None,
           mip_gap: float | None, outputs: dict[str, Path], err: Console,
           sensitivity: bool | None = None, overrides: list[Any] | None = None
           ) -> tuple[dict[str, Any], int, list[tuple[str, Path]], Any, Any]:
    """Run the pipeline (twice for a what-if: as given and with the overrides), then write
    the outputs (of the formulation that was solved)."""
    from optimus.pipeline import SolveOptions, solve_model
    from optimus.render.console import print_issues

    options = SolveOptions(backend=backend, cross_check=cross_check, time_limit=time_limit,
                           mip_gap=mip_gap, sensitivity=sensitivity)
    if overrides:
        from optimus.whatif import what_if

        report = what_if(f, overrides, options)
        f = report.formulation
    else:
        report = solve_model(f, options)
    if report.issues:
        print_issues(err, report.issues)
        err.print(Text("Fix the issues above and run again; nothing was solved or written.",
                       style="bold"), soft_wrap=True)
        return report.to_json_dict(), report.exit_code(), [], None, None
    written: list[tuple[str, Path]] = []
    for kind in ("code", "lp", "mps", "latex", "solution"):
        if kind == "solution" and kind in outputs and not report.result.status.has_solution:
            err.print(Text(f"no solution ({report.result.status}): --solution was not written"))
            continue
        if kind in outputs:
            _write_output(kind, outputs[kind], f, report.result, report.program)
            written.append((kind, outputs[kind]))
    return report.to_json_dict(), report.exit_code(), written, report.result, report.cross_check


# --------------------------------------------------------------------------- options
def _plan_outputs(model: Path, f: Any, wanted: dict[str, Path | None]) -> dict[str, Path]:
    """Validate output paths before any work: never overwrite the model or its data files,
    never write two outputs to one file, and the directory must exist."""
    inputs = {model.resolve(): "the model file"}
    refs = [(f"parameter `{p.name}`", p.data) for p in getattr(f, "parameters", [])] + \
        [(f"set `{s.name}`", s.data) for s in getattr(f, "sets", [])]
    for what, ref in refs:
        if ref is not None and "\0" not in ref.path:
            path = Path(ref.path)
            path = path if path.is_absolute() else f.base_dir / path
            try:
                inputs[path.resolve()] = f"the data file of {what}"
            except (OSError, RuntimeError):  # a symlink loop: the checker reports it
                pass
    return check_output_paths(wanted, inputs)


# --------------------------------------------------------------------------- outputs
def _write_output(kind: str, path: Path, f: Any, result: Any, lp: Any) -> None:
    """Write one output file atomically (a temporary file renamed over the target); LP
    and MPS files are written from ``lp``, the program already built."""
    if kind == "code":
        from optimus.render.pyomo_code import to_pyomo_script

        write_text(path, to_pyomo_script(f))
    elif kind == "latex":
        from optimus.render.latex import to_markdown

        write_text(path, to_markdown(f, result=result))
    elif kind == "lp":
        from optimus.export import write_lp

        atomic_write(path, lambda tmp: write_lp(lp, tmp))
    elif kind == "mps":
        from optimus.export import write_mps

        atomic_write(path, lambda tmp: write_mps(lp, tmp))
    elif kind == "solution":
        write_solution_file(path, result.variables, f)
    else:  # pragma: no cover
        raise ValueError(kind)


def _print_cross_check(console: Console, cc: Any) -> None:
    from optimus.render.console import fmt_number

    table = Table(title="Cross-check", title_justify="left", show_edge=False,
                  header_style="bold")
    table.add_column("backend")
    table.add_column("status")
    table.add_column("objective", justify="right")
    table.add_column("time (s)", justify="right")
    for name, r in getattr(cc, "results", {}).items():
        table.add_row(Text(str(name)), Text(str(r.status)), Text(fmt_number(r.objective)),
                      Text(f"{r.timings.total:.3f}"))
    console.print(table)
    if getattr(cc, "agree", True):
        console.print(Text("The backends agree.", style="green"))
    else:
        console.print(Text("The backends DISAGREE:", style="bold red"))
        for d in getattr(cc, "differences", []):
            console.print(Text(f"- {d}"), soft_wrap=True)
