"""``optimus run MODEL``: check, build and solve a typed model file; write code and math.

Exit codes:

* 0 - optimal, or a feasible solution at the time limit (``time_limit_feasible``);
* 1 - solved, but not optimal: infeasible, unbounded, infeasible_or_unbounded,
  time_limit_no_solution, error or unknown;
* 2 - bad input: missing or unreadable file, invalid JSON/YAML, schema violation, an
  invalid formulation (every issue is printed), or a bad option;
* 4 - ``--cross-check`` found that the backends disagree.

With ``--json`` exactly one JSON object is printed on stdout (design.md's shape:
``status, objective, bound, gap, variables, diagnosis, timings``, plus ``cross_check``
with ``--cross-check``); messages go to stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from optimus.errors import UserError

EXIT_OK = 0
EXIT_NOT_OPTIMAL = 1
EXIT_BAD_INPUT = 2
EXIT_DISAGREE = 4

_OK_STATUSES = ("optimal", "time_limit_feasible")
_BACKENDS = ("highs", "pulp")


def register(app: typer.Typer) -> None:
    """Add ``optimus run`` to the app."""

    @app.command("run")
    def run_cmd(
        model: str = typer.Argument(..., metavar="MODEL",
                                    help="Model file: a Formulation as .json, .yaml or .yml."),
        backend: str = typer.Option("highs", "--backend", "-b", help="Solver: highs or pulp."),
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
        json_out: bool = typer.Option(False, "--json",
                                      help="Print one JSON object on stdout, nothing else."),
    ) -> None:
        """Check, build and solve MODEL; print the solution (exit 0 optimal, 1 not optimal,
        2 bad input, 4 backends disagree)."""
        code_ = run(model, backend=backend, cross_check=cross_check, time_limit=time_limit,
                    mip_gap=mip_gap, code=code, latex=latex, lp=lp_out, mps=mps_out,
                    json_out=json_out)
        if code_:
            raise SystemExit(code_)  # typer.Exit's code is dropped with standalone_mode=False


# --------------------------------------------------------------------------- the work
def run(model: str | Path, *, backend: str = "highs", cross_check: bool = False,
        time_limit: float | None = None, mip_gap: float | None = None,
        code: Path | None = None, latex: Path | None = None, lp: Path | None = None,
        mps: Path | None = None, json_out: bool = False,
        console: Console | None = None, err_console: Console | None = None) -> int:
    """Do what ``optimus run`` does and return its exit code.

    Bad input raises :class:`~optimus.errors.UserError` (the CLI prints it, exit 2).
    """
    from optimus.formulation import load_formulation

    out = console or Console(highlight=False)
    err = err_console or Console(stderr=True, highlight=False)
    _check_options(backend, time_limit, mip_gap)
    model_path = Path(model)
    f = load_formulation(model_path)
    outputs = _plan_outputs(model_path, f, {"code": code, "latex": latex, "lp": lp, "mps": mps})

    real_stdout = sys.stdout
    with _stdout_silenced(json_out):
        payload, exit_code, written, result, cc = _solve(
            f, backend=backend, cross_check=cross_check, time_limit=time_limit,
            mip_gap=mip_gap, outputs=outputs, err=err)

    if json_out:
        real_stdout.write(json.dumps(payload, allow_nan=False, default=str) + "\n")
        real_stdout.flush()
        return exit_code
    if result is not None:
        from optimus.render.console import print_result

        print_result(out, result, title=f"{f.name}  ({model_path.name})")
        if cc is not None:
            _print_cross_check(out, cc)
    for kind, path in written:
        out.print(Text(f"Wrote {_KIND_LABEL[kind]}: {path}"), soft_wrap=True)
    return exit_code


_KIND_LABEL = {"code": "Pyomo script", "latex": "Markdown/LaTeX", "lp": "LP file",
               "mps": "MPS file"}


def _solve(f: Any, *, backend: str, cross_check: bool, time_limit: float | None,
           mip_gap: float | None, outputs: dict[str, Path], err: Console
           ) -> tuple[dict[str, Any], int, list[tuple[str, Path]], Any, Any]:
    """Check, build, write the outputs, solve, diagnose, cross-check."""
    from optimus.build import build
    from optimus.check import analyze
    from optimus.errors import FormulationError
    from optimus.result import Diagnosis, Result, Timings
    from optimus.render.console import print_issues
    from optimus.solve import solve_lp
    from optimus.solvers import SolverOptions

    t0 = time.perf_counter()
    analysis = analyze(f)
    issues = list(analysis.issues)
    lp = None
    if not issues:
        try:
            lp = build(f, analysis)
        except FormulationError as exc:
            issues = list(exc.issues)
    if issues:
        print_issues(err, issues)
        err.print(Text("Fix the issues above and run again; nothing was solved or written.",
                       style="bold"), soft_wrap=True)
        total = time.perf_counter() - t0
        result = Result(status="error", backend=backend, message="invalid formulation",
                        diagnosis=Diagnosis(kind="invalid", summary="The formulation is invalid.",
                                            issues=[str(i) for i in issues]),
                        timings=Timings(build=total, total=total))
        return result.to_json_dict(), EXIT_BAD_INPUT, [], None, None
    assert lp is not None
    build_time = time.perf_counter() - t0

    written: list[tuple[str, Path]] = []
    for kind in ("code", "lp", "mps"):
        if kind in outputs:
            _write_output(kind, outputs[kind], f, None)
            written.append((kind, outputs[kind]))

    options = SolverOptions(time_limit=time_limit, mip_gap=mip_gap)
    result = solve_lp(lp, _backend_name(backend), options)
    result.diagnosis = _diagnose(f, lp, result, options)
    result.timings = Timings(build=build_time, solve=result.timings.solve,
                             total=time.perf_counter() - t0)

    cc = None
    if cross_check:
        try:
            from optimus.crosscheck import cross_check as do_cross_check
        except ImportError as exc:
            raise UserError(f"--cross-check is not available: {exc}",
                            fix="Reinstall optimus (pip install -e .) or run without "
                                "--cross-check.") from None
        cc = do_cross_check(f, time_limit=time_limit, mip_gap=mip_gap)

    if "latex" in outputs:
        _write_output("latex", outputs["latex"], f, result)
        written.append(("latex", outputs["latex"]))

    payload = result.to_json_dict()
    if cc is not None:
        payload["cross_check"] = cc.to_json_dict()
    exit_code = EXIT_OK if result.status in _OK_STATUSES else EXIT_NOT_OPTIMAL
    if cc is not None and not getattr(cc, "agree", True) and exit_code == EXIT_OK:
        exit_code = EXIT_DISAGREE
    return payload, exit_code, written, result, cc


def _backend_name(backend: str) -> str:
    name = backend.lower()
    if name == "pulp":
        try:
            import optimus.solvers.pulp_cbc  # noqa: F401
        except ImportError as exc:
            raise UserError(f"the pulp backend is not available: {exc}",
                            fix="pip install pulp, or use --backend highs.") from None
    return name


def _diagnose(f: Any, lp: Any, result: Any, options: Any) -> Any:
    """Run the diagnosis; a failure in it is reported as data, the solution is kept."""
    from optimus.diagnose import diagnose
    from optimus.result import Diagnosis

    try:
        return diagnose(f, lp, result, options)
    except Exception as exc:  # noqa: BLE001 - keep the solve result whatever happens here
        return Diagnosis(kind="error", summary=f"The diagnosis failed: {type(exc).__name__}: "
                                               f"{exc}")


# --------------------------------------------------------------------------- options
def _check_options(backend: str, time_limit: float | None, mip_gap: float | None) -> None:
    if backend.lower() not in _BACKENDS:
        raise UserError(f"unknown backend {backend!r}",
                        fix=f"Use --backend {' or --backend '.join(_BACKENDS)}.")
    if time_limit is not None and not time_limit > 0:
        raise UserError(f"--time-limit must be a positive number of seconds, got {time_limit}",
                        fix="For example --time-limit 60.")
    if mip_gap is not None and not 0 <= mip_gap < 1:
        raise UserError(f"--mip-gap must be a relative gap in [0, 1), got {mip_gap}",
                        fix="For example --mip-gap 0.01 for 1%.")


def _plan_outputs(model: Path, f: Any, wanted: dict[str, Path | None]) -> dict[str, Path]:
    """Validate output paths before any work: never overwrite the model or its data files,
    never write two outputs to one file, and the directory must exist."""
    inputs = {model.resolve(): "the model file"}
    for p in getattr(f, "parameters", []):
        if p.data is not None:
            path = Path(p.data.path)
            path = path if path.is_absolute() else f.base_dir / path
            inputs[path.resolve()] = f"the data file of parameter `{p.name}`"
    planned: dict[str, Path] = {}
    seen: dict[Path, str] = {}
    for kind, raw in wanted.items():
        if raw is None:
            continue
        path = Path(raw).expanduser()
        resolved = path.resolve()
        if resolved in inputs:
            raise UserError(f"--{kind} {raw} is {inputs[resolved]}; writing it would destroy "
                            f"your input.", fix=f"Choose another path for --{kind}.")
        if resolved in seen:
            raise UserError(f"--{kind} and --{seen[resolved]} both write {raw}.",
                            fix="Give each output its own file.")
        if path.is_dir():
            raise UserError(f"--{kind} {raw} is a directory.", fix="Give a file path.")
        if not path.parent.exists():
            raise UserError(f"--{kind} {raw}: directory {path.parent} does not exist.",
                            fix="Create the directory first or choose another path.")
        seen[resolved] = kind
        planned[kind] = path
    return planned


# --------------------------------------------------------------------------- outputs
def _write_output(kind: str, path: Path, f: Any, result: Any) -> None:
    """Write one output file atomically (a temporary file renamed over the target)."""
    if kind == "code":
        from optimus.render.pyomo_code import to_pyomo_script

        _atomic(path, lambda tmp: tmp.write_text(to_pyomo_script(f), encoding="utf-8"))
    elif kind == "latex":
        from optimus.render.latex import to_markdown

        _atomic(path, lambda tmp: tmp.write_text(to_markdown(f, result=result), encoding="utf-8"))
    elif kind == "lp":
        from optimus.export import write_lp

        _atomic(path, lambda tmp: write_lp(f, tmp))
    elif kind == "mps":
        from optimus.export import write_mps

        _atomic(path, lambda tmp: write_mps(f, tmp))
    else:  # pragma: no cover
        raise ValueError(kind)


def _atomic(path: Path, write: Callable[[Path], Any]) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".tmp",
                                dir=str(path.parent))
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; use the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}",
                        fix="Check the path and its permissions.") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _stdout_silenced(active: bool) -> Iterator[None]:
    """With ``--json``, send anything printed during the work (by us, a solver or its C
    library) to stderr so that stdout holds only the JSON object."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = None
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        saved = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        try:
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


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
