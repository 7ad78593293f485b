"""Issue 15: bounded work, no silent wrong answers, nothing overwritten.

One test (or more) per numbered case of the issue, each with the input named there."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from optimus.cli import main


def model(expression: str = "x <= 5", objective: str = "x", **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"variables": [{"name": "x", "upper": 10}],
                         "constraints": [{"name": "c", "expression": expression}],
                         "objective": {"sense": "maximize", "expression": objective}}
    d.update(extra)
    return d


def write(tmp_path: Path, data: Any, name: str = "model.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out and "internal error" not in err + out
    return code, out, err


def flat(text: str) -> str:
    return " ".join(text.split())


def run_model(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any,
              *args: str) -> tuple[int, str, str]:
    return run(["run", str(write(tmp_path, data)), *args], capsys)


# --------------------------------------------------------------------------- 1. bounded work
def test_a_huge_power_is_refused_before_it_is_computed(tmp_path, capsys):
    t0 = time.perf_counter()
    code, out, err = run_model(tmp_path, capsys, model("9**387420489 * x <= 5"))
    assert time.perf_counter() - t0 < 10
    assert code == 2
    text = flat(err)
    assert "9 ** 387420489" in text and "1e+308" in text and "constraint `c`" in text


def test_a_power_from_a_model_reply_hits_the_same_limit():
    import optimus
    from optimus.testing import ScriptedChatModel

    bad = model("9**387420489 * x <= 5")
    fake = ScriptedChatModel(responses=[bad, bad])
    t0 = time.perf_counter()
    answer = optimus.solve("Maximize x subject to a huge power.", chat_model=fake, max_attempts=2)
    assert time.perf_counter() - t0 < 20
    assert answer.status == "invalid_formulation"
    assert any("1e+308" in i for a in answer.attempts if a.diagnosis for i in a.diagnosis.issues)


def test_a_forall_of_ten_to_the_eight_rows_is_refused_quickly(tmp_path, capsys):
    data = {"sets": [{"name": n, "elements": list(range(100))} for n in "ABCD"],
            "variables": [{"name": "x"}],
            "constraints": [{"name": "c", "forall": "a in A, b in B, c in C, d in D",
                             "expression": "x >= 1"}],
            "objective": {"sense": "minimize", "expression": "x"}}
    t0 = time.perf_counter()
    code, out, err = run_model(tmp_path, capsys, data, "--time-limit", "2")
    assert time.perf_counter() - t0 < 10
    assert code == 2
    assert "100,000,000" in flat(err) and "5,000,000" in flat(err)


def test_the_variable_cap_is_checked_before_the_keys_are_built(tmp_path, capsys):
    data = {"sets": [{"name": n, "elements": list(range(100))} for n in "ABCD"],
            "variables": [{"name": "x", "index": list("ABCD")}],
            "constraints": [],
            "objective": {"sense": "minimize", "expression": "0"}}
    t0 = time.perf_counter()
    code, out, err = run_model(tmp_path, capsys, data)
    assert time.perf_counter() - t0 < 10
    assert code == 2 and "100,000,000 variables" in flat(err) and "5,000,000" in flat(err)


def test_nonzeros_are_estimated_from_the_sets(tmp_path, capsys):
    data = {"sets": [{"name": "A", "elements": list(range(3000))},
                     {"name": "B", "elements": list(range(3000))}],
            "variables": [{"name": "x", "index": ["A"]}],
            "constraints": [{"name": "c", "forall": "b in B",
                             "expression": "sum(x[a] for a in A) + sum(x[a] for a in A) "
                                           "+ sum(x[a] for a in A) <= 1"}],
            "objective": {"sense": "minimize", "expression": "0"}}
    code, out, err = run_model(tmp_path, capsys, data)
    assert code == 2 and "27,000,000 nonzero" in flat(err) and "20,000,000" in flat(err)


def test_a_parameter_over_a_huge_product_does_not_walk_it(tmp_path, capsys):
    data = {"sets": [{"name": n, "elements": list(range(100))} for n in "ABCD"],
            "parameters": [{"name": "p", "index": list("ABCD"),
                            "values": [{"index": [0, 0, 0, 0], "value": 1}]}],
            "variables": [{"name": "x"}], "constraints": [],
            "objective": {"sense": "minimize", "expression": "x"}}
    t0 = time.perf_counter()
    code, out, err = run_model(tmp_path, capsys, data)
    assert time.perf_counter() - t0 < 10
    assert code == 2 and "99,999,999 index combination" in flat(err)


# --------------------------------------------------------------------------- 4. numbers
def test_nan_from_infinite_literals_is_refused_naming_the_term(tmp_path, capsys):
    code, out, err = run_model(tmp_path, capsys, model("(1e999 - 1e999) * x <= 5"))
    assert code == 2 and "1e999" in err and "infinite" in err


def test_nan_in_the_objective_is_refused(tmp_path, capsys):
    code, out, err = run_model(tmp_path, capsys, model(objective="(1e999 - 1e999) * x"))
    assert code == 2 and "1e999" in err and "objective" in err


@pytest.mark.parametrize("expr", ["1e300 * x <= 5", "1e200 * 1e200 * x <= 5", "x <= 1e300"])
def test_huge_and_overflowing_numbers_name_the_term(tmp_path, capsys, expr):
    code, out, err = run_model(tmp_path, capsys, model(expr))
    assert code == 2
    text = flat(err)
    assert "constraint `c`" in text or "row `c`" in text
    assert "1e+15" in text or "1e+308" in text


def test_a_huge_coefficient_from_data_names_the_row_and_variable(tmp_path, capsys):
    data = {"sets": [{"name": "S", "elements": ["a", "b"]}],
            "parameters": [{"name": "w", "index": ["S"],
                            "values": [{"index": ["a"], "value": 1}, {"index": ["b"], "value": 1e300}]}],
            "variables": [{"name": "y", "index": ["S"], "upper": 1}],
            "constraints": [{"name": "cap", "expression": "sum(w[s] * y[s] for s in S) <= 4"}],
            "objective": {"sense": "maximize", "expression": "sum(y[s] for s in S)"}}
    code, out, err = run_model(tmp_path, capsys, data)
    assert code == 2 and "y[b]" in err and "cap" in err and "1e+300" in err


def test_nan_data_is_refused(tmp_path, capsys):
    data = {"sets": [{"name": "S", "elements": ["a"]}],
            "parameters": [{"name": "w", "index": ["S"], "values": [{"index": ["a"], "value": "NaN"}]}],
            "variables": [{"name": "y", "index": ["S"], "upper": 1}],
            "constraints": [{"name": "cap", "expression": "sum(w[s] * y[s] for s in S) <= 4"}],
            "objective": {"sense": "maximize", "expression": "sum(y[s] for s in S)"}}
    code, out, err = run_model(tmp_path, capsys, data)
    assert code == 2 and "w" in err and "nan" in err.lower()


# --------------------------------------------------------------------------- 7. clean errors
def test_a_thousand_term_sum_solves(tmp_path, capsys):
    expr = " + ".join(["x"] * 1000) + " <= 5000"
    code, out, err = run_model(tmp_path, capsys, model(expr), "--json")
    assert code == 0
    assert json.loads(out)["objective"] == pytest.approx(5.0)


def test_a_long_alternating_sum_keeps_its_value(tmp_path, capsys):
    # x - x + x - x ... (1,999 terms) == x: the balanced tree must keep every sign
    terms = ["x"] + [("- x" if i % 2 else "+ x") for i in range(1, 1999)]
    code, out, err = run_model(tmp_path, capsys, model(" ".join(terms) + " <= 7"), "--json")
    assert code == 0 and json.loads(out)["objective"] == pytest.approx(7.0)


def test_a_ten_thousand_term_sum_within_the_length_limit_solves(tmp_path, capsys):
    expr = "+".join(["x"] * 9_990) + "<=9990"
    code, out, err = run_model(tmp_path, capsys, model(expr), "--json")
    assert code == 0 and json.loads(out)["objective"] == pytest.approx(1.0)


@pytest.mark.parametrize("expr", ["(" * 100_000 + "x" + ")" * 100_000 + " <= 5",
                                  "-(" * 300 + "x" + ")" * 300 + " <= 5",
                                  "-" * 3000 + "x <= 5",
                                  "(" * 300 + "x" + ")" * 300 + " <= 5"])
def test_deep_nesting_is_refused_cleanly(tmp_path, capsys, expr):
    code, out, err = run_model(tmp_path, capsys, model(expr))
    assert code == 2
    assert "limit" in err or "nest" in err


@pytest.mark.parametrize("expr,objective,word", [
    ("x <= 5", "x and x", "filter"),
    ("x and x <= 5", "x", "comparison"),
    ("abs('a') * x <= 5", "x", "abs"),
    ("min(5) * x <= 5", "x", "min"),
    ("x <= 5", "not x", "filter"),
])
def test_wrong_uses_give_exit_2_with_a_message(tmp_path, capsys, expr, objective, word):
    code, out, err = run_model(tmp_path, capsys, model(expr, objective))
    assert code == 2 and word in err and "fix:" in err


def test_an_integer_of_400_digits_in_an_expression_is_refused(tmp_path, capsys):
    code, out, err = run_model(tmp_path, capsys, model("9" * 400 + " * x <= 5"))
    assert code == 2 and "400 digits" in err and "308" in err


def test_json_nested_a_hundred_thousand_deep_model_file(tmp_path, capsys):
    code, out, err = run(["run", str(write(tmp_path, "[" * 100_000 + "]" * 100_000))], capsys)
    assert code == 2 and "deeper" in err


def test_yaml_nested_deep_model_file(tmp_path, capsys):
    code, out, err = run(["run", str(write(tmp_path, "a: " + "[" * 100_000, "m.yaml"))], capsys)
    assert code == 2 and "nesting" in err


@pytest.mark.parametrize("name", ["m.json", "m.yaml"])
def test_integers_over_4300_digits_in_a_model_file(tmp_path, capsys, name):
    text = ('{"variables": [{"name": "x", "upper": ' + "9" * 5000 + '}], "constraints": [], '
            '"objective": {"sense": "maximize", "expression": "x"}}')
    code, out, err = run(["run", str(write(tmp_path, text, name))], capsys)
    assert code == 2 and "4300" in err


def test_an_integer_over_4300_digits_in_an_expression(tmp_path, capsys):
    code, out, err = run_model(tmp_path, capsys, model("9" * 5000 + " * x <= 1"))
    assert code == 2 and "digits" in err


def test_lone_surrogates_in_a_model_file(tmp_path, capsys):
    text = ('{"name": "\\ud800", "variables": [{"name": "x", "upper": 1}], "constraints": [], '
            '"objective": {"sense": "maximize", "expression": "x"}}')
    code, out, err = run(["run", str(write(tmp_path, text))], capsys)
    assert code == 2 and "surrogate" in err and "name" in err


def test_a_surrogate_pair_is_fine(tmp_path, capsys):
    text = ('{"name": "\\ud83d\\ude00", "variables": [{"name": "x", "upper": 1}], '
            '"constraints": [], "objective": {"sense": "maximize", "expression": "x"}}')
    code, out, err = run(["run", str(write(tmp_path, text)), "--json"], capsys)
    assert code == 0


def test_a_device_as_model_file(tmp_path, capsys):
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    t0 = time.perf_counter()
    code, out, err = run(["run", str(link)], capsys)
    assert code == 2 and time.perf_counter() - t0 < 10 and "device" in err


def test_solve_f_dev_zero_returns_at_once(capsys):
    t0 = time.perf_counter()
    code, out, err = run(["solve", "-f", "/dev/zero", "--offline"], capsys)
    assert code == 2 and time.perf_counter() - t0 < 10
    assert "20,000 characters" in flat(err)


# --------------------------------------------------------------------------- 9. string literals
def test_whitespace_inside_string_literals_is_kept(tmp_path, capsys):
    data = {"sets": [{"name": "S", "elements": ["a  b", "a b"]}],
            "variables": [{"name": "x", "index": ["S"], "upper": 1}],
            "constraints": [{"name": "c", "expression": "x['a  b'] <= 0"}],
            "objective": {"sense": "maximize", "expression": "sum(x[s] for s in S)"}}
    code, out, err = run_model(tmp_path, capsys, data, "--json")
    assert code == 0
    values = {tuple(v["index"]): v["value"] for v in json.loads(out)["variables"]}
    assert values[("a  b",)] == 0 and values[("a b",)] == 1


def test_equals_inside_a_string_literal_is_kept():
    from optimus.expressions import parse

    import ast

    assert ast.unparse(parse("p['a=b'] = 1")) == "p['a=b'] == 1"


# --------------------------------------------------------------------------- 10. exit codes
def test_non_utf8_text_gives_exit_2_not_provider_error(capsys):
    code, out, err = run(["solve", "caf\udce9 maximize x", "--base-url", "http://127.0.0.1:9/v1"],
                         capsys)
    assert code == 2 and "UTF-8" in err


def test_a_non_utf8_problem_file_gives_exit_2(tmp_path, capsys):
    path = tmp_path / "p.txt"
    path.write_bytes("caf\xe9 maximize".encode("latin-1"))
    code, out, err = run(["solve", "-f", str(path), "--offline"], capsys)
    assert code == 2 and "UTF-8" in err


# --------------------------------------------------------------------------- 3. output paths
import os  # noqa: E402
import stat  # noqa: E402

GOOD = model("x <= 5")


def test_code_dev_null_is_refused_and_dev_null_stays_a_device(tmp_path, capsys):
    code, out, err = run(["run", str(write(tmp_path, GOOD)), "--code", "/dev/null"], capsys)
    assert code == 2 and "character device" in err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("kind", ["fifo", "dir", "link_to_fifo", "link_to_device", "dangling"])
def test_special_output_paths_are_refused(tmp_path, capsys, kind):
    target = tmp_path / "out.py"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dir":
        target.mkdir()
    elif kind == "link_to_fifo":
        os.mkfifo(tmp_path / "pipe")
        target.symlink_to(tmp_path / "pipe")
    elif kind == "link_to_device":
        target.symlink_to("/dev/null")
    else:
        target.symlink_to(tmp_path / "missing.py")
    before = os.lstat(target)
    for option in ("--code", "--latex", "--lp", "--mps"):
        code, out, err = run(["run", str(write(tmp_path, GOOD)), option, str(target)], capsys)
        assert code == 2 and "fix:" in err
        after = os.lstat(target)
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_a_symlink_to_a_regular_file_writes_the_file_and_keeps_the_link(tmp_path, capsys):
    real = tmp_path / "real.py"
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    code, out, err = run(["run", str(write(tmp_path, GOOD)), "--code", str(link)], capsys)
    assert code == 0 and link.is_symlink()
    assert "pyomo" in real.read_text() and stat.S_IMODE(os.stat(real).st_mode) == 0o640


def test_solve_code_to_a_fifo_is_refused_before_any_work(tmp_path, capsys):
    fifo = tmp_path / "p.py"
    os.mkfifo(fifo)
    code, out, err = run(["solve", "Maximize 3x with x at most 4.", "--offline", "--code",
                          str(fifo)], capsys)
    assert code == 2 and "FIFO" in err and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_the_writer_refuses_an_input_by_any_name(tmp_path):
    from optimus.errors import UserError
    from optimus.output import write_output

    src = tmp_path / "model.json"
    src.write_text("{}")
    os.link(src, tmp_path / "hard.json")
    (tmp_path / "soft.json").symlink_to(src)
    for name in ("model.json", "hard.json", "soft.json"):
        with pytest.raises(UserError, match="input"):
            write_output(tmp_path / name, "x", inputs={src: "the model file"})
    assert src.read_text() == "{}"
    with open(src) as fh:  # an open file (chat's stdin) by its descriptor
        with pytest.raises(UserError, match="input"):
            write_output(tmp_path / "hard.json", "x", inputs=[fh.fileno()])


def test_the_writer_is_atomic(tmp_path, monkeypatch):
    from optimus.errors import UserError
    from optimus.output import write_output

    target = tmp_path / "a.txt"
    target.write_text("old")

    def failing(tmp):
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(UserError, match="No space left"):
        write_output(target, failing)
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_chat_save_refuses_the_file_chat_reads(tmp_path):
    import io

    from optimus.agent.langchain_model import LangChainModel
    from optimus.agent.session import ChatSession
    from optimus.commands.chat import chat_inputs, chat_loop
    from optimus.testing import ScriptedChatModel
    from rich.console import Console

    good = {"variables": [{"name": "x", "upper": 4}],
            "objective": {"sense": "maximize", "expression": "3*x"}}
    lines = tmp_path / "lines.yaml"
    lines.write_text("Maximize 3x with x at most 4.\n/save lines.yaml\n/save copy.yaml\n")
    session = ChatSession(LangChainModel(ScriptedChatModel(responses=[good])))
    console = Console(file=io.StringIO(), width=200)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with open(lines, encoding="utf-8") as fh:
            session.inputs = chat_inputs(fh)
            chat_loop(session, fh, console, interactive=False)
    finally:
        os.chdir(cwd)
    shown = console.file.getvalue()
    assert "the file chat is reading" in flat(shown)
    assert lines.read_text().startswith("Maximize 3x")
    assert "objective" in (tmp_path / "copy.yaml").read_text()


# --------------------------------------------------------------------------- 5, 6, 11. eval
def _bench(tmp_path: Path, rows: list[Any], name: str = "b.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_second_eval_on_one_out_is_refused(tmp_path, capsys):
    from optimus.evaluate.runner import OutLock

    bench = _bench(tmp_path, [{"id": "a", "question": "Maximize 3x with x at most 4.", "answer": 12}])
    out = tmp_path / "run"
    out.mkdir()
    holder = OutLock(out)
    holder.acquire()  # another run holds the folder
    try:
        code, _, err = run(["eval", str(bench), "--offline", "--no-progress", "--out", str(out),
                            "--resume"], capsys)
        assert code == 2 and "another optimus eval" in flat(err) and "--resume" in flat(err)
        assert not (out / "results.jsonl").exists()
    finally:
        holder.release()
    code, _, err = run(["eval", str(bench), "--offline", "--no-progress", "--out", str(out),
                        "--resume"], capsys)
    assert code == 0


def test_a_killed_run_leaves_no_stale_lock(tmp_path, capsys):
    import subprocess
    import sys

    out = tmp_path / "run"
    out.mkdir()
    script = ("import sys, time; from pathlib import Path; from optimus.evaluate.runner import "
              "OutLock; OutLock(Path(sys.argv[1])).acquire(); print('held', flush=True); "
              "time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(out)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        bench = _bench(tmp_path, [{"id": "a", "question": "Maximize 3x with x at most 4.",
                                   "answer": 12}])
        code, _, err = run(["eval", str(bench), "--offline", "--no-progress", "--out", str(out),
                            "--resume"], capsys)
        assert code == 2 and f"process {proc.pid}" in err
    finally:
        proc.kill()
        proc.wait()
    code, _, err = run(["eval", str(bench), "--offline", "--no-progress", "--out", str(out),
                        "--resume"], capsys)
    assert code == 0


BAD_ROWS = [
    {"id": "ok", "question": "Maximize 3x with x at most 4.", "answer": 12},
    {"id": "alt", "question": "Maximize 3x with x at most 4.", "answer": 12,
     "meta": {"alt_answers": 5}},
    {"id": "long", "question": "Maximize 3x with x at most 4. " + "y" * 20_195, "answer": 1},
    {"id": "noq", "answer": 3},
    ["not", "an", "object"],
]


def _records(out: Path) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}


def test_bad_rows_are_records_offline(tmp_path, capsys):
    bench = _bench(tmp_path, BAD_ROWS)
    with bench.open("a") as fh:
        fh.write('{"id": "broken", "question": oops}\n')
    out = tmp_path / "run"
    code, _, err = run(["eval", str(bench), "--offline", "--no-progress", "--out", str(out)], capsys)
    assert code == 0
    recs = _records(out)
    assert recs["ok"]["category"] == "correct"
    bad = [i for i, r in recs.items() if r["category"] == "bad input"]
    assert sorted(bad) == sorted(["alt", "long", "noq", "b-4", "b-5"])
    assert "alt_answers" in recs["alt"]["error"] and "20,000" in recs["long"]["error"]
    assert all(recs[i]["correct"] is None for i in bad)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["categories"]["bad input"] == 5 and summary["scored"] == 1


def test_bad_rows_are_records_with_a_model_too(tmp_path):
    import optimus
    from optimus.evaluate.formats import load_problems
    from optimus.evaluate.runner import run_eval
    from optimus.testing import ScriptedChatModel

    good = {"variables": [{"name": "x", "upper": 4}],
            "objective": {"sense": "maximize", "expression": "3*x"}}

    def with_model(text: str):
        return optimus.solve(text, chat_model=ScriptedChatModel(responses=[good] * 3),
                             ground_numbers=False)

    problems = load_problems(_bench(tmp_path, BAD_ROWS))
    result = run_eval(problems, with_model, tmp_path / "run", progress=False)
    cats = {r["id"]: r["category"] for r in result.records}
    assert cats == {"ok": "correct", "alt": "bad input", "long": "bad input",
                    "noq": "bad input", "b-4": "bad input"}
    # --resume does not abort on them either, and keeps them
    again = run_eval(problems, with_model, tmp_path / "run", progress=False, resume=True)
    assert {r["id"]: r["category"] for r in again.records} == cats


def test_ids_a_a_a2_give_three_distinct_records(tmp_path, capsys):
    rows = [{"id": "a", "question": "Maximize 3x with x at most 4.", "answer": 12},
            {"id": "a", "question": "Maximize 2x with x at most 4.", "answer": 8},
            {"id": "a#2", "question": "Maximize 5x with x at most 4.", "answer": 20}]
    out = tmp_path / "run"
    code, _, _ = run(["eval", str(_bench(tmp_path, rows)), "--offline", "--no-progress",
                      "--out", str(out)], capsys)
    assert code == 0
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert len({r["id"] for r in lines}) == 3 and len(lines) == 3
    assert all(r["correct"] for r in lines)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["done"] == 3 and summary["scored"] == 3


def test_resume_retries_timeouts(tmp_path):
    from optimus.answer import Answer
    from optimus.evaluate.formats import Problem
    from optimus.evaluate.runner import run_eval

    problems = [Problem("slow", "q", 3.0), Problem("fast", "q", 3.0)]
    state = {"slow": True}

    def solve_fn(text: str) -> Answer:
        if state["slow"]:
            time.sleep(3)
        return Answer(status="optimal", objective=3.0)

    first = run_eval(problems, solve_fn, tmp_path / "run", progress=False, timeout=0.5,
                     concurrency=2)
    assert {r["category"] for r in first.records} == {"timeout"}
    state["slow"] = False
    again = run_eval(problems, solve_fn, tmp_path / "run", progress=False, resume=True)
    assert sorted(again.retried) == ["fast", "slow"]
    assert {r["category"] for r in again.records} == {"correct"}
    assert len((tmp_path / "run" / "results.jsonl").read_text().splitlines()) == 2


def test_a_benchmark_file_named_run_json_inside_out_is_never_rewritten(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    bench = out / "run.json"
    bench.write_text(json.dumps([{"id": "a", "question": "Maximize 3x with x at most 4.",
                                  "answer": 12}]))
    before = bench.read_bytes()
    code, _, err = run(["eval", str(bench), "--offline", "--no-progress", "--out", str(out),
                        "--resume"], capsys)
    assert code == 2 and "benchmark file" in err and bench.read_bytes() == before


def test_a_provider_hang_does_not_outlive_the_run(tmp_path):
    """A model that never answers within the problem's deadline: the record says timeout
    at the deadline, the worker makes no further calls and ends by itself."""
    import threading

    import optimus
    from optimus.agent.langchain_model import RetryPolicy
    from optimus.evaluate.formats import Problem
    from optimus.evaluate.runner import run_eval
    from optimus.testing import ScriptedChatModel

    calls: list[float] = []

    def slow(messages):
        calls.append(time.monotonic())
        time.sleep(0.4)
        return "not json at all"  # a parse error: the agent asks again, and again

    def solve_fn(text: str):
        return optimus.solve(text, chat_model=ScriptedChatModel(responses=[slow] * 50),
                             max_attempts=20, retry=RetryPolicy(retries=0, sleep=lambda s: None))

    t0 = time.monotonic()
    result = run_eval([Problem("hang", "Maximize 3x with x at most 4.", 12.0)], solve_fn,
                      tmp_path / "run", progress=False, timeout=1.0)
    assert result.records[0]["category"] == "timeout"
    assert time.monotonic() - t0 < 8
    n = len(calls)
    time.sleep(1.0)
    assert len(calls) == n  # nothing calls the provider after the run
    assert not [t for t in threading.enumerate() if t.name.startswith("optimus-eval")]


def test_the_per_problem_timeout_ends_a_long_build(tmp_path):
    import threading

    from optimus.evaluate.formats import Problem
    from optimus.evaluate.runner import run_eval
    from optimus.formulation import Formulation
    from optimus.pipeline import solve_formulation

    f = Formulation.model_validate({
        "sets": [{"name": "A", "elements": list(range(2000))}, {"name": "B", "elements": list(range(2000))}],
        "variables": [{"name": "x", "index": ["A"]}],
        "constraints": [{"name": "c", "forall": "a in A, b in B", "expression": "x[a] >= b"}],
        "objective": {"sense": "minimize", "expression": "sum(x[a] for a in A)"}})

    def solve_fn(text: str):
        from optimus.answer import Answer

        return Answer.from_result(solve_formulation(f), formulation=f)

    t0 = time.monotonic()
    result = run_eval([Problem("big", "q", 1.0)], solve_fn, tmp_path / "run", progress=False,
                      timeout=1.0)
    assert result.records[0]["category"] == "timeout"
    assert time.monotonic() - t0 < 10  # the 4,000,000-row build stopped at its deadline
    assert not [t for t in threading.enumerate() if t.name.startswith("optimus-eval")]


# --------------------------------------------------------------------------- 2. Pyomo names
CLASHES = {
    "set_and_constraint": {
        "sets": [{"name": "S", "elements": [1, 2, 3]}],
        "variables": [{"name": "x", "index": ["S"], "upper": 1}],
        "constraints": [{"name": "S", "expression": "sum(x[s] for s in S) <= 2"}],
        "objective": {"sense": "maximize", "expression": "sum(s * x[s] for s in S)"}},
    "variable_and_constraint": {
        "variables": [{"name": "y", "upper": 10}, {"name": "z", "upper": 10}],
        "constraints": [{"name": "y", "expression": "y + z <= 4"},
                        {"name": "z", "expression": "z <= 1"}],
        "objective": {"sense": "maximize", "expression": "2*y + 3*z"}},
    "parameter_and_constraint_and_index": {
        "sets": [{"name": "P", "elements": ["a", "b"]}],
        "parameters": [{"name": "cap", "index": ["P"],
                        "values": [{"index": ["a"], "value": 2}, {"index": ["b"], "value": 3}]}],
        "variables": [{"name": "P_index", "index": ["P"]}],
        "constraints": [{"name": "cap", "forall": "p in P", "expression": "P_index[p] <= cap[p]"},
                        {"name": "P", "expression": "sum(P_index[p] for p in P) <= 4"}],
        "objective": {"sense": "maximize", "expression": "sum(P_index[p] for p in P)"}},
}


@pytest.mark.parametrize("name", list(CLASHES))
def test_the_pyomo_script_agrees_when_names_clash(tmp_path, name):
    import re
    import subprocess
    import sys

    from optimus.formulation import Formulation
    from optimus.pipeline import solve_formulation
    from optimus.render.pyomo_code import to_pyomo_script

    f = Formulation.model_validate(CLASHES[name])
    ours = solve_formulation(f)
    assert ours.status == "optimal"
    script = tmp_path / "m.py"
    script.write_text(to_pyomo_script(f), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = float(re.search(r"^objective:\s*(\S+)", proc.stdout, re.M).group(1))
    assert got == pytest.approx(ours.objective)


# --------------------------------------------------------------------------- 10. solve --code exit 5
@pytest.mark.parametrize("bad", [
    {"variables": [{"name": "x", "upper": 4}],
     "objective": {"sense": "maximize", "expression": "3*x + y"}},          # unknown symbol
    {"variables": [{"name": "x y", "upper": 4}],
     "objective": {"sense": "maximize", "expression": "3*x"}},             # not an identifier
])
def test_solve_code_on_an_invalid_model_reply_exits_5(tmp_path, capsys, monkeypatch, bad):
    from optimus.agent import langchain_model as llm_module
    from optimus.exitcodes import ExitCode
    from optimus.testing import ScriptedChatModel

    fake = ScriptedChatModel(responses=[bad] * 3)
    monkeypatch.setattr(llm_module, "_sleep", lambda s: None)
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    out_py = tmp_path / "out.py"
    code, out, err = run(["solve", "Maximize 3x with x at most 4.", "--model", "fake:model",
                          "--max-attempts", "2", "--code", str(out_py), "--latex",
                          str(tmp_path / "m.md")], capsys)
    assert code == ExitCode.NO_SOLVE == 5
    assert not out_py.exists() and "not written" in flat(err)
