"""Infeasible (or unbounded) as stated: the model keeps the formulation, the loop stops at
two calls and the answer shows the model's reason beside the diagnosis."""

from __future__ import annotations

import json

import pytest
from agent_data import TEXT, good, infeasible

from optimus.agent import langchain_model as llm_module
from optimus.agent.langchain_model import LangChainModel, RetryPolicy
from optimus.agent.loop import Agent
from optimus.agent.repair import repair_message
from optimus.agent.schema import reply_json_schema, validate_reply
from optimus.cli import main
from optimus.testing import ScriptedChatModel, reply

PROMISED = TEXT + " The shop has promised a customer at least 60 soldiers this week."
REASON = ("The text is infeasible as stated: at most 40 soldiers sell, yet 60 are promised "
          "(60 > 40).")


def agent_for(responses: list, **kw) -> tuple[Agent, ScriptedChatModel]:
    fake = ScriptedChatModel(responses=responses)
    return Agent(LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None)), **kw), fake


def test_schema_has_as_stated():
    schema = reply_json_schema()
    assert schema["properties"]["as_stated"]["type"] == "boolean"
    assert "as_stated" in schema["required"]
    assert validate_reply({"is_optimization_problem": True, "reason": None,
                           "formulation": good()}).as_stated is False


def test_infeasible_as_stated_costs_two_calls_and_shows_the_reason():
    agent, fake = agent_for([infeasible(), reply(infeasible(), reason=REASON, as_stated=True),
                             good(), good()])
    answer = agent.solve(PROMISED)
    assert answer.status == "infeasible"
    assert answer.usage.calls == 2 and fake.remaining == 2
    assert answer.as_stated is True and answer.reason == REASON
    assert "as stated" in answer.message and "60 > 40" in answer.message
    # the IIS is kept beside the reason
    assert answer.diagnosis is not None and answer.diagnosis.kind == "infeasible"
    assert {c.label for c in answer.diagnosis.conflict} >= {"min_soldiers", "soldier_demand"}
    # the repair message said how to report an infeasible text
    repair = fake.received[1][-1].content
    assert "as_stated" in repair and "inconsistent" in repair
    assert [a.as_stated for a in answer.attempts] == [False, True]
    assert answer.diagnosis.relaxation  # and the smallest change that restores feasibility


def test_natural_bound_relaxations_are_not_offered():
    from optimus.answer import Attempt
    from optimus.result import Diagnosis, RelaxationEntry

    diag = Diagnosis(kind="infeasible", relaxation=[
        RelaxationEntry(constraint="x", variable="x", kind="lower bound", current=0, needed=-5,
                        option=1),
        RelaxationEntry(constraint="demand", current=60, needed=40, option=2)])
    msg = repair_message("p", [Attempt(number=1, status="infeasible", diagnosis=diag)])
    assert "demand: 60 -> 40" in msg and "-5" not in msg


def test_as_stated_on_the_first_reply_still_gets_one_look_at_the_diagnosis():
    keep = reply(infeasible(), reason=REASON, as_stated=True)
    agent, fake = agent_for([keep, keep, keep, keep])
    answer = agent.solve(PROMISED)
    assert answer.usage.calls == 2 and answer.as_stated
    assert "You said the text is infeasible" in fake.received[1][-1].content


def test_without_as_stated_the_budget_is_spent_as_before():
    agent, _ = agent_for([infeasible()] * 4)
    answer = agent.solve(PROMISED)
    assert answer.usage.calls == 4 and not answer.as_stated
    assert "No clean optimum after 4 attempts" in answer.message


def test_as_stated_on_a_feasible_formulation_is_just_an_optimum():
    agent, _ = agent_for([reply(good(), reason="fine", as_stated=True)], ground_numbers=False)
    answer = agent.solve(TEXT)
    assert answer.status == "optimal" and answer.usage.calls == 1 and not answer.as_stated


def test_unbounded_as_stated():
    f = good()
    f["constraints"] = []  # no limit at all
    f["variables"][0]["domain"] = "continuous"
    text = "Giapetto earns $3 per soldier and $2 per train. Maximize profit."
    why = "The text states no limit on production, so profit is unbounded as stated."
    agent, _ = agent_for([f, reply(f, reason=why, as_stated=True)])
    answer = agent.solve(text)
    assert answer.status == "unbounded" and answer.usage.calls == 2
    assert answer.as_stated and "no limit" in answer.message


def test_natural_bounds_are_explained_not_offered_for_deletion():
    from optimus.answer import Attempt
    from optimus.result import ConflictEntry, Diagnosis

    diag = Diagnosis(kind="infeasible", conflict=[
        ConflictEntry(constraint="blend", kind="row", text="blend: a + b == 1"),
        ConflictEntry(variable="share", index=["middlings"], kind="lower bound", value=0.0,
                      text="share[middlings] >= 0")])
    msg = repair_message("p", [Attempt(number=1, status="infeasible", diagnosis=diag)])
    assert "share[middlings] >= 0 in the conflict is a natural bound" in msg
    assert "keep it" in msg


def test_solve_command_shows_the_reason_and_the_conflict(script, capsys):
    script(infeasible(), reply(infeasible(), reason=REASON, as_stated=True))
    code = main(["solve", PROMISED, "--model", "fake:model"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "Infeasible as stated" in out and "60 > 40" in out
    assert "min_soldiers" in out and "soldier_demand" in out
    # the smallest change that restores feasibility, beside the reason
    assert "Smallest change that makes it feasible:" in out and "60 -> 40" in out
    assert "model calls: 2" in out


def test_solve_json_carries_as_stated(script, capsys):
    script(infeasible(), reply(infeasible(), reason=REASON, as_stated=True))
    code = main(["solve", PROMISED, "--model", "fake:model", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["as_stated"] is True and data["reason"] == REASON
    assert data["usage"]["calls"] == 2 and data["diagnosis"]["kind"] == "infeasible"
    assert [a["as_stated"] for a in data["attempts"]] == [False, True]
