"""Reports (summary.json, report.md, categories.png), `optimus eval` end to end, `compare`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimus.answer import Answer, Usage
from optimus.cli import main
from optimus.evaluate.compare import compare_runs
from optimus.evaluate.formats import Problem
from optimus.evaluate.report import percentile, write_report
from optimus.evaluate.runner import run_eval

ROWS = [
    {"id": "a", "question": "solve 10", "answer": 10.0, "meta": {}},
    {"id": "b", "question": "solve 888.888889", "answer": 880.0,
     "meta": {"alt_answers": [888.888889]}},
    {"id": "c", "question": "infeasible", "answer": None, "meta": {}},
    {"id": "d", "question": "solve 3", "answer": None, "meta": {"answer_unknown": True}},
    {"id": "e", "question": "solve 7", "answer": 5.0, "meta": {}},
    {"id": "f", "question": "poem", "answer": 1.0, "meta": {}},
]


def fake_solver(question: str) -> Answer:
    """Reads the 'answer' from the question text, like a perfectly obedient model."""
    usage = Usage(calls=2, input_tokens=300, output_tokens=120)
    if question == "infeasible":
        return Answer(status="infeasible", usage=usage)
    if question == "poem":
        return Answer(status="not_optimization", usage=usage)
    return Answer(status="optimal", objective=float(question.split()[-1]), usage=usage)


def _write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _problems() -> list[Problem]:
    return [Problem(r["id"], r["question"], r["answer"], r["meta"]) for r in ROWS]


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 90) == pytest.approx(9.0)


def test_write_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run_eval(_problems(), fake_solver, out, progress=False,
                   info={"file": "bench/mini.jsonl", "model": "fake"})
    s = write_report(out, res.records, res.info)
    disk = json.loads((out / "summary.json").read_text())
    assert disk == s
    assert s["file"] == "bench/mini.jsonl" and s["rule"] == "relative"
    assert "0.0051" in s["tolerance"]
    assert s["done"] == 6 and s["scored"] == 5 and s["excluded_unknown"] == 1
    assert s["correct"] == 3 and s["correct_via_alt_answers"] == 1
    assert s["accuracy"] == pytest.approx(0.6)
    assert s["categories"]["correct"] == 3 and s["categories"]["wrong_objective"] == 1
    assert s["categories"]["abstained"] == 1 and s["categories"]["unscored"] == 1
    assert s["categories"]["timeout"] == 0  # the eight categories are always listed
    assert s["usage"]["calls"] == {"total": 12.0, "mean": 2.0}
    assert s["usage"]["input_tokens"]["total"] == 1800.0
    assert set(s["latency_seconds"]) >= {"p50", "p90", "p99", "max"}

    md = (out / "report.md").read_text()
    assert "bench/mini.jsonl" in md and "`relative`" in md and "0.0051" in md
    assert "3 correct of 5 scored rows" in md and "excluding 1 rows with unknown answers" in md
    assert "alt_answers" in md and "![categories](categories.png)" in md
    assert "p50" in md and "model calls" in md
    png = (out / "categories.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_orlm_rule(tmp_path: Path) -> None:
    out = tmp_path / "run"
    res = run_eval(_problems(), fake_solver, out, rule="orlm", progress=False,
                   info={"file": "mini.jsonl"})
    s = write_report(out, res.records, res.info)
    assert s["rule"] == "orlm" and "5%" in s["tolerance"]
    assert "`orlm`" in (out / "report.md").read_text()


@pytest.fixture
def fake_factory(monkeypatch: pytest.MonkeyPatch) -> list:
    calls: list = []

    def factory(model, base_url, offline, max_attempts):  # type: ignore[no-untyped-def]
        calls.append((model, base_url, offline, max_attempts))
        return fake_solver, "fake:model" if model else "offline"

    monkeypatch.setattr("optimus.commands.eval.make_solve_fn", factory)
    return calls


def test_cli_eval_end_to_end(tmp_path: Path, fake_factory: list,
                             capsys: pytest.CaptureFixture[str]) -> None:
    bench = _write_rows(tmp_path / "mini.jsonl", ROWS)
    out = tmp_path / "run"
    code = main(["eval", str(bench), "--model", "fake:model", "--out", str(out),
                 "--concurrency", "3", "--max-attempts", "2", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert fake_factory == [("fake:model", None, False, 2)]
    assert "60.0%" in captured.out and "3/5" in captured.out
    for name in ("results.jsonl", "summary.json", "report.md", "categories.png", "run.json"):
        assert (out / name).exists(), name
    assert len((out / "results.jsonl").read_text().splitlines()) == 6

    # not again into the same folder without --resume
    code = main(["eval", str(bench), "--offline", "--out", str(out), "--no-progress"])
    assert code != 0 and "--resume" in capsys.readouterr().err
    # --resume with nothing left to do
    code = main(["eval", "--offline", "--out", str(out), "--resume", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0 and "6 problems already done" in captured.out


def test_cli_eval_offline_notice_and_limits(tmp_path: Path, fake_factory: list,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bench = _write_rows(tmp_path / "mini.jsonl", ROWS)
    code = main(["eval", str(bench), "--out", str(tmp_path / "r"), "--ids", "a,e,b",
                 "--limit", "2"])
    captured = capsys.readouterr()
    assert code == 0
    assert "offline formulator" in captured.err
    ids = [json.loads(x)["id"] for x in (tmp_path / "r" / "results.jsonl").read_text().splitlines()]
    assert sorted(ids) == ["a", "b"]


@pytest.mark.parametrize("content, args, message", [
    (None, [], "No such file"),
    # issue 15: a bad line of a .jsonl file is its own "bad input" record; a .json
    # array that does not decode is still refused as a whole
    ('[{"id": "a", "question": "q", "answer": 1}, oops]', [], "not valid JSON"),
    ('{"nothing": 1}\n', [], "no usable rows"),
    ('{"id": "a", "question": "q", "answer": 1}\n', ["--ids", "a,zz"], "Unknown id"),
    ('{"id": "a", "question": "q", "answer": 1}\n', ["--rule", "exact"], "Unknown rule"),
    ('{"id": "a", "question": "q", "answer": 1}\n', ["--resume"], "--resume needs"),
])
def test_cli_eval_bad_input(tmp_path: Path, fake_factory: list,
                            capsys: pytest.CaptureFixture[str], content: str | None,
                            args: list[str], message: str) -> None:
    bench = tmp_path / "b.jsonl"
    if content is not None:
        bench.write_text(content)
    argv = ["eval", str(bench), "--offline", "--no-progress"] + args
    if "--resume" not in args:
        argv += ["--out", str(tmp_path / "out")]
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0 and message in err and "Traceback" not in err


def test_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_eval(_problems(), fake_solver, tmp_path / "A", progress=False)

    def better(q: str) -> Answer:
        if q == "solve 7":
            return Answer(status="optimal", objective=5.0)
        if q == "solve 10":
            return Answer(status="infeasible")
        return fake_solver(q)

    run_eval(_problems(), better, tmp_path / "B", progress=False)
    c = compare_runs(tmp_path / "A", tmp_path / "B")
    assert {(x.id, x.before, x.after, x.direction) for x in c.changed} == {
        ("a", "correct", "infeasible", "broken"), ("e", "wrong_objective", "correct", "fixed")}
    assert c.accuracy_a.text() == c.accuracy_b.text() == "3/5 (60.0%)"

    code = main(["compare", str(tmp_path / "A"), str(tmp_path / "B")])
    out = capsys.readouterr().out
    assert code == 0
    assert "fixed" in out and "broken" in out and "3/5 (60.0%)" in out
    code = main(["compare", str(tmp_path / "A"), str(tmp_path / "nope")])
    assert code != 0 and "not found" in capsys.readouterr().err


def test_model_factory_calls_the_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    import optimus.api
    from optimus.commands.eval import make_solve_fn

    seen: list = []

    def fake_solve(text, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((text, kwargs))
        return Answer(status="optimal", objective=1.0)

    monkeypatch.setattr(optimus.api, "solve", fake_solve)
    fn, label = make_solve_fn("openai:gpt-x", "http://127.0.0.1:9/v1", False, 3)
    assert label == "openai:gpt-x" and fn("text").objective == 1.0
    assert seen == [("text", {"model": "openai:gpt-x", "base_url": "http://127.0.0.1:9/v1",
                              "max_attempts": 3})]


def test_cli_eval_defaults_to_packaged_word_problems(tmp_path: Path, fake_factory: list,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from optimus.commands.eval import default_problems_file

    assert default_problems_file().exists()  # ships with optimus
    code = main(["eval", "--offline", "--limit", "2", "--out", str(tmp_path / "r"),
                 "--no-progress"])
    assert code == 0, capsys.readouterr().err
    info = json.loads((tmp_path / "r" / "run.json").read_text())
    assert info["file"].endswith("problems.jsonl")
    assert len((tmp_path / "r" / "results.jsonl").read_text().splitlines()) == 2
