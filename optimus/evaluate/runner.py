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
from optimus.budget import WorkTimeout, current_deadline, deadline, set_deadline
from optimus.errors import ProviderError, UserError
from optimus.evaluate.categories import categorize
from optimus.evaluate.formats import Problem
from optimus.evaluate.scoring import check_rule, score
from optimus.output import append_output, check_output, write_output
from optimus.result import Outcome, Result, Status

SolveFn = Callable[[str], Answer]
RESULTS = "results.jsonl"
RUN_INFO = "run.json"


# --------------------------------------------------------------------------- results log
class ResultsLog:
    """``results.jsonl``: append-only, one JSON record per finished problem."""

    def __init__(self, path: str | Path, inputs: Any = None):
        self.path = Path(path)
        self.inputs = inputs  # never written over (the benchmark file)
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
            append_output(aside, "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n"
                                         for r in gone).encode("utf-8"), inputs=self.inputs)
            write_output(self.path, "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n"
                                            for r in keep), inputs=self.inputs)
        return gone

    def append(self, record: dict[str, Any]) -> None:
        """Append one record as one line, flushed and fsynced, under a lock."""
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode(
            "utf-8", "backslashreplace")
        with self._lock:
            append_output(self.path, line, inputs=self.inputs)


# --------------------------------------------------------------------------- artifacts
def safe_name(problem_id: str) -> str:
    """A file-name-safe folder name for an id (a short hash keeps it unique)."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", problem_id).strip("._") or "problem"
    if clean != problem_id or len(clean) > 80:
        digest = hashlib.sha1(problem_id.encode("utf-8")).hexdigest()[:8]
        clean = f"{clean[:80]}-{digest}"
    return clean


def write_artifacts(folder: Path, problem: Problem, answer: Answer | None,
                    error: str | None = None, inputs: Any = None) -> None:
    """Formulation (YAML), Pyomo script and transcript (JSON) of one problem, each
    through the guarded writer (never over ``inputs``)."""
    folder.mkdir(parents=True, exist_ok=True)
    f = answer.formulation if answer is not None else None
    if f is not None:
        try:
            write_output(folder / "formulation.yaml", f.to_yaml(), inputs=inputs)
        except Exception:  # noqa: BLE001 - artifacts never stop a run
            pass
        try:
            from optimus.render.pyomo_code import to_pyomo_script

            write_output(folder / "model.py", to_pyomo_script(f), inputs=inputs)
        except Exception:  # noqa: BLE001 - renderer absent or failed: skip the script
            pass
    transcript: dict[str, Any] = {"id": problem.id, "question": problem.question,
                                  "expected": problem.answer, "error": error}
    if answer is not None:
        transcript.update(
            status=answer.status, objective=answer.objective, message=answer.message,
            formulator=answer.formulator, usage=answer.usage.model_dump(mode="json"),
            attempts=[a.model_dump(mode="json") for a in answer.attempts])
    write_output(folder / "transcript.json",
                 json.dumps(transcript, indent=2, ensure_ascii=True, default=str), inputs=inputs)


# --------------------------------------------------------------------------- one problem
class _Timeout(Exception):
    pass


def _call_with_timeout(solve_fn: SolveFn, question: str, timeout: float | None,
                       data: list[str] | None = None) -> Answer:
    """``solve_fn(question)`` in a worker thread that carries the problem's deadline
    (:func:`optimus.budget.deadline`): the build loops, the agent between attempts and
    before every model call, and the solver's time limit all stop at it, so the work of a
    problem that timed out ends by itself instead of running on unseen. A timeout is
    reported at the deadline whatever the worker is doing."""
    def call() -> Answer:  # a problem with data tables: solve_fn(question, data=[paths])
        return solve_fn(question, data=data) if data else solve_fn(question)  # type: ignore[call-arg]

    if not timeout:
        return call()
    box: dict[str, Any] = {}
    with deadline(timeout):
        end = current_deadline()

    def target() -> None:
        set_deadline(end)
        try:
            box["answer"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["exc"] = exc
        finally:
            set_deadline(None)

    t = threading.Thread(target=target, daemon=True, name="optimus-eval-solve")
    t.start()
    t.join(timeout)
    if t.is_alive():
        _ABANDONED.append(t)
        raise _Timeout(f"no answer within {timeout:g} s")
    if isinstance(box.get("exc"), WorkTimeout):
        raise _Timeout(f"no answer within {timeout:g} s (stopped while building)")
    if "exc" in box:
        raise box["exc"]
    return box["answer"]


#: worker threads whose problem timed out; each ends at its next deadline check
_ABANDONED: list[threading.Thread] = []


def wait_for_abandoned(grace: float) -> int:
    """Give the workers of timed-out problems up to ``grace`` seconds to stop at their
    deadline; the number still running (daemon threads: they never hold the process)."""
    end = time.monotonic() + grace
    for t in list(_ABANDONED):
        t.join(max(0.0, end - time.monotonic()))
        if not t.is_alive():
            _ABANDONED.remove(t)
    return sum(t.is_alive() for t in _ABANDONED)


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
    """Solve one problem and build its record; only :class:`UserError` escapes (and
    not for the problem's own text: a bad row is a "bad input" record)."""
    t0 = time.perf_counter()
    answer: Answer | None = None
    status: str | None = None
    error: str | None = None
    if problem.bad_input is not None:
        return bad_input_record(problem, rule), None
    try:
        answer = _call_with_timeout(solve_fn, problem.question, timeout, problem.data)
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


def bad_input_record(problem: Problem, rule: str, reason: str | None = None) -> dict[str, Any]:
    """The record of a row that cannot be run: category "bad input", not scored, with
    the reason as its error."""
    record = make_record(problem, None, rule, status=Status.ERROR,
                         error=f"bad input: {reason or problem.bad_input}")
    record.update(correct=None, alt_match=False, category="bad input")
    return record


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


LOCK = ".optimus-eval.lock"


class OutLock:
    """An exclusive lock on a run folder (``flock`` on ``DIR/.optimus-eval.lock``), held
    for the whole run: a second ``optimus eval`` on the same ``--out`` is refused instead
    of interleaving its records. The kernel drops the lock when the process ends, even
    after ``kill -9``, so a stale lock never blocks ``--resume``."""

    def __init__(self, out: Path):
        self.path = out / LOCK
        self.fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise UserError(f"cannot lock the output folder {self.path.parent}: "
                            f"{exc.strerror or exc}", fix="Pick a writable --out DIR.") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            except OSError:
                holder = ""
            os.close(fd)
            raise UserError(f"another optimus eval is writing to {self.path.parent}"
                            + (f" (process {holder})" if holder else "") + ".",
                            fix="Wait until it finishes and then pass --resume, or choose "
                                "another --out DIR.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


def prepare_out_dir(out_dir: str | Path, resume: bool, lock: OutLock | None = None) -> Path:
    """Create the output folder and take ``lock`` on it (when given); refuse a folder in
    use by another run, and a non-empty one unless resuming."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory.", fix="Pick another --out.")
    existed = out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder {out}: {exc.strerror or exc}",
                        fix="Pick a writable --out DIR.") from None
    if lock is not None:
        lock.acquire()
    try:
        if existed and any(p.name != LOCK for p in out.iterdir()) and not resume:
            raise UserError(f"{out} is not empty.",
                            fix="Pass --resume to continue that run, or choose a new --out DIR.")
        try:
            (out / "problems").mkdir(exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create the output folder {out}: {exc.strerror or exc}",
                            fix="Pick a writable --out DIR.") from None
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return out


def read_run_info(out_dir: str | Path) -> dict[str, Any]:
    """The run's settings saved in ``run.json`` (empty when absent)."""
    path = Path(out_dir) / RUN_INFO
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_eval(problems: list[Problem], solve_fn: SolveFn, out_dir: str | Path, *,
             rule: str = "relative", concurrency: int = 4, timeout: float | None = None,
             resume: bool = False, progress: bool = True,
             info: dict[str, Any] | None = None, abort_after: int = 5,
             inputs: Any = None) -> RunOutcome:
    """Solve ``problems`` with ``concurrency`` workers, appending records as they finish.

    ``info`` (file, model, ...) is saved in ``run.json``. With ``resume`` the ids already
    in results.jsonl are skipped, except those that ended in a provider error or a
    timeout: their lines move to ``results.retried.jsonl`` and they run again. The folder
    is locked for the run (a second run on it is refused); ``inputs`` (the benchmark
    file) are never written over, whatever they are called. A :class:`UserError`
    raised by the solver (e.g. no API key) stops the run and propagates, and so does a
    run whose first ``abort_after`` problems all fail with one provider error; every
    other failure is recorded per problem.
    """
    check_rule(rule)
    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1 (got {concurrency}).")
    lock = OutLock(Path(out_dir))
    out = prepare_out_dir(out_dir, resume, lock)
    try:
        return _run_locked(problems, solve_fn, out, rule=rule, concurrency=concurrency,
                           timeout=timeout, resume=resume, progress=progress, info=info,
                           abort_after=abort_after, inputs=inputs)
    finally:
        lock.release()


_RETRY = ("provider_error", "timeout")


def _run_locked(problems: list[Problem], solve_fn: SolveFn, out: Path, *, rule: str,
                concurrency: int, timeout: float | None, resume: bool, progress: bool,
                info: dict[str, Any] | None, abort_after: int, inputs: Any) -> RunOutcome:
    for name in (RESULTS, RUN_INFO):  # refused before any work: an input named run.json
        check_output(out / name, inputs=inputs)
    log = ResultsLog(out / RESULTS, inputs=inputs)
    log.repair()
    retried = log.drop(lambda r: r.get("category") in _RETRY) if resume else []
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
    write_output(out / RUN_INFO, json.dumps(run_info, indent=2, default=str), inputs=inputs)

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
            write_artifacts(out / "problems" / safe_name(p.id), p, answer, record["error"],
                            inputs=inputs)
        except (OSError, UserError):
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
    wait_for_abandoned(5.0)
    run_info["finished"] = _now()
    write_output(out / RUN_INFO, json.dumps(run_info, indent=2, default=str), inputs=inputs)
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
            from optimus.safe_text import SafeConsole
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress,
                                       TextColumn, TimeElapsedColumn)

            self.progress = Progress(TextColumn("eval"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[acc]}"), TimeElapsedColumn(),
                                     console=SafeConsole(stderr=True), transient=False)
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
