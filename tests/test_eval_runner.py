"""The eval runner: records, concurrency, per-problem failures, resume after SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from optimus.answer import Answer, Attempt, Usage
from optimus.errors import ProviderError, ProviderTimeout, UserError
from optimus.evaluate.formats import Problem
from optimus.evaluate.runner import ResultsLog, run_eval, safe_name
from optimus.formulation import Formulation

REPO = Path(__file__).resolve().parent.parent


def _problems(n: int) -> list[Problem]:
    return [Problem(f"p{i}", f"question {i}", float(i)) for i in range(n)]


def _right(question: str) -> Answer:
    i = int(question.split()[-1])
    return Answer(status="optimal", objective=float(i), usage=Usage(calls=1, input_tokens=10,
                                                                    output_tokens=5))


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_records_have_design_shape(tmp_path: Path) -> None:
    f = Formulation.model_validate({"variables": [{"name": "x", "upper": 4}],
                                    "objective": {"sense": "maximize", "expression": "3*x"}})

    def solve(q: str) -> Answer:
        return Answer(status="optimal", objective=12.0, formulation=f,
                      attempts=[Attempt(number=1, status="optimal", objective=12.0)],
                      usage=Usage(calls=1, input_tokens=100, output_tokens=50))

    out = run_eval([Problem("a/b c", "q", 12.0)], solve, tmp_path / "run", progress=False)
    rec = _lines(out.out_dir / "results.jsonl")[0]
    for key in ("status", "objective", "bound", "gap", "variables", "diagnosis", "timings",
                "id", "expected", "correct", "category", "attempts", "usage", "error",
                "alt_match", "latency"):
        assert key in rec, key
    assert rec["id"] == "a/b c" and rec["correct"] is True and rec["attempts"] == 1
    assert rec["usage"] == {"calls": 1, "input_tokens": 100, "output_tokens": 50}
    folder = out.out_dir / "problems" / safe_name("a/b c")
    assert "/" not in safe_name("a/b c") and folder.is_dir()
    assert "maximize" in (folder / "formulation.yaml").read_text()
    transcript = json.loads((folder / "transcript.json").read_text())
    assert transcript["attempts"][0]["number"] == 1
    assert json.loads((out.out_dir / "run.json").read_text())["rule"] == "relative"


def test_concurrent_calls_overlap(tmp_path: Path) -> None:
    """8 workers: the fake blocks until 8 calls are in flight at once (no timing)."""
    workers = 8
    lock = threading.Lock()
    in_flight = 0
    peak = 0
    all_in = threading.Event()

    def solve(q: str) -> Answer:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
            if in_flight >= workers:
                all_in.set()
        try:
            if not all_in.wait(timeout=30):
                raise RuntimeError("calls did not overlap")
            return _right(q)
        finally:
            with lock:
                in_flight -= 1

    out = run_eval(_problems(20), solve, tmp_path / "run", concurrency=workers, progress=False)
    assert peak == workers
    assert len(out.records) == 20 and all(r["correct"] for r in out.records)
    assert len(_lines(tmp_path / "run" / "results.jsonl")) == 20


def test_failures_are_recorded_and_the_run_continues(tmp_path: Path) -> None:
    release = threading.Event()

    def solve(q: str) -> Answer:
        i = int(q.split()[-1])
        if i == 1:
            raise ProviderError("rate limited")
        if i == 2:
            raise ProviderTimeout("read timed out")
        if i == 3:
            raise RuntimeError("boom")
        if i == 4:
            release.wait(30)  # outlives the per-problem timeout
        if i == 5:
            return Answer(status="infeasible")
        if i == 6:
            return Answer(status="not_optimization", message="a poem")
        if i == 7:
            return Answer(status="optimal", objective=-1.0)
        return _right(q)

    try:
        out = run_eval(_problems(8), solve, tmp_path / "run", concurrency=4, timeout=0.5,
                       progress=False)
    finally:
        release.set()
    cats = {r["id"]: r["category"] for r in out.records}
    assert cats == {"p0": "correct", "p1": "provider_error", "p2": "timeout", "p3": "error",
                    "p4": "timeout", "p5": "infeasible", "p6": "abstained",
                    "p7": "wrong_objective"}
    by_id = {r["id"]: r for r in out.records}
    assert "boom" in by_id["p3"]["error"] and by_id["p4"]["error"].startswith("no answer")


def test_user_error_stops_the_run(tmp_path: Path) -> None:
    def solve(q: str) -> Answer:
        raise UserError("No key found", fix="set OPENAI_API_KEY")

    with pytest.raises(UserError, match="No key"):
        run_eval(_problems(5), solve, tmp_path / "run", concurrency=1, progress=False)


def test_refuses_non_empty_dir_without_resume(tmp_path: Path) -> None:
    run_eval(_problems(2), _right, tmp_path / "run", progress=False)
    with pytest.raises(UserError, match="not empty") as exc:
        run_eval(_problems(2), _right, tmp_path / "run", progress=False)
    assert "--resume" in (exc.value.fix or "")


def test_partial_last_line_is_tolerated(tmp_path: Path) -> None:
    out = tmp_path / "run"
    run_eval(_problems(3), _right, out, progress=False)
    with (out / "results.jsonl").open("a") as fh:
        fh.write('{"id": "p3", "status": "opt')  # killed mid-write
    assert sorted(r["id"] for r in ResultsLog(out / "results.jsonl").read()) == ["p0", "p1", "p2"]
    asked: list[str] = []

    def solve(q: str) -> Answer:
        asked.append(q)
        return _right(q)

    res = run_eval(_problems(5), solve, out, resume=True, progress=False)
    assert sorted(asked) == ["question 3", "question 4"]
    ids = [r["id"] for r in _lines(out / "results.jsonl")]  # every line parses
    assert sorted(ids) == ["p0", "p1", "p2", "p3", "p4"]
    assert sorted(res.skipped_ids) == ["p0", "p1", "p2"]


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from optimus.answer import Answer
    from optimus.evaluate.formats import Problem
    from optimus.evaluate.runner import run_eval

    out, fast = sys.argv[1], int(sys.argv[2])
    probs = [Problem(f"p{i}", f"question {i}", float(i)) for i in range(12)]

    def solve(q):
        i = int(q.split()[-1])
        if i >= fast:
            time.sleep(3600)  # still "calling the model" when killed
        return Answer(status="optimal", objective=float(i))

    run_eval(probs, solve, out, concurrency=2, progress=False)
""")


