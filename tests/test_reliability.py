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
