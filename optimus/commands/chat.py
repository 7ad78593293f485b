"""``optimus chat``: state a problem, then refine it line by line (see /help).

Reads lines from stdin, so it works interactively and with piped input; it ends at
``/quit`` or at the end of input. The logic lives in :class:`optimus.agent.session.ChatSession`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional, TextIO

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from optimus.safe_text import SafeConsole
from optimus.agent.limits import DEFAULT_MAX_ATTEMPTS
from optimus.agent.providers import DEFAULT_TIMEOUT, configured, no_model_message
from optimus.errors import Interrupted, ProviderError, UserError
from optimus.exitcodes import ExitCode
from optimus.render.console import fmt_number

if TYPE_CHECKING:  # the agent (and LangChain) load only when chat runs
    from optimus.agent.session import ChatSession, ChatTurn, SolutionChange


def print_change(console: Console, change: SolutionChange) -> None:
    if change.status_before is not None:
        console.print(Text(f"status: {change.status_before} -> {change.status_after}; objective: "
                           f"{fmt_number(change.objective_before)} -> {fmt_number(change.objective_after)}"))
    if change.variables and change.status_before is not None:
        table = Table(title="Changed values", title_justify="left", show_edge=False)
        for col in ("variable", "before", "after"):
            table.add_column(col, justify="left" if col == "variable" else "right")
        for v in change.variables[:50]:
            idx = f"[{', '.join(map(str, v.index))}]" if v.index else ""
            table.add_row(Text(v.name + idx), fmt_number(v.before), fmt_number(v.after))
        console.print(table)


def show_turn(console: Console, turn: ChatTurn) -> None:
    """Render one turn of the session."""
    from optimus.commands.solve import print_answer

    if turn.kind == "info":
        if turn.text.lstrip().startswith(("#", "$", "**")):
            from optimus.commands.solve import terminal_markdown

            console.print(terminal_markdown(turn.text))
        else:
            console.print(Text(turn.text))
        if turn.answer is not None:
            from optimus.render.console import print_result

            print_result(console, turn.answer)
        return
    if turn.kind == "error":
        console.print(Text(turn.text, style="red"))
        return
    if turn.kind in ("not_optimization", "unchanged"):
        console.print(Text(turn.text or "(no change)", style="yellow"))
        return
    if turn.kind == "solved" and turn.answer is not None:
        print_answer(console, turn.answer)
        return
    if turn.kind == "edited" and turn.answer is not None:
        if turn.text:
            console.print(Text(turn.text))
        if turn.formulation_diff:
            console.print(Syntax(turn.formulation_diff, "diff", theme="ansi_dark", word_wrap=True))
        if turn.solution_change is not None:
            print_change(console, turn.solution_change)
        if turn.answer.status != "optimal" and turn.answer.diagnosis is not None:
            console.print(Text(turn.answer.diagnosis.text()))


def chat_inputs(stdin: TextIO, model_file: Path | None = None) -> dict[Any, str]:
    """What chat reads, for the writer's refusals: the file piped into stdin (by its
    descriptor, whatever it is called) and the model file."""
    inputs: dict[Any, str] = {}
    try:
        inputs[stdin.fileno()] = "the file chat is reading its lines from"
    except (AttributeError, OSError, ValueError):
        pass
    if model_file is not None:
        inputs[Path(model_file)] = "the model file chat opened"
    return inputs


def chat_loop(session: ChatSession, stdin: TextIO, console: Console, *, interactive: bool) -> int:
    """Read lines until /quit or end of input; returns the exit code (3 if the provider
    failed on any line, else 0)."""
    code = ExitCode.OK
    if interactive:
        console.print(Text("optimus chat: describe your optimization problem (/help for commands).",
                           style="bold"))
    while True:
        if interactive and not getattr(stdin, "shows_prompt", False):
            console.print(Text("> ", style="bold cyan"), end="")
        line = stdin.readline()
        if not line:
            break
        while line.rstrip("\r\n").endswith("\\"):  # a trailing backslash continues the message
            more = stdin.readline()
            line = line.rstrip("\r\n")[:-1] + "\n" + more
            if not more:
                break
        try:
            turn = session.handle(line)
        except ProviderError as exc:
            console.print(Text(f"model provider error: {exc}", style="red"))
            code = ExitCode.PROVIDER
            continue
        if turn is None:
            continue
        if turn.kind == "quit":
            break
        show_turn(console, turn)
    return code


def register(app: typer.Typer) -> None:
    """Add ``optimus chat``."""

    @app.command("chat")
    def chat_cmd(
        model_file: Optional[Path] = typer.Argument(
            None, metavar="[MODEL]", help="Start from a saved model (.yaml, .yml or .json); "
                                          "messages then edit it."),
        model: Optional[str] = typer.Option(None, "--model", "-m", help="provider:model (default: $OPTIMUS_MODEL)."),
        base_url: Optional[str] = typer.Option(None, "--base-url", help="An OpenAI-compatible server, e.g. http://localhost:8000/v1."),
        max_attempts: int = typer.Option(DEFAULT_MAX_ATTEMPTS, "--max-attempts", min=1, max=20),
        structured: Optional[str] = typer.Option(None, "--structured", help="tool or json."),
        timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", help="Seconds per model call."),
        offline: bool = typer.Option(False, "--offline", help="No model: the offline reader, then explicit edits (set, add, drop, make, minimize/maximize instead, undo)."),
        data: Optional[List[str]] = typer.Option(None, "--data", metavar="[NAME=]FILE",
                                                 help="Attach a data table (CSV, TSV, XLSX, JSON, Parquet); repeatable."),
    ) -> None:
        """Chat about a problem: the first message states it (or MODEL is opened), later
        ones edit and re-solve. With --offline, or when no model is configured, the
        offline reader takes the first message and explicit edits the later ones."""
        from optimus.agent.session import ChatSession
        from optimus.agent.langchain_model import make_model
        from optimus.commands.line_editing import chat_input

        attachments = None
        if data:
            from optimus.datafiles import Attachments

            attachments = Attachments.from_items(list(data))  # bad file: a message, exit 2
        start = None
        if model_file is not None:
            from optimus.formulation import load_formulation

            start = load_formulation(model_file)  # bad file: a message, exit 2
        if offline and (model or base_url):
            raise UserError("--offline excludes --model and --base-url.", fix="Pass only one of them.")
        model, base_url = (None, None) if offline else configured(model, base_url)
        if attachments and (offline or not (model or base_url)):
            message, fix = no_model_message()
            raise UserError("--data needs a language model: the offline reader does not read "
                            "tables." + ("" if offline else f" {message}"), fix=fix)
        if offline or not (model or base_url):
            from optimus.offline.offline_model import OfflineModel

            if not offline:
                message, fix = no_model_message()
                SafeConsole(stderr=True).print(Text(f"{message} Using the offline reader: the first "
                                                "message is read by rules, later ones by explicit "
                                                f"edits only. {fix}", style="yellow"))
            llm, max_attempts = OfflineModel(), 1
        from optimus.render.agent_status import StderrProgress

        progress = StderrProgress()
        if not offline and (model or base_url):
            llm = make_model(model, base_url=base_url, structured=structured, timeout=timeout,  # type: ignore[arg-type]
                             progress=progress)

        session = ChatSession(llm, max_attempts=max_attempts, attachments=attachments,
                              progress=progress)
        session.inputs = chat_inputs(sys.stdin, model_file)
        console = SafeConsole()
        try:
            with progress:
                if start is not None:
                    opened = session.start_from(start, model_file.name)  # type: ignore[union-attr]
                    console.print(Text(opened.text, style="bold"))
                    show_turn(console, opened)
                code = chat_loop(session, chat_input(sys.stdin), console,
                                 interactive=sys.stdin.isatty())
        except KeyboardInterrupt:
            raise Interrupted("interrupted (Ctrl-C): the chat ended; files written by /save, "
                              "/code and /math are complete.") from None
        if code:
            raise SystemExit(code)  # typer.Exit's code is dropped with standalone_mode=False