def test_resume_after_sigkill(tmp_path: Path) -> None:
    out = tmp_path / "run"
    fast = 5
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(out), str(fast)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = out / "results.jsonl"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if results.exists() and results.read_text().count("\n") >= fast:
                break
            if proc.poll() is not None:
                pytest.fail(f"worker exited early: {proc.stderr.read().decode()}")
            time.sleep(0.05)
        else:
            pytest.fail("the killed run never wrote its first records")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    finished = {r["id"] for r in _lines(results)}
    assert finished == {f"p{i}" for i in range(fast)}

    asked: list[str] = []
    lock = threading.Lock()

    def solve(q: str) -> Answer:
        with lock:
            asked.append(f"p{q.split()[-1]}")
        return _right(q)

    probs = [Problem(f"p{i}", f"question {i}", float(i)) for i in range(12)]
    res = run_eval(probs, solve, out, concurrency=3, resume=True, progress=False)
    counts = Counter(r["id"] for r in _lines(results))
    assert set(counts) == {p.id for p in probs}
    assert all(n == 1 for n in counts.values()), counts
    assert not finished & set(asked)
    assert sorted(asked) == sorted(f"p{i}" for i in range(fast, 12))
    assert len(res.records) == 12 and all(r["correct"] for r in res.records)
    assert json.loads((out / "run.json").read_text())["resumed"]


def test_same_provider_error_everywhere_stops_the_run(tmp_path: Path) -> None:
    def solve(q: str) -> Answer:
        raise ProviderError("401 invalid api key")

    with pytest.raises(UserError, match="401 invalid api key") as exc:
        run_eval(_problems(30), solve, tmp_path / "run", concurrency=1, progress=False)
    assert "--resume" in (exc.value.fix or "")
    assert len(_lines(tmp_path / "run" / "results.jsonl")) < 30


def test_resume_retries_provider_errors_only(tmp_path: Path) -> None:
    out = tmp_path / "run"

    def flaky(q: str) -> Answer:
        if q.endswith(("1", "3")):
            raise ProviderError("rate limited")
        if q.endswith("2"):
            return Answer(status="infeasible")
        return _right(q)

    run_eval(_problems(5), flaky, out, progress=False)
    asked: list[str] = []

    def solve(q: str) -> Answer:
        asked.append(q)
        return _right(q)

    res = run_eval(_problems(5), solve, out, resume=True, progress=False)
    assert sorted(asked) == ["question 1", "question 3"]
    assert sorted(res.retried) == ["p1", "p3"]
    lines = _lines(out / "results.jsonl")
    assert sorted(r["id"] for r in lines) == ["p0", "p1", "p2", "p3", "p4"]
    assert {r["id"]: r["category"] for r in lines}["p2"] == "infeasible"
    assert len(_lines(out / "results.retried.jsonl")) == 2
