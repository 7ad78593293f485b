"""``optimus solve`` through ``optimus.cli.main`` with a scripted model (no network)."""

from __future__ import annotations

import json

import pytest
from agent_data import TEXT, good, infeasible

from optimus.agent import langchain_model as llm_module
from optimus.agent.loop import MAX_TEXT_CHARS
from optimus.cli import main
from optimus.testing import ScriptedChatModel, http_error, not_optimization


def run(capsys, *args):
    code = main(["solve", *args])
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


def test_solve_prints_math_solution_and_attempts(script, capsys):
    script(good())
    code, out, err = run(capsys, TEXT, "--model", "fake:model")
    assert code == 0, err
    assert "180" in out and "soldiers" in out and "Attempts" in out
    assert "model calls: 1" in out


def test_solve_json_is_one_object(script, capsys):
    script(infeasible(), good())
    code, out, err = run(capsys, TEXT, "--model", "fake:model", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "optimal" and data["objective"] == pytest.approx(180)
    assert [a["status"] for a in data["attempts"]] == ["infeasible", "optimal"]
    assert data["attempts"][0]["diagnosis"]["kind"] == "infeasible"
    assert data["usage"]["calls"] == 2 and data["formulation"]["name"] == "giapetto"
    for key in ("bound", "gap", "variables", "diagnosis", "timings"):
        assert key in data


def test_solve_from_file_writes_code_and_latex(script, capsys, tmp_path):
    script(good())
    problem = tmp_path / "p.txt"
    problem.write_text(TEXT)
    code, out, err = run(capsys, "-f", str(problem), "--model", "fake:model",
                         "--code", str(tmp_path / "m.py"), "--latex", str(tmp_path / "m.md"))
    assert code == 0
    assert "pyomo" in (tmp_path / "m.py").read_text().lower()
    assert "make" in (tmp_path / "m.md").read_text()


def test_model_from_environment(script, capsys, monkeypatch):
    script(good())
    monkeypatch.setenv("OPTIMUS_MODEL", "fake:model")
    code, out, err = run(capsys, TEXT)
    assert code == 0 and "180" in out


def test_exhausted_budget_exit_code_and_message(script, capsys):
    script(infeasible(), infeasible())
    code, out, err = run(capsys, TEXT, "--model", "fake:model", "--max-attempts", "2")
    assert code == 1
    text = " ".join(out.split())
    assert "infeasible" in text and "No clean optimum after 2 attempts" in text
    assert "min_soldiers" in text


def test_not_optimization_exit_code(script, capsys):
    script(not_optimization("This is a recipe, not an optimization problem."))
    code, out, err = run(capsys, "Mix flour and water.", "--model", "fake:model", "--json")
    assert code == 5
    assert json.loads(out)["status"] == "not_optimization"


@pytest.mark.parametrize("args, needle", [
    ([""], "empty"),
    (["x" * (MAX_TEXT_CHARS + 1)], "20,000"),
    ([], "empty"),
    (["text", "-f", "p.txt"], "not both"),
    (["-f", "/nonexistent/p.txt"], "no such file"),
])
def test_bad_input(capsys, args, needle):
    code, out, err = run(capsys, *args, "--model", "fake:model")
    assert code == 2 and needle in err and "Traceback" not in err


@pytest.mark.parametrize("responses, needle, kind", [
    ([http_error(401, "invalid key")], "rejected the credentials", "auth"),
    ([http_error(429)] * 4, "rate limited (429) on all 4 tries", "rate"),
    ([TimeoutError("timed out")] * 4, "no answer within 120 s (4 tries)", "timeout"),
])
def test_provider_failures(script, capsys, responses, needle, kind):
    script(*responses)
    code, out, err = run(capsys, TEXT, "--model", "fake:model")
    assert code == 3
    assert needle in err and "fix:" in err and "Traceback" not in err


def test_unknown_structured_mode(script, capsys):
    script(good())
    code, out, err = run(capsys, TEXT, "--model", "fake:model", "--structured", "xml")
    assert code == 2 and "--structured tool" in err


def test_missing_provider_package(capsys):
    code, out, err = run(capsys, TEXT, "--model", "ollama:qwen2.5")
    try:
        import langchain_ollama  # noqa: F401
    except ImportError:
        assert code == 2 and 'pip install "optimus-milp[ollama]"' in err
    else:  # pragma: no cover - installed: the call fails at the (blocked) network instead
        assert code == 3


def test_no_model_falls_back_to_offline(capsys):
    bakery = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
              "needs 1 hour of oven time. 40 hours of oven time are available. The profit is $5 "
              "per cake and $3 per pie. How many cakes and pies should it bake to maximize profit?")
    code, out, err = run(capsys, bakery, "--json")
    assert "No language model is configured" in err and "offline formulator" in err
    assert "OPTIMUS_MODEL" in err and "--model" in err and "--base-url" in err
    data = json.loads(out)
    assert data["formulator"] == "offline"
    assert code == (0 if data["status"] == "optimal" else 5)


def test_offline_flag_prints_no_notice(capsys):
    code, out, err = run(capsys, "Hello, how are you?", "--offline", "--json")
    assert "No language model" not in err
    assert json.loads(out)["formulator"] == "offline"
    assert code in (1, 5)


def test_offline_abstention_says_its_reason_once(capsys):
    code, out, _ = run(capsys, "--offline", "We want to do something nice with our widgets.")
    assert code == 5  # abstained
    assert out.count("could not find the decision variables") == 1 and "ollama" in out
