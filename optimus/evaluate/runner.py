"""Run a solver over benchmark problems: concurrent, resumable, one record per problem.

The solver is any callable ``solve_fn(question) -> Answer`` (the agent, the offline
formulator, or a fake in tests). Each finished problem is appended to
``DIR/results.jsonl`` at once (one line, flushed and fsynced under a lock); its
formulation, Pyomo script and transcript go to ``DIR/problems/<id>/`` first, so a line
in results.jsonl means the problem is complete. ``resume=True`` skips ids already in
results.jsonl and tolerates a partial last line left by a killed process.

Example::

    >>> from optimus.answer import Answer
    >>> from optimus.evaluate.formats import Problem
    >>> import tempfile
    >>> out = run_eval([Problem("p1", "max x", 3.0)],
    ...                lambda q: Answer(status="optimal", objective=3.0),
    ...                tempfile.mkdtemp() + "/run", progress=False)
    >>> out.records[0]["correct"], out.records[0]["category"]
    (True, 'correct')
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from optimus.answer import Answer, Usage
from optimus.errors import ProviderError, UserError
from optimus.evaluate.categories import categorize
from optimus.evaluate.formats import Problem
from optimus.evaluate.scoring import check_rule, score
from optimus.result import Outcome, Result, Status

SolveFn = Callable[[str], Answer]
RESULTS = "results.jsonl"
RUN_INFO = "run.json"


# --------------------------------------------------------------------------- results log
class ResultsLog:
    """``results.jsonl``: append-only, one JSON record per finished problem."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def read(self) -> list[dict[str, Any]]:
        """Every complete record (a partial or garbled line is skipped)."""
        if not self.path.exists():
            return []
        out = []
        with self.path.open("rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # partially written last line of a killed run
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and "id" in rec:
                    out.append(rec)
        return out

    def repair(self) -> int:
        """Cut a partial last line (no newline) so appends start on a fresh line.

        Returns the number of bytes removed.
        """
        if not self.path.exists():
            return 0
        data = self.path.read_bytes()
        if not data or data.endswith(b"\n"):
            return 0
        keep = data.rfind(b"\n") + 1
        with self.path.open("r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        return len(data) - keep

    def drop(self, predicate: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """Remove the records matching ``predicate`` (atomic rewrite); return them.

        The removed lines are appended to ``results.retried.jsonl`` next to the log.
        """
        records = self.read()
        gone = [r for r in records if predicate(r)]
        if not gone:
            return []
        keep = [r for r in records if not predicate(r)]
        with self._lock:
            aside = self.path.with_name(self.path.stem + ".retried.jsonl")
            with aside.open("a", encoding="utf-8") as fh:
                for r in gone:
                    fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
            tmp = self.path.with_name(self.path.name + ".tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                for r in keep:
                    fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        return gone

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as one line, flushed and fsynced, under a lock."""
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._lock:
            with self.path.open("ab") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())


# --------------------------------------------------------------------------- artifacts
def safe_name(problem_id: str) -> str:
    """A file-name-safe folder name for an id (a short hash keeps it unique)."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", problem_id).strip("._") or "problem"
    if clean != problem_id or len(clean) > 80:
        digest = hashlib.sha1(problem_id.encode("utf-8")).hexdigest()[:8]
        clean = f"{clean[:80]}-{digest}"
    return clean


def write_artifacts(folder: Path, problem: Problem, answer: Answer | None,
                    error: str | None = None) -> None:
    """Formulation (YAML), Pyomo script and transcript (JSON) of one problem."""
    folder.mkdir(parents=True, exist_ok=True)
    f = answer.formulation if answer is not None else None
    if f is not None:
        try:
            (folder / "formulation.yaml").write_text(f.to_yaml(), encoding="utf-8")
        except Exception:  # noqa: BLE001 - artifacts never stop a run
            pass
        try:
            from optimus.render.pyomo_code import to_pyomo_script

            (folder / "model.py").write_text(to_pyomo_script(f), encoding="utf-8")
        except Exception:  # noqa: BLE001 - renderer absent or failed: skip the script
            pass
    transcript: dict[str, Any] = {"id": problem.id, "question": problem.question,
                                  "expected": problem.answer, "error": error}
    if answer is not None:
        transcript.update(
            status=answer.status, objective=answer.objective, message=answer.message,
            formulator=answer.formulator, usage=answer.usage.model_dump(mode="json"),
            attempts=[a.model_dump(mode="json") for a in answer.attempts])
    (folder / "transcript.json").write_text(
        json.dumps(transcript, indent=2, ensure_ascii=False, default=str), encoding="utf-8")


# --------------------------------------------------------------------------- one problem
class _Timeout(Exception):
    pass


def _call_with_timeout(solve_fn: SolveFn, question: str, timeout: float | None) -> Answer:
    if not timeout:
        return solve_fn(question)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["answer"] = solve_fn(question)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["exc"] = exc

    t = threading.Thread(target=target, daemon=True, name="optimus-eval-solve")
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise _Timeout(f"no answer within {timeout:g} s")
    if "exc" in box:
        raise box["exc"]
    return box["answer"]


def make_record(problem: Problem, answer: Answer | None, rule: str, *,
                status: str | None = None, error: str | None = None,
                latency: float = 0.0) -> dict[str, Any]:
    """The result's JSON shape plus id, expected, correct, category, attempts, usage, error."""
    if answer is not None:
        data = answer.to_json_dict()
        base = {k: data.get(k) for k in
                ("status", "objective", "bound", "gap", "variables", "diagnosis", "timings")}
        # compact: the binding constraints' duals and the nonzero reduced costs only
        base["sensitivity"] = (answer.sensitivity.compact()
                               if answer.sensitivity is not None else None)
        attempts = len(answer.attempts)
        usage = answer.usage.model_dump(mode="json")
        extra = {"formulator": answer.formulator, "message": answer.message}
    else:
        base = Result(status=Status.ERROR).to_json_dict()  # the same shape, empty
        base["sensitivity"] = None
        attempts, usage, extra = 0, Usage().model_dump(mode="json"), {}
    if status is not None:
        base["status"] = status
    is_error = answer is None and (status or "error") == "error"
    s = score(base["status"], base["objective"], problem.answer, problem.alt_answers, rule,
              problem.answer_unknown)
    correct = None if not s.scored else (False if is_error else s.correct)
    diag = base.get("diagnosis") or {}
    category = categorize(base["status"], correct, error=is_error,
                          diagnosis_kind=diag.get("kind") if isinstance(diag, dict) else None)
    record = {"id": problem.id, **base, "expected": problem.answer,
              "alt_answers": problem.alt_answers, "answer_unknown": problem.answer_unknown,
              "correct": correct, "alt_match": bool(s.alt_match and correct),
              "category": category, "attempts": attempts, "usage": usage, "error": error,
              "latency": round(latency, 4), **extra}
    return record


def solve_one(problem: Problem, solve_fn: SolveFn, rule: str = "relative",
              timeout: float | None = None) -> tuple[dict[str, Any], Answer | None]:
    """Solve one problem and build its record; only :class:`UserError` escapes."""
    t0 = time.perf_counter()
    answer: Answer | None = None
    status: str | None = None
    error: str | None = None
    try:
        answer = _call_with_timeout(solve_fn, problem.question, timeout)
        if not isinstance(answer, Answer):
            raise TypeError(f"solver returned {type(answer).__name__}, not Answer")
    except UserError:
        raise
    except _Timeout as exc:
        status, error = Outcome.TIMEOUT, str(exc)
    except ProviderError as exc:
        status, error = exc.outcome, exc.message
    except Exception as exc:  # noqa: BLE001 - recorded, the run continues
        status, error = Status.ERROR, f"{type(exc).__name__}: {exc}"
    latency = time.perf_counter() - t0
    return make_record(problem, answer, rule, status=status, error=error,
                       latency=latency), answer


# --------------------------------------------------------------------------- the run
@dataclass
class RunOutcome:
    """What a run produced: every record in results.jsonl, and what this call added."""

    out_dir: Path
    records: list[dict[str, Any]]
    new_ids: list[str] = field(default_factory=list)
    skipped_ids: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    retried: list[str] = field(default_factory=list)


def prepare_out_dir(out_dir: str | Path, resume: bool) -> Path:
    """Create the output folder; refuse a non-empty one unless resuming."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory.", fix="Pick another --out.")
    if out.exists() and any(out.iterdir()) and not resume:
        raise UserError(f"{out} is not empty.",
                        fix="Pass --resume to continue that run, or choose a new --out DIR.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "problems").mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder {out}: {exc.strerror or exc}",
                        fix="Pick a writable --out DIR.") from None
    return out


def read_run_info(out_dir: str | Path) -> dict[str, Any]:
    """The run's settings saved in ``run.json`` (empty when absent)."""
    path = Path(out_dir) / RUN_INFO
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_eval(problems: list[Problem], solve_fn: SolveFn, out_dir: str | Path, *,
             rule: str = "relative", concurrency: int = 4, timeout: float | None = None,
             resume: bool = False, progress: bool = True,
             info: dict[str, Any] | None = None, abort_after: int = 5) -> RunOutcome:
    """Solve ``problems`` with ``concurrency`` workers, appending records as they finish.

    ``info`` (file, model, ...) is saved in ``run.json``. With ``resume`` the ids already
    in results.jsonl are skipped, except those that ended in a provider error: their
    lines move to ``results.retried.jsonl`` and they run again. A :class:`UserError`
    raised by the solver (e.g. no API key) stops the run and propagates, and so does a
    run whose first ``abort_after`` problems all fail with one provider error; every
    other failure is recorded per problem.
    """
    check_rule(rule)
    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1 (got {concurrency}).")
    out = prepare_out_dir(out_dir, resume)
    log = ResultsLog(out / RESULTS)
    log.repair()
    retried = log.drop(lambda r: r.get("category") == "provider_error") if resume else []
    previous = log.read()
    done_ids = {r["id"] for r in previous}
    todo = [p for p in problems if p.id not in done_ids]
    skipped = [p.id for p in problems if p.id in done_ids]

    run_info = read_run_info(out)
    run_info.update(info or {})
    run_info.update(rule=rule, concurrency=concurrency, timeout=timeout,
                    problems=len(problems))
    run_info.setdefault("started", _now())
    if resume and previous:
        run_info.setdefault("resumed", []).append(_now())
    (out / RUN_INFO).write_text(json.dumps(run_info, indent=2, default=str), encoding="utf-8")

    wanted = {p.id for p in problems}
    records = [r for r in previous if r["id"] in wanted]
    tally = _Tally(records)
    new_ids: list[str] = []
    breaker = _Breaker(abort_after)

    stop = threading.Event()  # set on Ctrl-C: a problem finishing later is not recorded

    def work(p: Problem) -> dict[str, Any] | None:
        record, answer = solve_one(p, solve_fn, rule, timeout)
        if stop.is_set():
            return None
        try:
            write_artifacts(out / "problems" / safe_name(p.id), p, answer, record["error"])
        except OSError:
            pass
        log.append(record)
        return record

    display = _Display(progress, len(problems), tally)
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="optimus-eval")
    try:
        with display:
            pending: set[Future] = {pool.submit(work, p) for p in todo}
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    rec = fut.result()  # UserError propagates
                    records.append(rec)
                    new_ids.append(rec["id"])
                    tally.add(rec)
                    display.advance()
                    breaker.check(rec)
    except BaseException:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    run_info["finished"] = _now()
    (out / RUN_INFO).write_text(json.dumps(run_info, indent=2, default=str), encoding="utf-8")
    order = {p.id: i for i, p in enumerate(problems)}
    records.sort(key=lambda r: order.get(r["id"], len(order)))
    return RunOutcome(out, records, new_ids, skipped, run_info,
                      retried=[r["id"] for r in retried if r["id"] in wanted])


class _Breaker:
    """Stop a run whose first problems all fail with the same provider error."""

    def __init__(self, n: int):
        self.n = n
        self.seen: list[dict[str, Any]] = []

    def check(self, rec: dict[str, Any]) -> None:
        if self.n <= 0 or len(self.seen) >= self.n:
            return
        self.seen.append(rec)
        if len(self.seen) < self.n:
            return
        messages = {r.get("error") for r in self.seen}
        if all(r.get("category") == "provider_error" for r in self.seen) and len(messages) == 1:
            raise UserError(f"The first {self.n} problems all failed with the same provider "
                            f"error: {messages.pop()}",
                            fix="Check the model name, key and --base-url, then rerun with "
                                "--resume (problems with provider errors are retried).")


class _Tally:
    def __init__(self, records: list[dict[str, Any]]):
        self.done = 0
        self.scored = 0
        self.correct = 0
        for r in records:
            self.add(r)

    def add(self, r: dict[str, Any]) -> None:
        self.done += 1
        if r.get("correct") is not None:
            self.scored += 1
            self.correct += bool(r["correct"])

    def text(self) -> str:
        if not self.scored:
            return "accuracy -"
        return f"accuracy {self.correct}/{self.scored} ({100 * self.correct / self.scored:.1f}%)"


class _Display:
    """A rich progress bar on stderr showing accuracy so far (or nothing)."""

    def __init__(self, enabled: bool, total: int, tally: _Tally):
        self.enabled = enabled
        self.tally = tally
        self.total = total
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> "_Display":
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress,
                                       TextColumn, TimeElapsedColumn)

            self.progress = Progress(TextColumn("eval"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[acc]}"), TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=False)
            self.progress.start()
            self.task = self.progress.add_task("eval", total=self.total,
                                               completed=self.tally.done,
                                               acc=self.tally.text())
        return self

    def advance(self) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=self.tally.done, acc=self.tally.text())

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.stop()
