"""``optimus solve "TEXT" | -f FILE``: natural language -> formulation -> solution.

Prints the formulation as math, the solution table and the attempts made; ``--json``
prints exactly one JSON object on stdout (the result's shape plus ``formulation``,
``attempts`` and ``usage``); notices go to stderr.

Exit codes:

* 0 - optimal;
* 1 - a formulation was solved but not to optimality (infeasible, unbounded,
  time limit, error, ...), after the repair budget;
* 2 - bad input or configuration (empty or too long text, unreadable file, bad option,
  missing provider package);
* 3 - the model provider failed (bad key, rate limit after retries, timeout, server down);
* 5 - no solve happened: the text states no optimization problem (``not_optimization``)
  or no valid formulation was found (``invalid_formulation``).

With no model configured (no ``--model``, ``OPTIMUS_MODEL`` or ``--base-url``), or with
``--offline``, the offline formulator (rules, no network) is used; the fallback says so
on stderr with how to configure a model.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from optimus.safe_text import SafeConsole
from optimus.agent.providers import DEFAULT_TIMEOUT, configured, no_model_message
from optimus.agent.limits import DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_LIMIT, check_text
from optimus.answer import Answer
from optimus.commands.outputs import (
    check_output_paths, check_solution_path, stdout_silenced, write_solution_file, write_text,
)
from optimus.errors import Interrupted, UserError
from optimus.formulation import Formulation
from optimus.exitcodes import exit_code
from optimus.result import Status

def read_problem(text: str | None, file: Path | None) -> str:
    """The problem text from the argument, a file, or stdin (``-f -``); checked for size."""
    if text is not None and file is not None:
        raise UserError("Give the problem either as TEXT or with -f FILE, not both.",
                        fix='optimus solve "A bakery ..."  or  optimus solve -f problem.txt')
    if file is not None:
        from optimus.budget import MAX_TEXT_CHARS, InputLimitError, decode_utf8, read_limited

        limit = 4 * MAX_TEXT_CHARS + 4  # bytes: enough for the longest text allowed
        if str(file) == "-":
            text = sys.stdin.read(MAX_TEXT_CHARS + 1)
        else:
            if not file.exists():
                raise UserError(f"no such file: {file}", fix="Check the path of -f FILE.")
            if file.is_dir():
                raise UserError(f"{file} is a directory, not a text file.",
                                fix="Pass the path of a text file with -f FILE.")
            try:
                text = decode_utf8(read_limited(file, limit), str(file))
            except InputLimitError as exc:
                if "larger than" in str(exc):
                    raise UserError(f"{file} holds more than {limit:,} bytes; a problem text "
                                    f"may have at most {MAX_TEXT_CHARS:,} characters.",
                                    fix="Shorten the text, or put large data tables in a "
                                        "model file with data files.") from None
                raise UserError(f"{exc}.", fix="Save the problem as UTF-8 text.") from None
            except OSError as exc:
                raise UserError(f"cannot read {file}: {exc.strerror or exc}",
                                fix="Pass a readable UTF-8 text file.") from None
    return check_text(text)


def solve_offline_answer(text: str) -> Answer:
    """The offline formulator's answer (rules, no network)."""
    try:
        from optimus.offline import solve_offline  # type: ignore[attr-defined]
    except ImportError:
        message, fix = no_model_message()
        raise UserError(message + " (The offline formulator is not available.)", fix=fix) from None
    return solve_offline(text)


_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")


def terminal_markdown(markdown: str) -> Markdown:
    """Markdown for the terminal: LaTeX shown as code, so ``_`` and ``*`` stay literal."""
    text = _DISPLAY_MATH.sub(lambda m: "\n```latex\n" + m.group(1).strip() + "\n```\n", markdown)
    text = _INLINE_MATH.sub(lambda m: "`" + m.group(1).replace("`", "'") + "`", text)
    return Markdown(text)


def print_answer(console: Console, answer: Answer) -> None:
    """Formulation as Unicode math (LaTeX is for ``--latex`` files), solution table,
    attempts and notes."""
    from optimus.render.console import print_formulation, print_result

    if answer.formulation is not None:
        print_formulation(console, answer.formulation)
        console.print()
    print_result(console, answer)
    print_attempts(console, answer)
    if answer.unexplained_numbers:
        nums = ", ".join(f"{n:g}" for n in answer.unexplained_numbers)
        console.print(Text(f"Numbers of the text used nowhere in the formulation: {nums}", style="yellow"))
    if answer.as_stated:
        print_as_stated(console, answer)
    elif answer.message and str(answer.status) == "optimal":  # else the header shows it
        console.print(Text(answer.message))
    u = answer.usage
    who = answer.formulator or "?"
    console.print(Text(f"formulator: {who}; model calls: {u.calls}, tokens in/out: "
                       f"{u.input_tokens}/{u.output_tokens}", style="dim"))


