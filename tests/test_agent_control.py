"""Progress on stderr, Ctrl-C, per-call timeouts, solve's --time-limit/--backend/--save,
and cost: calls and tokens per attempt, eval's cost report and --max-tokens."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from agent_data import TEXT, good, infeasible
from rich.console import Console
from test_agent_http import FakeOpenAI

from optimus.agent import langchain_model as llm_module
from optimus.agent.langchain_model import LangChainModel, RetryPolicy
from optimus.agent.loop import Agent
from optimus.agent.progress import ProgressEvent, Step
from optimus.cli import main
from optimus.formulation import load_formulation
from optimus.render.agent_status import StderrProgress
from optimus.testing import ScriptedChatModel, http_error

REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- progress
def test_the_loop_reports_each_step():
    events: list[ProgressEvent] = []
    fake = ScriptedChatModel(responses=[infeasible(), good()])
    llm = LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None))
    Agent(llm, ground_numbers=False, progress=events.append).solve(TEXT)
    steps = [(e.step, e.attempt) for e in events]
    assert steps == [(Step.ASK, 1), (Step.ANSWERED, 1), (Step.SOLVE, 1), (Step.SOLVED, 1),
                     (Step.ASK, 2), (Step.ANSWERED, 2), (Step.SOLVE, 2), (Step.SOLVED, 2)]
    assert events[4].text() == "attempt 2 of 4: asking scripted to repair"
    assert events[3].detail == "infeasible"


def test_a_retry_is_reported_with_the_error_and_the_pause():
    events: list[ProgressEvent] = []
    fake = ScriptedChatModel(responses=[http_error(503), good()])
    llm = LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None), progress=events.append)
    Agent(llm, ground_numbers=False, progress=events.append).solve(TEXT)
    retry = [e for e in events if e.step == Step.RETRY]
    assert len(retry) == 1
    assert "server error on try 1 of 4" in retry[0].text() and "retrying in 1 s" in retry[0].text()


def test_plain_lines_only_for_steps_longer_than_the_delay():
    buf = io.StringIO()
    progress = StderrProgress(Console(file=buf, width=200), delay=0.2, live=False)
    fake = ScriptedChatModel(responses=[good()], delay=0.5)
    Agent(LangChainModel(fake), ground_numbers=False, progress=progress).solve(TEXT)
    progress.close()
    lines = buf.getvalue().splitlines()
    assert lines[0] == "optimus: attempt 1 of 4: asking scripted to formulate ..."
    assert lines[1].startswith("optimus: attempt 1 of 4: answer after 0.")
    assert len(lines) == 2  # the fast solve printed nothing


def test_the_live_status_at_a_terminal_runs_and_goes():
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    with StderrProgress(console, delay=0.05) as progress:
        assert progress.live
        fake = ScriptedChatModel(responses=[good()], delay=0.4)
        answer = Agent(LangChainModel(fake), ground_numbers=False, progress=progress).solve(TEXT)
    assert answer.status == "optimal"
    assert "asking scripted to formulate" in buf.getvalue()


def test_solve_shows_a_slow_call_and_a_retry_on_stderr(script, capsys):
    script(http_error(503), good(), delay=1.3)
    code = main(["solve", TEXT, "--model", "fake:model"])
    err = capsys.readouterr().err
    assert code == 0
    assert "scripted: server error on try 1 of 4" in err and "retrying in" in err
    assert "attempt 1 of 4: asking scripted to formulate ..." in err
    assert "answer after" in err


# --------------------------------------------------------------------------- Ctrl-C
# A shell without job control starts background jobs with SIGINT ignored, and Python then
# installs no KeyboardInterrupt handler; a terminal user has the default one, so the child
# restores it.
_RUNNER = textwrap.dedent("""
    import signal, sys
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from optimus.agent import langchain_model as m
    from optimus.cli import main
    from optimus.testing import ScriptedChatModel
    fake = ScriptedChatModel(responses=[{}] * 5, delay=60)
    m.load_chat_model = lambda *a, **k: (fake, "scripted", "unknown")
    sys.exit(main(sys.argv[1:]))
