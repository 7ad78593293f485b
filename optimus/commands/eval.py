"""`optimus eval` (batch evaluation on a benchmark file) and `optimus compare`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from optimus.safe_text import SafeConsole
from optimus.errors import Interrupted, UserError

err_console = SafeConsole(stderr=True, soft_wrap=True)


def default_problems_file() -> Path:
    """Our packaged word problems (``optimus/problems/word/problems.jsonl``)."""
    from importlib.resources import files

    return Path(str(files("optimus.problems") / "word" / "problems.jsonl"))


def make_solve_fn(model: str | None, base_url: str | None, offline: bool,
                  max_attempts: int | None, *, call_timeout: float | None = None,
                  max_tokens: int | None = None) -> tuple[Callable[[str], Any], str]:
    """The solver callable for a run and a label for reports (model name or ``offline``).

    A model or a base URL -> the agent (``optimus.api.solve``), with ``call_timeout``
    seconds per model call and ``max_tokens`` per problem; ``offline`` or neither -> the
    offline formulator.
    """
    if (model or base_url) and not offline:
        from optimus import api
        from optimus.agent.langchain_model import load_chat_model

        load_chat_model(model, base_url)  # a missing key or package: fail before the run starts

        def solve_with_model(text: str, data: list[str] | None = None) -> Any:
            kwargs: dict[str, Any] = {"model": model, "base_url": base_url}
            if data:
                kwargs["data"] = data
            if max_attempts is not None:
                kwargs["max_attempts"] = max_attempts
            if call_timeout is not None:
                kwargs["timeout"] = call_timeout
            if max_tokens is not None:
                kwargs["max_tokens"] = max_tokens
            return api.solve(text, **kwargs)

        return solve_with_model, model or str(base_url)
    try:
        from optimus.offline import solve_offline
    except ImportError as exc:
        raise UserError(f"The offline formulator is not available in this install ({exc}).",
                        fix="Pass --model provider:model (and set its API key).")
    def offline_fn(text: str, data: list[str] | None = None) -> Any:
        if data:  # the rules read words, not tables
            from optimus.answer import Answer
            from optimus.result import Outcome

            return Answer(status=Outcome.ABSTAINED, formulator="offline",
                          message="The offline formulator does not read data tables.")
        return solve_offline(text)

    return offline_fn, "offline"


def _parse_ids(ids: str | None) -> list[str] | None:
    if not ids:
        return None
    out = [i.strip() for i in ids.split(",") if i.strip()]
    return out or None


def eval_command(
    file: Optional[Path] = typer.Argument(None, help="Benchmark file (.jsonl or .json). "
                                          "Default: optimus's own word problems."),
    model: Optional[str] = typer.Option(None, "--model", "-m",
                                        help="provider:model (default: $OPTIMUS_MODEL)."),
    offline: bool = typer.Option(False, "--offline", help="Use the offline formulator (no network)."),
    base_url: Optional[str] = typer.Option(None, "--base-url",
                                           help="OpenAI-compatible server URL (ends in /v1)."),
    concurrency: int = typer.Option(4, "--concurrency", "-j", help="Problems solved at once."),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", help="Only the first K problems."),
    ids: Optional[str] = typer.Option(None, "--ids", help="Only these ids (comma-separated)."),
    rule: Optional[str] = typer.Option(None, "--rule",
                                       help="Scoring rule: relative (default) or orlm."),
    out: Optional[Path] = typer.Option(None, "--out", "-o",
                                       help="Output folder (default runs/<file>-<time>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out, skipping finished ids."),
    max_attempts: Optional[int] = typer.Option(None, "--max-attempts",
                                               help="Formulate/repair attempts per problem."),
    timeout: float = typer.Option(600.0, "--timeout", help="Seconds per problem (0 = no limit)."),
    call_timeout: Optional[float] = typer.Option(None, "--call-timeout", metavar="S",
                                                 help="Seconds per model call (default 120)."),
    max_tokens: Optional[int] = typer.Option(None, "--max-tokens", metavar="N",
                                             help="Token budget per problem (in + out); when "
                                                  "spent, the best answer so far."),
    price_in: Optional[float] = typer.Option(None, "--price-in", metavar="USD",
                                             help="USD per million input tokens (report the cost)."),
    price_out: Optional[float] = typer.Option(None, "--price-out", metavar="USD",
                                              help="USD per million output tokens."),
    no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bar."),
) -> None:
    """Run the solver over a benchmark file and write results.jsonl, summary.json and report.md."""
    from optimus.evaluate.formats import load_problems, select
    from optimus.evaluate.report import write_report
    from optimus.evaluate.runner import read_run_info, run_eval
    from optimus.evaluate.scoring import RULES

    if timeout < 0:
        raise UserError(f"--timeout must be 0 (no limit) or a positive number of seconds, "
                        f"got {timeout:g}.", fix="For example --timeout 600.")
    if max_attempts is not None and max_attempts < 1:
        raise UserError(f"--max-attempts must be at least 1 (got {max_attempts}).",
                        fix="For example --max-attempts 4.")
    if call_timeout is not None and not call_timeout > 0:
        raise UserError(f"--call-timeout must be a positive number of seconds, got {call_timeout:g}.",
                        fix="For example --call-timeout 300 for a slow local model.")
    if max_tokens is not None and max_tokens < 1:
        raise UserError(f"--max-tokens must be at least 1, got {max_tokens}.",
                        fix="For example --max-tokens 20000.")
    for name, price in (("--price-in", price_in), ("--price-out", price_out)):
        if price is not None and not (price >= 0 and price < float("inf")):
            raise UserError(f"{name} must be a price in USD per million tokens (0 or more), "
                            f"got {price:g}.", fix=f"For example {name} 2.5.")
    if model and offline:
        raise UserError("--model and --offline exclude each other.", fix="Pass only one of them.")
    if resume and out is None:
        raise UserError("--resume needs the folder of the run to continue.",
                        fix="Pass --out DIR (the folder of the interrupted run).")
    previous = read_run_info(out) if (resume and out is not None) else {}
    if rule is None:
        rule = previous.get("rule", "relative")
    elif previous.get("rule") and previous["rule"] != rule:
        raise UserError(f"{out} was scored with --rule {previous['rule']}, not {rule}.",
                        fix=f"Resume with --rule {previous['rule']}, or start a new --out.")
    if rule not in RULES:
        raise UserError(f"Unknown rule {rule!r}.", fix=f"Use --rule {' or --rule '.join(RULES)}.")
    if file is None:
        file = Path(previous["file"]) if previous.get("file") else default_problems_file()
        if not file.exists():
            raise UserError(f"The packaged word problems were not found at {file}.",
                            fix="Pass a benchmark file: optimus eval FILE.jsonl")
    problems = select(load_problems(file), _parse_ids(ids), limit)

    from optimus.agent.providers import configured

    model, base_url = (None, None) if offline else configured(model, base_url)
    use_offline = offline or not (model or base_url)
    if use_offline and not offline:
        err_console.print("No --model, --base-url, OPTIMUS_MODEL or OPTIMUS_BASE_URL: using the "
                          "offline formulator. Set OPTIMUS_MODEL=provider:model (or pass "
                          "--model) to run the agent.")
    agent_options = {k: v for k, v in (("call_timeout", call_timeout), ("max_tokens", max_tokens))
                     if v is not None}
    solve_fn, label = make_solve_fn(model, base_url, use_offline, max_attempts, **agent_options)
    if out is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path("runs") / f"{file.stem}-{stamp}"

    info = {"file": str(file.resolve()), "model": label, "base_url": base_url,
            "max_attempts": max_attempts, "call_timeout": call_timeout, "max_tokens": max_tokens}
    if price_in is not None or price_out is not None:
        info.update(price_in=price_in or 0.0, price_out=price_out or 0.0)
    inputs = {file: "the benchmark file"}
    try:
        result = run_eval(problems, solve_fn, out, rule=rule, concurrency=concurrency,
                          timeout=timeout or None, resume=resume,
                          progress=not no_progress, info=info, inputs=inputs)
    except KeyboardInterrupt:
        interrupted(out)
    summary = write_report(out, result.records, result.info, inputs=inputs)
    acc = summary["accuracy"]
    acc_text = "-" if acc is None else f"{100 * acc:.1f}%"
    console = SafeConsole(soft_wrap=True)
    if result.retried:
        console.print(f"Retried {len(result.retried)} problems that had ended in a provider "
                      f"error or a timeout.")
    if result.skipped_ids:
        console.print(f"Resumed: {len(result.skipped_ids)} problems already done, "
                      f"{len(result.new_ids)} solved now.")
    console.print(f"Accuracy ({rule} rule, {escape(file.name)}): [bold]{acc_text}[/] "
                  f"({summary['correct']}/{summary['scored']} scored; "
                  f"{summary['excluded_unknown']} unknown left out; "
                  f"{summary['correct_via_alt_answers']} via alt_answers)", highlight=False)
    cats = ", ".join(f"{k} {v}" for k, v in summary["categories"].items() if v)
    console.print(f"Categories: {cats}", highlight=False)
    u = summary["usage"]
    if u["calls"]["total"]:
        cost = summary.get("cost_usd")
        console.print(f"Model calls {u['calls']['total']:.0f} ({u['calls']['mean']:.2f} per problem), "
                      f"tokens in {u['input_tokens']['total']:.0f}, out {u['output_tokens']['total']:.0f}"
                      + (f", cost ${cost['total']:.4f} (${cost['mean']:.4f} per problem)"
                         if cost else ""), highlight=False)
    console.print(Text(f"Report: {out / 'report.md'}  Results: {out / 'results.jsonl'}"))


def interrupted(out: Path) -> None:
    """Ctrl-C during a run: every finished problem is a complete line of results.jsonl
    (no report is written); say how to continue."""
    raise Interrupted(f"interrupted (Ctrl-C): {out / 'results.jsonl'} keeps every finished "
                      f"problem (no report written); continue with --resume --out {out}")


def compare_command(
    dir_a: Path = typer.Argument(..., help="Folder of run A (written by optimus eval)."),
    dir_b: Path = typer.Argument(..., help="Folder of run B."),
) -> None:
    """List the problems whose outcome changed between two eval runs."""
    from optimus.evaluate.categories import label
    from optimus.evaluate.compare import compare_runs

    c = compare_runs(dir_a, dir_b)
    console = SafeConsole(soft_wrap=True)
    if c.changed:
        table = Table(title=f"{len(c.changed)} of {c.common} common problems changed")
        for col in ("id", "A", "B", "change"):
            table.add_column(col)
        for ch in c.changed:
            table.add_row(Text(str(ch.id)), Text(label(ch.before)), Text(label(ch.after)),
                          ch.direction)
        console.print(table)
    else:
        console.print(f"No outcome changed among {c.common} common problems.")
    if c.only_a or c.only_b:
        console.print(f"Only in A: {len(c.only_a)}; only in B: {len(c.only_b)}.")
    fixed = sum(1 for ch in c.changed if ch.direction == "fixed")
    broken = sum(1 for ch in c.changed if ch.direction == "broken")
    rules = f" (rules: {c.rule_a} / {c.rule_b})" if c.rule_a != c.rule_b else \
        f" ({c.rule_a or 'relative'} rule)"
    console.print(f"Accuracy A {c.accuracy_a.text()}, B {c.accuracy_b.text()}{rules}; "
                  f"{fixed} fixed, {broken} broken.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``eval`` and ``compare`` to the app."""
    app.command("eval")(eval_command)
    app.command("compare")(compare_command)
