"""The ``optimus`` command line. Commands live in :mod:`optimus.commands`; this module
only assembles them and turns errors into messages with a fix and a non-zero exit code."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from optimus.safe_text import SafeConsole
from optimus.commands import chat, check, eval as eval_cmd, run, serve, solve
from optimus.errors import Interrupted, OptimusError, ProviderError, UserError
from optimus.exitcodes import ExitCode

class _App(typer.Typer):
    """The Typer app, run through :func:`command` (bare flags in ``--help``)."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        return command().main(*args, prog_name="optimus", **kwargs)  # type: ignore[arg-type]


app = _App(
    name="optimus",
    help="Describe an optimization problem; get a solved, checked model, its math and a Pyomo script.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from optimus.version import DISTRIBUTION, __version__

        typer.echo(f"optimus {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """optimus: natural-language optimization, solved with HiGHS."""


for module in (run, check, solve, chat, eval_cmd, serve):
    module.register(app)

err_console = SafeConsole(stderr=True, soft_wrap=True)  # no hard line breaks inside messages


@app.command("schema")
def schema_cmd() -> None:
    """Print the formulation's JSON schema (strict structured-output form)."""
    import json

    from optimus.formulation import strict_json_schema

    typer.echo(json.dumps(strict_json_schema(), indent=2))


def report_error(exc: BaseException) -> int:
    """Print an error for people (no traceback) and return the exit code."""
    if isinstance(exc, Interrupted):
        err_console.print(escape(exc.message), highlight=False)
        return ExitCode.INTERRUPTED
    if isinstance(exc, UserError):
        err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False, markup=True)
        if exc.fix:
            err_console.print(f"[bold]fix:[/] {escape(exc.fix)}", highlight=False)
        return exc.exit_code
    if isinstance(exc, ProviderError):
        err_console.print(f"[bold red]model provider error:[/] {escape(exc.message)}", highlight=False)
        if exc.fix:
            err_console.print(f"[bold]fix:[/] {escape(exc.fix)}", highlight=False)
        return ExitCode.PROVIDER
    err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
    return ExitCode.NOT_OPTIMAL


def command() -> typer.core.TyperGroup:
    """The click command of :data:`app`, with every on/off option shown as a bare flag
    in ``--help`` (``--json``, not ``--json <bool>``: a flag takes no value)."""
    group = typer.main.get_command(app)

    def flag(param: object) -> object:
        if getattr(param, "is_flag", False) and getattr(param, "metavar", "") is None:
            param.metavar = ""  # type: ignore[attr-defined]
        return param

    def bare(cmd: object) -> None:
        for param in getattr(cmd, "params", []):
            flag(param)
        help_option = cmd.get_help_option  # type: ignore[attr-defined]
        cmd.get_help_option = lambda ctx: flag(help_option(ctx))  # type: ignore[attr-defined]
        for sub in getattr(cmd, "commands", {}).values():
            bare(sub)

    bare(group)
    return group  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    code = _main(argv)
    if code == ExitCode.INTERRUPTED:
        _exit_now_if_busy(code)
    return code


def _exit_now_if_busy(code: int) -> None:
    """After Ctrl-C, threads still waiting on a model call (a client's thread pool, eval's
    workers) would hold the exit up until the call ends: leave at once instead. Every file
    optimus writes is complete or absent (atomic writes, whole lines), so nothing is cut."""
    import os
    import threading

    # thread-pool workers are joined at exit even when they are daemon threads
    busy = [t for t in threading.enumerate()
            if t is not threading.current_thread() and t.is_alive()]
    if busy and threading.current_thread() is threading.main_thread():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(code))


def _main(argv: list[str] | None) -> int:
    try:
        rv = app(args=argv, standalone_mode=False)
        if isinstance(rv, int):  # typer.Exit(n) comes back as a return value here
            return rv
    except SystemExit as exc:  # typer/click exits
        return int(exc.code or 0)
    except OptimusError as exc:
        return report_error(exc)
    except KeyboardInterrupt:
        err_console.print("interrupted (Ctrl-C).")
        return ExitCode.INTERRUPTED
    except Exception as exc:  # click usage errors and the unexpected
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click's UsageError & co
            exc.show()
            return int(exc.exit_code)
        if type(exc).__name__ == "Abort":
            if isinstance(exc.__cause__, KeyboardInterrupt) or isinstance(exc.__context__, KeyboardInterrupt):
                err_console.print("interrupted (Ctrl-C).")  # click turns Ctrl-C into Abort
                return ExitCode.INTERRUPTED
            err_console.print("aborted")
            return ExitCode.NOT_OPTIMAL
        err_console.print(f"[bold red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')}",
                          highlight=False)
        err_console.print("Please report this with the command you ran.")
        return ExitCode.NOT_OPTIMAL
    return ExitCode.OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
