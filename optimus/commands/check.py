"""``optimus check MODEL``: validate a model file without solving it.

Runs the static checks and compiles the model (which finds index errors that only show
for concrete values, such as ``inv[t - 1]`` at the first period). Exit 0 when valid, 2
with every issue printed when not.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from optimus.safe_text import SafeConsole
from optimus.formulation import load_formulation
from optimus.pipeline import SolveOptions, solve_model
from optimus.render.console import print_issues


def register(app: typer.Typer) -> None:
    """Add ``optimus check`` to the app."""

    @app.command("check")
    def check_cmd(
        model: Path = typer.Argument(..., metavar="MODEL", help="Model file (.json, .yaml)."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object on stdout."),
    ) -> None:
        """Check MODEL without solving it: every issue with its fix (exit 0 valid, 2 not)."""
        code = check_model(model, json_out=json_out)
        if code:
            raise SystemExit(code)


def check_model(path: Path, *, json_out: bool = False, console: Console | None = None) -> int:
    """Check and compile the model file at ``path``; print the outcome; return the exit code."""
    f = load_formulation(path)
    report = solve_model(f, SolveOptions(solve=False))
    lp, issues = report.program, report.issues
    if json_out:
        print(json.dumps({
            "valid": not issues,
            "issues": [i.to_dict() for i in issues],
            "columns": lp.num_cols if lp else None,
            "rows": lp.num_rows if lp else None,
            "integer_columns": int(lp.integrality.sum()) if lp else None,
        }))
    elif issues:
        print_issues(console or SafeConsole(stderr=True), issues)
    else:
        (console or SafeConsole()).print(
            f"{path}: valid. {lp.num_cols} variable column(s) "  # type: ignore[union-attr]
            f"({int(lp.integrality.sum())} integer), {lp.num_rows} constraint row(s), "  # type: ignore[union-attr]
            f"{len(f.constraints)} constraint famil{'y' if len(f.constraints) == 1 else 'ies'}.",
            highlight=False, soft_wrap=True)
    return report.exit_code()
