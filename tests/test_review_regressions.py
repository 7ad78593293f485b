"""Regression tests for bugs found in review (CLI edge cases, seams between modules)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agent_data import TEXT, good

from optimus.agent import langchain_model as llm_module
from optimus.answer import Answer
from optimus.cli import main, report_error
from optimus.testing import ScriptedChatModel

MODELS = Path(__file__).resolve().parent.parent / "problems" / "models"


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


# --------------------------------------------------------------------------- optimus run
def test_run_output_in_unwritable_place_is_a_clear_error(tmp_path, capsys):
    """mkstemp ran outside the try: an unwritable folder gave an internal error."""
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    code, out, err = _run(capsys, "run", str(MODELS / "diet.yaml"),
                          "--code", str(blocker / "x.py"))
    assert code == 2, err
    assert "cannot write" in err and "internal error" not in err
    assert blocker.read_text() == "x"


# --------------------------------------------------------------------------- optimus solve
def test_solve_output_in_unwritable_place_is_checked_before_the_model(tmp_path, capsys, script):
    fake = script(good())
    code, out, err = _run(capsys, "solve", TEXT, "--model", "fake:model",
                          "--code", str(tmp_path / "no" / "such" / "x.py"))
    assert code == 2 and "does not exist" in err and "internal error" not in err
    assert fake.calls == []  # refused before any model call


def test_solve_output_to_a_directory_is_a_clear_error(tmp_path, capsys, script):
    script(good())
    code, out, err = _run(capsys, "solve", TEXT, "--model", "fake:model",
                          "--latex", str(tmp_path))
    assert code == 2 and "is a directory" in err and "internal error" not in err


def test_solve_refuses_to_overwrite_its_problem_file(tmp_path, capsys, script):
    script(good())
    problem = tmp_path / "p.txt"
    problem.write_text(TEXT)
    code, out, err = _run(capsys, "solve", "-f", str(problem), "--model", "fake:model",
                          "--code", str(problem))
    assert code == 2 and "problem file" in err
    assert problem.read_text() == TEXT


def test_solve_writes_code_and_math(tmp_path, capsys, script):
    script(good())
    code, out, err = _run(capsys, "solve", TEXT, "--model", "fake:model", "--json",
                          "--code", str(tmp_path / "m.py"), "--latex", str(tmp_path / "m.md"))
    assert code == 0, err
    json.loads(out)
    assert "pyomo" in (tmp_path / "m.py").read_text()
    assert "$$" in (tmp_path / "m.md").read_text()


def test_solve_file_that_is_a_directory_says_so(tmp_path, capsys):
    code, out, err = _run(capsys, "solve", "-f", str(tmp_path), "--offline")
    assert code == 2 and "is a directory" in err


def test_solve_json_stdout_holds_only_the_object(monkeypatch, capsys, script):
    """Anything printed during the solve (a library, a solver) must not reach stdout."""
    import optimus.api

    real = optimus.api.solve

    def noisy(*args, **kwargs):
        print("noise from a library")
        return real(*args, **kwargs)

    script(good())
    monkeypatch.setattr(optimus.api, "solve", noisy)
    code, out, err = _run(capsys, "solve", TEXT, "--model", "fake:model", "--json")
    assert code == 0, err
    assert len(out.splitlines()) == 1
    assert json.loads(out)["status"] == "optimal"
    assert "noise from a library" in err


# --------------------------------------------------------------------------- optimus eval
def _bench(tmp_path: Path, name: str = "mini.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"id": "a", "question": "q", "answer": 1.0}) + "\n")
    return path


def test_eval_unwritable_out_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    code, out, err = _run(capsys, "eval", str(_bench(tmp_path)), "--offline",
                          "--out", str(blocker / "run"), "--no-progress")
    assert code == 2 and "cannot create the output folder" in err
    assert "internal error" not in err


def test_eval_base_url_alone_runs_the_agent(tmp_path, capsys, monkeypatch):
    """`--base-url` (or OPTIMUS_BASE_URL) without --model silently ran offline."""
    calls = []

    def factory(model, base_url, offline, max_attempts):  # type: ignore[no-untyped-def]
        calls.append((model, base_url, offline))
        return (lambda q: Answer(status="optimal", objective=1.0)), "agent"

    monkeypatch.delenv("OPTIMUS_MODEL", raising=False)
    monkeypatch.setattr("optimus.commands.eval.make_solve_fn", factory)
    code, out, err = _run(capsys, "eval", str(_bench(tmp_path)), "--base-url",
                          "http://127.0.0.1:9/v1", "--out", str(tmp_path / "r1"),
                          "--no-progress")
    assert code == 0, err
    assert calls == [(None, "http://127.0.0.1:9/v1", False)]

    monkeypatch.setenv("OPTIMUS_BASE_URL", "http://127.0.0.1:9/v1")
    code, out, err = _run(capsys, "eval", str(_bench(tmp_path)), "--out",
                          str(tmp_path / "r2"), "--no-progress")
    assert code == 0, err
    assert calls[-1] == (None, "http://127.0.0.1:9/v1", False)


def test_make_solve_fn_with_base_url_only(monkeypatch):
    import optimus.api
    from optimus.commands.eval import make_solve_fn

    seen = []
    monkeypatch.setattr(optimus.api, "solve",
                        lambda text, **kw: seen.append(kw) or Answer(status="optimal"))
    fn, label = make_solve_fn(None, "http://127.0.0.1:9/v1", False, None)
    fn("text")
    assert label == "http://127.0.0.1:9/v1"
    assert seen == [{"model": None, "base_url": "http://127.0.0.1:9/v1"}]


def test_eval_and_compare_print_bracketed_names_literally(tmp_path, capsys, monkeypatch):
    """File names, folders and ids holding rich markup crashed (MarkupError) or vanished."""
    monkeypatch.setattr("optimus.commands.eval.make_solve_fn",
                        lambda *a: ((lambda q: Answer(status="optimal", objective=2.0)), "fake"))
    bench = tmp_path / "nl4opt[test].jsonl"
    bench.write_text(json.dumps({"id": "[/]x", "question": "q", "answer": 1.0}) + "\n")
    run_a = tmp_path / "a[/]"
    code, out, err = _run(capsys, "eval", str(bench), "--out", str(run_a), "--no-progress")
    assert code == 0, err
    assert "nl4opt[test].jsonl" in out and "a[/]" in out

    (tmp_path / "b").mkdir()
    rec = json.loads((run_a / "results.jsonl").read_text())
    rec.update(correct=True, category="correct")
    (tmp_path / "b" / "results.jsonl").write_text(json.dumps(rec) + "\n")
    code, out, err = _run(capsys, "compare", str(run_a), str(tmp_path / "b"))
    assert code == 0, err
    assert "[/]x" in out


def test_internal_error_with_markup_in_its_message_is_printed(capsys, monkeypatch):
    """The last-resort handler itself used markup on the exception text."""
    import optimus.cli

    def boom(*a, **k):
        raise RuntimeError("bad [/] thing")

    monkeypatch.setattr(optimus.cli, "app", boom)
    code = main(["schema"])
    err = capsys.readouterr().err
    assert code == 1 and "bad [/] thing" in " ".join(err.split())


def test_report_error_escapes_user_text(capsys):
    from optimus.errors import UserError

    assert report_error(UserError("file [/]x", fix="[bold]y")) == 2
    err = capsys.readouterr().err
    assert "[/]x" in err and "[bold]y" in err


# --------------------------------------------------------------------------- --timeout
def test_eval_negative_timeout_is_refused(tmp_path, capsys):
    """A negative --timeout made every problem time out at once."""
    code, out, err = _run(capsys, "eval", str(_bench(tmp_path)), "--offline", "--timeout", "-1",
                          "--out", str(tmp_path / "r"), "--no-progress")
    assert code == 2 and "--timeout" in err
    assert not (tmp_path / "r").exists()


def test_solve_nonpositive_timeout_is_refused(capsys, script):
    """A negative --timeout reached the HTTP client ("Timeout value out of range")."""
    fake = script(good())
    code, out, err = _run(capsys, "solve", TEXT, "--model", "fake:model", "--timeout", "-1")
    assert code == 2 and "--timeout must be a positive" in err
    assert fake.calls == []


def test_error_messages_are_not_hard_wrapped(tmp_path, capsys):
    """Rich hard-wrapped messages at 80 columns, splitting words such as 'not found'."""
    deep = tmp_path / ("x" * 60) / "run"
    code = main(["compare", str(deep), str(deep)])
    err = capsys.readouterr().err
    assert code == 2 and f"{deep / 'results.jsonl'} not found." in err


# --------------------------------------------------------------------------- names
def test_check_names_a_name_that_python_would_normalize():
    """`ﬁx` passed check but ast reads it as `fix`: only 'unknown symbol fix' was reported,
    and the Pyomo renderer (its own, stricter validation) refused it later."""
    from optimus.checks import check, is_plain_identifier
    from optimus.formulation import Formulation

    f = Formulation.model_validate({
        "variables": [{"name": "ﬁx", "upper": 4}],
        "objective": {"sense": "maximize", "expression": "ﬁx"}})
    issues = check(f)
    assert issues[0].code == "invalid_name" and "`fix`" in issues[0].fix
    assert not is_plain_identifier("ﬁx") and is_plain_identifier("fix")


def test_eval_with_a_model_but_no_key_fails_before_creating_the_run(tmp_path, capsys):
    """The missing key surfaced on the first problem, after --out was created: the rerun
    then asked for --resume."""
    code, out, err = _run(capsys, "eval", str(_bench(tmp_path)), "--model",
                          "openai:gpt-4o-mini", "--out", str(tmp_path / "r"), "--no-progress")
    assert code == 2 and "OPENAI_API_KEY" in err
    assert not (tmp_path / "r").exists()


def test_eval_max_attempts_below_one_is_refused(tmp_path, capsys):
    code, out, err = _run(capsys, "eval", str(_bench(tmp_path)), "--offline",
                          "--max-attempts", "0", "--out", str(tmp_path / "r"), "--no-progress")
    assert code == 2 and "--max-attempts" in err and not (tmp_path / "r").exists()


def test_report_table_escapes_pipes_in_ids():
    from optimus.evaluate.report import render_markdown, summarize

    recs = [{"id": "a|b", "correct": False, "category": "wrong_objective", "status": "optimal",
             "objective": 1.0, "expected": 2.0, "usage": {}, "latency": 0.1}]
    md = render_markdown(summarize(recs, {"rule": "relative"}), recs)
    row = next(line for line in md.splitlines() if line.startswith("| a\\|"))
    assert row.startswith("| a\\|b |") and row.count(" | ") == 5


# --------------------------------------------------------------------------- chat edits
def _session(responses):
    from optimus.agent.session import ChatSession
    from optimus.agent.langchain_model import RetryPolicy, LangChainModel

    fake = ScriptedChatModel(responses=responses)
    return ChatSession(LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None)))


def _with_profit(p: float) -> dict:
    f = good()
    f["parameters"][0]["values"][0]["value"] = p
    return f


def test_chat_edit_of_a_seventh_significant_digit_is_applied():
    """compact() printed numbers with `:g` (six digits): the edit was solved, then reported
    as "unchanged" and dropped from the history."""
    from optimus.testing import reply

    s = _session([_with_profit(3.000001), reply(_with_profit(3.000002), reason="raised")])
    assert s.send(TEXT).kind == "solved"
    turn = s.send("what if soldiers earn 3.000002?")
    assert turn.kind == "edited" and len(s.history) == 2
    assert "soldiers: 3.000002" in turn.formulation_diff


def test_chat_edit_beyond_the_abbreviated_entries_is_applied():
    """A change in a table entry past the 12 shown by compact() looked like no change."""
    from optimus.testing import reply

    def big(last: float) -> dict:
        f = good()
        f["sets"].append({"name": "K", "elements": [f"k{i}" for i in range(20)]})
        f["parameters"].append({"name": "w", "index": ["K"], "values": [
            {"index": [f"k{i}"], "value": last if i == 19 else 1.0} for i in range(20)]})
        f["variables"].append({"name": "y", "index": ["K"], "upper": 1})
        f["constraints"].append({"name": "cap_y",
                                 "expression": "sum(w[k] * y[k] for k in K) <= 30"})
        return f

    s = _session([big(1.0), reply(big(2.0), reason="k19 weighs 2 now")])
    assert s.send(TEXT).kind == "solved"
    turn = s.send("k19 weighs 2")
    assert turn.kind == "edited" and len(s.history) == 2
    assert "k19: 2" in turn.formulation_diff


def test_compact_keeps_full_precision():
    from optimus.formulation import Formulation

    f = Formulation.model_validate(_with_profit(0.0123456789))
    assert "0.0123456789" in f.compact()
    assert "soldiers: 3" in Formulation.model_validate(_with_profit(3.0)).compact()


def test_every_status_and_outcome_has_a_console_style():
    from optimus.render.console import STATUS_STYLE
    from optimus.result import Outcome, Status

    assert {s.value for s in Status} | {o.value for o in Outcome} <= set(STATUS_STYLE)


# --------------------------------------------------------------------------- safety
def test_a_refused_model_formulation_is_not_handed_to_the_renderers(tmp_path, monkeypatch):
    """A model reply naming a local data file was refused by the solver path, but the
    exhausted-budget answer kept it: the Pyomo script, the math and the notebook display
    then read that file into their output."""
    import optimus
    from optimus.render.notebook import answer_markdown

    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.csv").write_text("K,v\nsecret_row,424242\n")
    f = {"sets": [{"name": "K", "elements": ["secret_row"]}],
         "parameters": [{"name": "w", "index": ["K"],
                         "data": {"path": "secret.csv", "column": "v"}}],
         "variables": [{"name": "x", "index": ["K"], "upper": 1}],
         "objective": {"sense": "maximize", "expression": "sum(w[k] * x[k] for k in K)"}}
    fake = ScriptedChatModel(responses=[f, f])
    answer = optimus.solve("Maximize the weighted x.", chat_model=fake, max_attempts=2)
    assert answer.status == "invalid_formulation"
    assert answer.formulation is None
    assert "data files are not allowed" in answer.diagnosis.text()
    assert "424242" not in answer_markdown(answer)
    assert "424242" not in json.dumps(answer.to_json_dict())


def test_iis_text_keeps_enough_digits_to_show_the_conflict():
    """With `:g` the IIS read `x <= 1.23457e+06` against `x >= 1.23457e+06`."""
    from optimus.formulation import Formulation
    from optimus.pipeline import solve_formulation

    f = Formulation.model_validate({
        "variables": [{"name": "x"}],
        "constraints": [{"name": "cap", "expression": "x <= 1234567"},
                        {"name": "need", "expression": "x >= 1234568"}],
        "objective": {"sense": "minimize", "expression": "x"}})
    r = solve_formulation(f)
    assert r.status == "infeasible"
    text = r.diagnosis.text()  # what a person and the repair prompt read
    assert "x <= 1234567;" in text and "x >= 1234568." in text


# --------------------------------------------------------------------------- docstrings
def test_docstring_examples_run():
    """Runnable examples on the public API; check.py's had drifted from the real message.
    (optimus.offline is excluded: it has its own tests and is in flux.)"""
    import doctest
    import importlib
    import pkgutil

    import optimus

    failures = []
    for info in pkgutil.walk_packages(optimus.__path__, "optimus."):
        if info.name.startswith(("optimus.offline", "optimus.solvers", "optimus.prompts",
                                 "optimus.problems")) or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
        if result.failed:
            failures.append(info.name)
    assert failures == []


def test_unreadable_benchmark_file_is_a_clear_error(tmp_path, monkeypatch):
    from optimus.errors import UserError
    from optimus.evaluate.formats import load_problems

    bench = _bench(tmp_path)

    def denied(self, *a, **k):
        raise PermissionError(13, "Permission denied")

    import optimus.budget

    monkeypatch.setattr(Path, "read_text", denied)
    monkeypatch.setattr(optimus.budget, "read_limited", denied)  # the bounded reader (issue 15)
    with pytest.raises(UserError, match="cannot read .*Permission denied"):
        load_problems(bench)
