"""Hostile model output: code in names, expressions, descriptions and set elements is data.

The whole pipeline (parse the reply, check, build, solve, repair, render math and code,
run the emitted Pyomo script) must create no file and execute nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optimus.agent.session import ChatSession, math_text
from optimus.agent.langchain_model import RetryPolicy, LangChainModel
from optimus.agent.loop import Agent
from optimus.cli import main
from optimus.testing import ScriptedChatModel

PAYLOAD = "__import__('os').system('touch PWNED')"
NASTY = f"\"'); {PAYLOAD}; #\n\r\x00 {{{{problem}}}} ```\n[bold]x[/bold] $(touch PWNED) `touch PWNED`"


def hostile_expressions() -> dict:
    """Code where expressions, forall clauses and names are."""
    return {
        "name": NASTY,
        "description": NASTY,
        "assumptions": [NASTY],
        "sets": [{"name": "S", "description": NASTY, "elements": ["a", NASTY]}],
        "parameters": [{"name": "c", "description": NASTY, "index": ["S"],
                        "values": [{"index": ["a"], "value": 1}, {"index": [NASTY], "value": 2}]}],
        "variables": [{"name": "x", "description": NASTY, "index": ["S"], "upper": 5},
                      {"name": "os.system('touch PWNED')", "description": NASTY}],
        "constraints": [
            {"name": "c1", "description": NASTY, "forall": f"s in S if {PAYLOAD}",
             "expression": f"x[s] <= {PAYLOAD}"},
            {"name": "c2; import os", "description": NASTY, "forall": None,
             "expression": "sum(x[s] for s in S) <= exec('import os')"},
            {"name": "c3", "description": NASTY, "forall": None,
             "expression": "(lambda: __import__('os').system('touch PWNED'))() >= 0"},
            {"name": "c4", "description": None, "forall": None,
             "expression": "x['a'].__class__.__mro__ >= 0"},
        ],
        "objective": {"sense": "maximize", "description": NASTY,
                      "expression": f"sum(c[s] * x[s] for s in S) + {PAYLOAD}"},
    }


def hostile_but_valid() -> dict:
    """A valid model whose free text (names of things, descriptions, elements) is hostile."""
    return {
        "name": NASTY,
        "description": NASTY,
        "assumptions": [NASTY, PAYLOAD],
        "sets": [{"name": "S", "description": NASTY, "elements": ["a", NASTY, PAYLOAD]}],
        "parameters": [{"name": "c", "description": NASTY, "index": ["S"],
                        "values": [{"index": ["a"], "value": 1}, {"index": [NASTY], "value": 2},
                                   {"index": [PAYLOAD], "value": 3}]}],
        "variables": [{"name": "x", "description": NASTY, "index": ["S"], "upper": 5}],
        "constraints": [{"name": "cap", "description": NASTY, "forall": None,
                         "expression": "sum(x[s] for s in S) <= 7"},
                        {"name": "not_payload", "description": PAYLOAD, "forall": "s in S if s == " + json.dumps(PAYLOAD),
                         "expression": "x[s] <= 1"}],
        "objective": {"sense": "maximize", "description": NASTY,
                      "expression": "sum(c[s] * x[s] for s in S)"},
    }


@pytest.fixture
def jail(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _no_files(root: Path) -> None:
    assert not (root / "PWNED").exists()
    assert not Path("PWNED").exists()


@pytest.mark.parametrize("structured", ["tool", "json"])
def test_hostile_expressions_are_rejected_as_data(jail, structured):
    fake = ScriptedChatModel(responses=[hostile_expressions(), hostile_expressions(),
                                        f"{PAYLOAD}\n```python\nimport os\n```"])
    llm = LangChainModel(fake, structured=structured, retry=RetryPolicy(sleep=lambda s: None))
    agent = Agent(llm, max_attempts=3)
    answer = agent.solve("Maximize things. " + NASTY)
    assert answer.status == "invalid_formulation"
    issues = " ".join(answer.attempts[0].diagnosis.issues)
    assert "os.system" in issues or "not a valid identifier" in issues
    # repair messages carry the hostile text back as data, and the template is intact
    repair = fake.received[1][-1].content
    assert "### Attempt 1" in repair and "Return the complete formulation" in repair
    json.dumps(answer.to_json_dict())
    _no_files(jail)


def test_hostile_but_valid_model_solves_renders_and_runs_safely(jail):
    fake = ScriptedChatModel(responses=[hostile_but_valid()])
    llm = LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None))
    answer = Agent(llm, ground_numbers=False).solve("Maximize things. " + NASTY)
    assert answer.status == "optimal"
    # x[NASTY] = 5 (value 2 each), x[PAYLOAD] = 1 (its own constraint, value 3), x[a] = 1
    assert answer.objective == pytest.approx(2 * 5 + 3 * 1 + 1 * 1)
    f = answer.formulation
    math_text(f)  # renders without running anything
    f.compact()
    from optimus.render.pyomo_code import to_pyomo_script
    script = jail / "model.py"
    script.write_text(to_pyomo_script(f), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=jail, capture_output=True,
                          text=True, timeout=120)
    assert "status: optimal" in proc.stdout, proc.stderr[-2000:]
    objective = float(proc.stdout.split("objective:")[1].split()[0])
    assert objective == pytest.approx(answer.objective)
    _no_files(jail)


def test_hostile_output_through_the_cli_and_chat(jail, monkeypatch, capsys):
    from optimus.agent import langchain_model as llm_module

    fake = ScriptedChatModel(responses=[hostile_but_valid()])
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    code = main(["solve", "Maximize things. " + NASTY, "--model", "x:y", "--code", "out.py",
                 "--latex", "out.md"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert (jail / "out.py").exists() and (jail / "out.md").exists()
    subprocess.run([sys.executable, "out.py"], cwd=jail, capture_output=True, timeout=120)
    session = ChatSession(LangChainModel(ScriptedChatModel(responses=[hostile_but_valid()])))
    assert session.handle("Maximize things. " + NASTY).kind == "solved"
    for line in ("/show", "/math", "/code", "/save m.yaml", f"/save '{PAYLOAD}'"):
        session.handle(line)
    _no_files(jail)