def print_as_stated(console: Console, answer: Answer) -> None:
    """The model's reason for an infeasible (or unbounded) text, beside the conflict and
    the smallest change that restores feasibility."""
    from rich.panel import Panel

    what = str(answer.status).replace("_", " ").capitalize()
    body = Text()
    body.append("The model's reason: ", style="bold")
    body.append(answer.reason or "(none given)")
    d = answer.diagnosis
    if d is not None and d.conflict:
        body.append("\nConflicting: ", style="bold")
        body.append(", ".join(c.label for c in d.conflict))
    if d is not None and d.relaxation:
        body.append("\nSmallest change that makes it feasible: ", style="bold")
        body.append(d.relaxation_text())
    if d is not None and d.unbounded_variables:
        body.append("\nUnbounded: ", style="bold")
        body.append(", ".join(v.label for v in d.unbounded_variables))
    console.print(Panel(body, title=f"{what} as stated", title_align="left", border_style="yellow"))


def print_attempts(console: Console, answer: Answer) -> None:
    """The attempts made (outcome, objective, what the checker or solver found)."""
    from optimus.render.console import fmt_number

    if not answer.attempts:
        return
    table = Table(title="Attempts", title_justify="left", show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("outcome")
    table.add_column("objective", justify="right")
    table.add_column("tokens in/out", justify="right")
    table.add_column("what was found")
    for a in answer.attempts:
        found = ""
        if a.diagnosis is not None:
            d = a.diagnosis
            found = d.summary or ""
            if d.issues:
                found += (" " if found else "") + "; ".join(d.issues[:3])
        tokens = f"{a.usage.input_tokens}/{a.usage.output_tokens}" if a.usage else "-"
        table.add_row(str(a.number), Text(a.status), fmt_number(a.objective), tokens,
                      Text(found[:300]))
    console.print(table)


def plan_outputs(code: Path | None, latex: Path | None, file: Path | None,
                 solution: Path | None = None, save: Path | None = None) -> dict[str, Path]:
    """Validate ``--code``/``--latex``/``--solution``/``--save`` before any model call (never
    the ``-f`` input)."""
    inputs = {file.resolve(): "the problem file"} if file is not None and str(file) != "-" else {}
    if save is not None and Path(save).suffix.lower() not in (".yaml", ".yml", ".json"):
        raise UserError(f"--save {save}: use a .yaml, .yml or .json file.",
                        fix="For example --save model.yaml (optimus run model.yaml reads it).")
    return check_output_paths({"code": code, "latex": latex, "solution": solution, "save": save},
                              inputs)


def write_outputs(answer: Answer, outputs: dict[str, Path], err: Console) -> None:
    """Write the Pyomo script and the Markdown math of the answer's formulation."""
    if not outputs:
        return
    if "solution" in outputs:
        if answer.status in (Status.OPTIMAL, Status.TIME_LIMIT_FEASIBLE) and answer.variables:
            write_solution_file(outputs["solution"], answer.variables, answer.formulation)
            err.print(Text(f"wrote {outputs['solution']}"))
        else:
            err.print(Text(f"no solution ({answer.status}): --solution was not written"))
        outputs = {k: v for k, v in outputs.items() if k != "solution"}
        if not outputs:
            return
    f = answer.formulation
    if f is None:
        err.print("no formulation: --code/--latex/--save files were not written", highlight=False)
        return
    from optimus.agent.session import code_text, math_text
    from optimus.errors import FormulationError

    def model_text(f: Formulation) -> str:
        return f.to_yaml() if outputs["save"].suffix.lower() in (".yaml", ".yml") else f.to_json()

    for kind, render in (("code", code_text), ("latex", math_text), ("save", model_text)):
        if kind in outputs:
            try:
                text = render(f)
            except (FormulationError, UserError) as exc:
                # an invalid formulation has no script: say so, keep the answer's exit code
                # (5 for invalid_formulation, as documented)
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                err.print(Text(f"--{kind}: not written, the formulation is invalid ({first})"),
                          highlight=False)
                continue
            write_text(outputs[kind], text)
            err.print(Text(f"wrote {outputs[kind]}"))


def register(app: typer.Typer) -> None:
    """Add ``optimus solve``."""

    @app.command("solve")
    def solve_cmd(
        text: Optional[str] = typer.Argument(None, help="The problem in plain language."),
        file: Optional[Path] = typer.Option(None, "-f", "--file", help="Read the problem from FILE ('-' for stdin)."),
        model: Optional[str] = typer.Option(None, "--model", "-m", help="provider:model, e.g. openai:gpt-4o-mini (default: $OPTIMUS_MODEL)."),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="An OpenAI-compatible server, e.g. http://localhost:8000/v1."),
        max_attempts: int = typer.Option(DEFAULT_MAX_ATTEMPTS, "--max-attempts", min=1, max=20, help="Formulate + repair attempts."),
        code: Optional[Path] = typer.Option(None, "--code", metavar="OUT.py", help="Write a standalone Pyomo script."),
        latex: Optional[Path] = typer.Option(None, "--latex", metavar="OUT.md", help="Write the model as Markdown with LaTeX."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object on stdout, nothing else."),
        offline: bool = typer.Option(False, "--offline", help="Use the offline formulator (no model, no network)."),
        structured: Optional[str] = typer.Option(None, "--structured", help="Structured output: tool (tool calling) or json (JSON schema)."),
        timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", help="Seconds per model call."),
        data: Optional[List[str]] = typer.Option(None, "--data", metavar="[NAME=]FILE",
                                                 help="Attach a data table (CSV, TSV, XLSX, JSON, Parquet); repeatable."),
        solution: Optional[Path] = typer.Option(None, "--solution", metavar="OUT.csv|OUT.xlsx",
                                                help="Write the solution: one table per variable."),
        time_limit: float = typer.Option(DEFAULT_TIME_LIMIT, "--time-limit", metavar="S", help="Solver seconds per solve."),
        backend: str = typer.Option("highs", "--backend", metavar="NAME", help="Solver backend: highs or pulp (CBC)."),
        save: Optional[Path] = typer.Option(None, "--save", metavar="MODEL.yaml", help="Save the formulation (.yaml, .yml or .json) for optimus run."),
        max_tokens: Optional[int] = typer.Option(None, "--max-tokens", metavar="N", help="Token budget (in + out) for the problem; when spent, the best answer so far."),
    ) -> None:
        """Formulate a problem stated in plain language, solve it, explain the outcome.

        Exit codes: 0 optimal, 1 not optimal, 2 bad input, 3 provider failure, 5 no
        optimization problem / no valid formulation, 130 interrupted (Ctrl-C).
        """
        code_ = run_solve(text, file=file, model=model, base_url=base_url, max_attempts=max_attempts,
                          code=code, latex=latex, json_out=json_out, offline=offline,
                          structured=structured, timeout=timeout, data=data, solution=solution,
                          time_limit=time_limit, backend=backend, save=save, max_tokens=max_tokens)
        if code_:
            raise SystemExit(code_)  # typer.Exit's code is dropped with standalone_mode=False


def run_solve(text: str | None, *, file: Path | None = None, model: str | None = None,
              base_url: str | None = None, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
              code: Path | None = None, latex: Path | None = None, json_out: bool = False,
              offline: bool = False, structured: str | None = None,
              timeout: float = DEFAULT_TIMEOUT, console: Console | None = None,
              data: list[str] | None = None, solution: Path | None = None,
              time_limit: float | None = DEFAULT_TIME_LIMIT, backend: str = "highs",
              save: Path | None = None, max_tokens: int | None = None) -> int:
    """What ``optimus solve`` does; returns the exit code."""
    from optimus.solvers import backend_name

    err = SafeConsole(stderr=True, soft_wrap=True)
    out = console or SafeConsole()
    problem = read_problem(text, file)
    check_solution_path(solution)
    outputs = plan_outputs(code, latex, file, solution, save)
    attachments = None
    if data:
        from optimus.datafiles import Attachments

        attachments = Attachments.from_items(list(data))  # every file read and checked now
        inputs = {p.resolve(): "an attached data file" for p in attachments.paths()}
        check_output_paths({k: v for k, v in outputs.items()}, inputs)
    backend = backend_name(backend)
    if time_limit is not None and not time_limit > 0:
        raise UserError(f"--time-limit must be a positive number of seconds, got {time_limit:g}.",
                        fix="For example --time-limit 60.")
    if max_tokens is not None and max_tokens < 1:
        raise UserError(f"--max-tokens must be at least 1, got {max_tokens}.",
                        fix="For example --max-tokens 20000.")
    model, base_url = configured(model, base_url)
    if attachments and (offline or not (model or base_url)):
        message, fix = no_model_message()
        raise UserError("--data needs a language model: the offline formulator does not read "
                        "tables." + ("" if offline else f" {message}"), fix=fix)
    try:
        if offline or not (model or base_url):
            if not offline:
                message, fix = no_model_message()
                err.print(f"{message} Used the offline formulator (rules, no network; simple "
                          f"word problems only).", highlight=False)
                err.print(f"To use a language model: {fix}", highlight=False)
            if backend != "highs" or time_limit != DEFAULT_TIME_LIMIT:
                err.print("note: --backend and --time-limit apply to a language model's "
                          "formulation; the offline formulator solves with HiGHS.", highlight=False)
            with stdout_silenced(json_out):
                answer = solve_offline_answer(problem)
        else:
            from optimus.api import solve
            from optimus.render.agent_status import StderrProgress

            with stdout_silenced(json_out), StderrProgress(err) as progress:
                answer = solve(problem, model, base_url=base_url, max_attempts=max_attempts,
                               structured=structured, timeout=timeout,  # type: ignore[arg-type]
                               time_limit=time_limit, backend=backend, max_tokens=max_tokens,
                               progress=progress, data=attachments)
    except KeyboardInterrupt:
        raise Interrupted("interrupted (Ctrl-C) before an answer; nothing was written.") from None
    if json_out:
        sys.stdout.write(json.dumps(answer.to_json_dict()) + "\n")
        sys.stdout.flush()
    else:
        print_answer(out, answer)
    write_outputs(answer, outputs, err)
    return exit_code(answer.status)