""")


def _interrupt(args: list[str], tmp_path: Path, stdin: str | None = None,
               wait_for: str = "asking scripted") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for key in ("OPENAI_API_KEY", "OPTIMUS_MODEL", "OPTIMUS_BASE_URL"):
        env.pop(key, None)
    proc = subprocess.Popen([sys.executable, "-c", _RUNNER, *args], cwd=tmp_path, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 60
    if wait_for:  # the progress line appears once the scripted call has run for a second
        while wait_for not in seen and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
        assert wait_for in seen, seen
    else:  # eval: its run.json is written just before the problems start
        while not (tmp_path / "run" / "run.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 10  # did not wait for the 60 s call
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, seen + err)


def test_ctrl_c_during_a_slow_call_ends_solve_with_130(tmp_path):
    done = _interrupt(["solve", TEXT, "--model", "fake:model", "--save", "m.yaml",
                       "--code", "m.py"], tmp_path)
    assert done.returncode == 130
    assert "interrupted (Ctrl-C) before an answer; nothing was written." in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == "" and not (tmp_path / "m.yaml").exists() and not (tmp_path / "m.py").exists()


def test_ctrl_c_during_a_slow_call_ends_chat_with_130(tmp_path):
    done = _interrupt(["chat", "--model", "fake:model"], tmp_path, stdin=TEXT + "\n")
    assert done.returncode == 130
    assert "interrupted (Ctrl-C): the chat ended" in done.stderr
    assert "Traceback" not in done.stderr


def test_ctrl_c_during_eval_keeps_only_finished_problems(tmp_path):
    bench = tmp_path / "b.jsonl"
    bench.write_text(json.dumps({"id": "a", "question": TEXT, "answer": 180.0}) + "\n")
    done = _interrupt(["eval", str(bench), "--model", "fake:model", "--out", "run",
                       "--no-progress", "-j", "1"], tmp_path, wait_for="")
    assert done.returncode == 130
    assert "interrupted (Ctrl-C)" in done.stderr and "--resume --out run" in done.stderr
    assert "Traceback" not in done.stderr
    results = tmp_path / "run" / "results.jsonl"
    assert not results.exists() or results.read_text() == ""
    assert not (tmp_path / "run" / "report.md").exists()


# --------------------------------------------------------------------------- --call-timeout
def test_eval_call_timeout_ends_a_hanging_call(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(llm_module, "_sleep", lambda s: None)
    bench = tmp_path / "b.jsonl"
    bench.write_text(json.dumps({"id": "a", "question": TEXT, "answer": 180.0}) + "\n")
    with FakeOpenAI([("sleep", 30.0)] * 4) as server:
        t0 = time.monotonic()
        code = main(["eval", str(bench), "--base-url", server.url, "--model", "m",
                     "--call-timeout", "0.5", "--timeout", "60", "--out", str(tmp_path / "run"),
                     "--no-progress"])
        took = time.monotonic() - t0
    capsys.readouterr()
    assert code == 0 and took < 15  # 4 tries of 0.5 s, not 120 s each
    rec = json.loads((tmp_path / "run" / "results.jsonl").read_text())
    assert rec["status"] == "timeout" and "no answer within 0.5 s" in rec["error"]
    assert json.loads((tmp_path / "run" / "run.json").read_text())["call_timeout"] == 0.5


def test_eval_call_timeout_must_be_positive(capsys):
    code = main(["eval", "--offline", "--call-timeout", "0"])
    assert code == 2 and "--call-timeout must be a positive" in capsys.readouterr().err


# --------------------------------------------------------------------------- solve options
def test_solve_time_limit_backend_and_save(script, capsys, tmp_path, monkeypatch):
    import optimus.pipeline as pipeline

    seen = []
    real = pipeline.solve_model

    def spy(f, options=None):
        seen.append(options)
        return real(f, options)

    monkeypatch.setattr(pipeline, "solve_model", spy)
    script(good())
    saved = tmp_path / "model.yaml"
    code = main(["solve", TEXT, "--model", "fake:model", "--time-limit", "7", "--backend", "cbc",
                 "--save", str(saved), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["objective"] == pytest.approx(180) and data["backend"] == "pulp"
    assert seen[0].time_limit == 7 and seen[0].backend == "pulp"
    assert load_formulation(saved).name == "giapetto"


@pytest.mark.parametrize("args, message", [
    (["--backend", "gurobi"], "unknown backend"),
    (["--time-limit", "0"], "--time-limit must be a positive"),
    (["--save", "model.txt"], "use a .yaml, .yml or .json file"),
    (["--max-tokens", "0"], "--max-tokens must be at least 1"),
])
def test_bad_solve_options_fail_before_any_call(script, capsys, args, message):
    fake = script(good())
    code = main(["solve", TEXT, "--model", "fake:model", *args])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and message in err
    assert fake.received == []


# --------------------------------------------------------------------------- cost
def test_calls_and_tokens_per_attempt(script, capsys):
    script(infeasible(), good())
    code = main(["solve", TEXT, "--model", "fake:model", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    per = [a["usage"] for a in data["attempts"]]
    assert [u["calls"] for u in per] == [1, 1] and all(u["input_tokens"] > 0 for u in per)
    assert sum(u["input_tokens"] for u in per) == data["usage"]["input_tokens"]
    assert sum(u["output_tokens"] for u in per) == data["usage"]["output_tokens"]


def test_attempts_table_shows_tokens(script, capsys):
    script(good())
    main(["solve", TEXT, "--model", "fake:model"])
    out = capsys.readouterr().out
    assert "tokens in/out" in out


def test_max_tokens_ends_the_loop_with_the_best_answer_so_far():
    fake = ScriptedChatModel(responses=[infeasible(), good(), good()])
    agent = Agent(LangChainModel(fake), ground_numbers=False, max_tokens=10)
    answer = agent.solve(TEXT)
    assert answer.usage.calls == 1 and fake.remaining == 2
    assert answer.status == "infeasible" and "token budget" in answer.message
    # with an optimum in hand, the grounding call is skipped and the numbers are listed
    fake = ScriptedChatModel(responses=[good(), good()])
    answer = Agent(LangChainModel(fake), max_tokens=10).solve(TEXT + " Paint costs 7.5 a toy.")
    assert answer.usage.calls == 1 and answer.status == "optimal"
    assert answer.unexplained_numbers == [7.5] and "token budget" in answer.message


def test_eval_reports_calls_tokens_and_cost(script, tmp_path, capsys):
    script(*([good()] * 4))
    bench = tmp_path / "b.jsonl"
    bench.write_text("".join(json.dumps({"id": i, "question": TEXT, "answer": 180.0}) + "\n"
                             for i in ("a", "b")))
    code = main(["eval", str(bench), "--model", "fake:model", "--out", str(tmp_path / "run"),
                 "--no-progress", "-j", "1", "--price-in", "2.5", "--price-out", "10",
                 "--max-tokens", "100000"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    records = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    tin = sum(r["usage"]["input_tokens"] for r in records)
    tout = sum(r["usage"]["output_tokens"] for r in records)
    assert summary["cost_usd"]["total"] == pytest.approx((tin * 2.5 + tout * 10) / 1e6)
    assert summary["cost_usd"]["mean"] == pytest.approx(summary["cost_usd"]["total"] / 2)
    report = (tmp_path / "run" / "report.md").read_text()
    assert "| cost (USD) |" in report and "### Per problem" in report
    assert f"| a | 1 | {records[0]['usage']['input_tokens']} |" in report
    assert "Model calls 2 (1.00 per problem)" in out and "cost $" in out
