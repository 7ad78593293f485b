"""The agent loop with a scripted fake chat model (no network, no key)."""

from __future__ import annotations

import copy
import json
import re

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

import optimus
from optimus.agent.grounding import text_numbers, unexplained_numbers
from optimus.agent.langchain_model import RetryPolicy, LangChainModel, classify
from optimus.agent.loop import MAX_TEXT_CHARS, Agent
from optimus.agent.model import Message, Purpose, Request
from optimus.agent.prompts import NAMES, load_prompt, render
from optimus.agent.repair import repair_message
from optimus.agent.schema import reply_json_schema, validate_reply
from optimus.errors import ProviderError, UserError
from optimus.formulation import Formulation
from optimus.pipeline import solve_formulation
from optimus.testing import ScriptedChatModel, http_error, not_optimization, reply

from agent_data import TEXT, good, infeasible, unknown_symbol  # noqa: E402  (tests/ is on sys.path)


def agent_for(responses: list, **kw) -> tuple[Agent, ScriptedChatModel]:
    fake = ScriptedChatModel(responses=responses)
    structured = kw.pop("structured", None)
    llm = LangChainModel(fake, structured=structured, retry=RetryPolicy(sleep=lambda s: None))
    kw.setdefault("ground_numbers", False)
    return Agent(llm, **kw), fake


def last_human(messages) -> str:
    return messages[-1].content


# --------------------------------------------------------------------------- the loop
@pytest.mark.parametrize("structured", ["tool", "json"])
def test_clean_one_shot_solve(structured):
    agent, fake = agent_for([good()], structured=structured, ground_numbers=True)
    answer = agent.solve(TEXT)
    assert answer.status == "optimal"
    assert answer.objective == pytest.approx(180)
    assert len(answer.attempts) == 1 and answer.attempts[0].status == "optimal"
    assert answer.usage.calls == 1 and answer.usage.input_tokens > 0 and answer.usage.output_tokens > 0
    assert answer.unexplained_numbers == []
    assert answer.formulation is not None and answer.formulation.name == "giapetto"
    sent = fake.received[0]
    assert isinstance(sent[0], SystemMessage) and isinstance(sent[1], HumanMessage)
    assert TEXT in sent[1].content
    # the structured-output mode reached the model: a tool, or a JSON-schema response format
    if structured == "tool":
        assert fake.calls[0]["tools"][0]["function"]["name"] == "ModelReply"
    else:
        assert fake.calls[0]["response_format"]["strict"] is True
    data = answer.to_json_dict()
    for key in ("status", "objective", "variables", "diagnosis", "timings", "formulation",
                "attempts", "usage"):
        assert key in data
    json.dumps(data)


@pytest.mark.parametrize("structured", ["tool", "json"])
def test_malformed_output_is_repaired(structured):
    agent, fake = agent_for(['{"is_optimization_problem": true, "formulation": {"name": 3',
                             good()], structured=structured)
    answer = agent.solve(TEXT)
    assert answer.status == "optimal"
    assert [a.status for a in answer.attempts] == ["parse_error", "optimal"]
    repair = last_human(fake.received[1])
    assert "could not be read" in repair
    assert '"name": 3' in repair  # the raw output goes back
    assert "schema" in repair
    assert answer.attempts[0].feedback == repair


def test_validation_error_is_repaired_with_field_names():
    bad = good()
    bad["variables"][0]["domain"] = "whole"
    agent, fake = agent_for([bad, good()])
    answer = agent.solve(TEXT)
    assert answer.status == "optimal"
    repair = last_human(fake.received[1])
    assert "formulation.variables.0.domain" in repair


def test_unknown_symbol_is_repaired_from_the_checker():
    agent, fake = agent_for([unknown_symbol(), good()])
    answer = agent.solve(TEXT)
    assert answer.status == "optimal"
    assert answer.attempts[0].status == "invalid_formulation"
    repair = last_human(fake.received[1])
    assert "did you mean" in repair
    assert "finishin" in repair and "finishing_hours" in repair


def test_infeasible_is_repaired_from_the_iis():
    agent, fake = agent_for([infeasible(), good()])
    answer = agent.solve(TEXT)
    assert answer.status == "optimal"
    assert answer.attempts[0].status == "infeasible"
    repair = last_human(fake.received[1])
    assert "infeasible" in repair
    # the IIS names the conflicting constraints
    assert "min_soldiers" in repair.split("What the checker/solver found:")[1]
    assert "soldier_demand" in repair.split("What the checker/solver found:")[1]


def test_exhausted_budget_is_reported_honestly():
    agent, fake = agent_for([infeasible(), infeasible()], max_attempts=2)
    answer = agent.solve(TEXT)
    assert answer.status == "infeasible"
    assert answer.diagnosis is not None and answer.diagnosis.kind == "infeasible"
    names = {c.get("constraint") for c in answer.diagnosis.conflict}
    assert {"min_soldiers", "soldier_demand"} <= names
    assert "No clean optimum after 2 attempts" in answer.message
    assert len(answer.attempts) == 2 and fake.remaining == 0
    assert answer.formulation is not None


def test_exhausted_budget_without_a_valid_formulation():
    agent, _ = agent_for([unknown_symbol(), "garbage", unknown_symbol()], max_attempts=3)
    answer = agent.solve(TEXT)
    assert answer.status == "invalid_formulation"
    assert answer.diagnosis is not None and answer.diagnosis.kind == "invalid"
    assert any("did you mean" in i for i in answer.diagnosis.issues)
    assert "No valid formulation after 3 attempts" in answer.message


def test_trajectory_grows_and_messages_are_never_mutated():
    agent, fake = agent_for([unknown_symbol(), infeasible(), good()])
    answer = agent.solve(TEXT)
    assert answer.status == "optimal" and len(answer.attempts) == 3
    # each attempt got a new list: base (system + formulate) plus one repair message
    assert [len(m) for m in agent.transcript] == [2, 3, 3]
    assert agent.transcript[0] is not agent.transcript[1]
    assert agent.transcript[1][:2] == agent.transcript[0]
    second = last_human(fake.received[2])
    assert "### Attempt 1" in second and "### Attempt 2" in second
    assert "finishin[t]" in second  # attempt 1's formulation, compact form
    assert "min_soldiers" in second  # attempt 2's formulation
    assert Formulation.model_validate(unknown_symbol()).compact() in second
    assert Formulation.model_validate(infeasible()).compact() in second
    assert second.index("did you mean") < second.index("### Attempt 2")


def test_ask_does_not_mutate_the_callers_list():
    fake = ScriptedChatModel(responses=[good()])
    llm = LangChainModel(fake)
    messages = (Message("system", "s"), Message("user", "h"))
    request = Request(messages, Purpose.FORMULATE, "h")
    before = copy.deepcopy(messages)
    llm.ask(request)
    assert messages == before


def test_not_optimization_is_an_outcome():
    agent, _ = agent_for([not_optimization("This is a poem about roses.")])
    answer = agent.solve("Roses are red, violets are blue.")
    assert answer.status == "not_optimization"
    assert "poem" in answer.message
    assert answer.formulation is None and answer.usage.calls == 1


def test_missing_formulation_is_repaired():
    agent, fake = agent_for([reply(None), good()])
    answer = agent.solve(TEXT)
    assert answer.status == "optimal"
    assert "gave no formulation" in last_human(fake.received[1])


def test_data_files_in_model_output_are_refused(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("Toys,profit\nsoldiers,999\ntrains,999\n")
    bad = good()
    bad["parameters"][0] = {"name": "profit", "index": ["Toys"], "data": {"path": str(secret), "column": None}}
    agent, fake = agent_for([bad, good()])
    answer = agent.solve(TEXT)
    assert answer.attempts[0].status == "invalid_formulation"
    assert "data files are not allowed" in last_human(fake.received[1])
    assert answer.objective == pytest.approx(180)


def test_max_attempts_must_be_positive():
    with pytest.raises(UserError):
        agent_for([], max_attempts=0)


# --------------------------------------------------------------------------- grounding
def test_unused_number_gets_one_call_and_an_explanation_is_recorded():
    text = TEXT + " Each toy sells for at most 25 dollars in shops."
    explained = reply(good(), reason="25 is a shop price; profit already accounts for it.")
    agent, fake = agent_for([good(), explained], ground_numbers=True)
    answer = agent.solve(text)
    assert answer.status == "optimal" and answer.usage.calls == 2
    assert "25" in last_human(fake.received[1]) and "used nowhere" in last_human(fake.received[1])
    assert answer.unexplained_numbers == []
    assert any("shop price" in a for a in answer.formulation.assumptions)
    assert "shop price" in answer.message


def test_unused_number_that_stays_unexplained_is_reported():
    text = TEXT + " Shipping costs 7.5 per toy."
    agent, _ = agent_for([good(), "no idea"], ground_numbers=True)
    answer = agent.solve(text)
    assert answer.status == "optimal" and answer.objective == pytest.approx(180)
    assert answer.unexplained_numbers == [7.5]


def test_unused_number_revision_is_adopted():
    text = TEXT + " At most 30 trains sell."
    revised = good()
    revised["constraints"].append({"name": "train_demand", "expression": "make['trains'] <= 30"})
    agent, _ = agent_for([good(), revised], ground_numbers=True)
    answer = agent.solve(text)
    assert answer.unexplained_numbers == []
    assert answer.formulation.constraint("train_demand") is not None
    assert answer.objective == pytest.approx(165)  # 35 soldiers, 30 trains


def test_text_numbers():
    nums = {t.value for t in text_numbers("It costs $1,250.50, rises 30%, twice a day; 2.5 kg")}
    assert {1250.5, 30.0, 2.0, 2.5} <= nums
    f = Formulation.model_validate({"variables": [{"name": "x", "upper": 0.3}],
                                    "objective": {"sense": "maximize", "expression": "2.5*x"}})
    assert unexplained_numbers("a 30% share, 2.5 each, 12 more", f) == [12.0]


# --------------------------------------------------------------------------- model errors
def test_rate_limit_is_retried_with_backoff_and_usage_counted():
    waits: list[float] = []
    fake = ScriptedChatModel(responses=[http_error(429), http_error(503), good()])
    llm = LangChainModel(fake, retry=RetryPolicy(retries=3, base_delay=0.5, sleep=waits.append))
    answer = Agent(llm, ground_numbers=False).solve(TEXT)
    assert answer.status == "optimal"
    assert waits == [0.5, 1.0]
    assert answer.usage.calls == 1


def test_bad_key_fails_at_once():
    fake = ScriptedChatModel(responses=[http_error(401, "invalid api key"), good()])
    llm = LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: pytest.fail("no retry on 401")))
    with pytest.raises(ProviderError) as err:
        Agent(llm).solve(TEXT)
    assert "rejected the credentials" in err.value.message and err.value.fix
    assert fake.position == 1


def test_rate_limit_after_retries_and_timeout():
    fake = ScriptedChatModel(responses=[http_error(429)] * 3)
    llm = LangChainModel(fake, retry=RetryPolicy(retries=2, sleep=lambda s: None))
    with pytest.raises(ProviderError) as err:
        Agent(llm).solve(TEXT)
    assert "rate limited" in err.value.message and "3 tries" in err.value.message
    fake = ScriptedChatModel(responses=[TimeoutError("read timed out")] * 2)
    llm = LangChainModel(fake, retry=RetryPolicy(retries=1, sleep=lambda s: None), timeout=5)
    answer = Agent(llm, raise_provider_errors=False).solve(TEXT)
    assert answer.status == "timeout" and "5 s" in answer.message


def test_classify():
    assert classify(http_error(429)) == "rate_limit"
    assert classify(http_error(401)) == "auth"
    assert classify(http_error(403)) == "auth"
    assert classify(http_error(500)) == "server"
    assert classify(http_error(404)) == "request"
    assert classify(TimeoutError()) == "timeout"
    assert classify(ConnectionError()) == "connection"


# --------------------------------------------------------------------------- inputs
def test_empty_and_long_text():
    agent, _ = agent_for([])
    with pytest.raises(UserError, match="empty"):
        agent.solve("   ")
    with pytest.raises(UserError, match="20,000"):
        agent.solve("x" * (MAX_TEXT_CHARS + 1))


def test_api_solve_and_formulate():
    answer = optimus.solve(TEXT, chat_model=ScriptedChatModel(responses=[good()]))
    assert answer.objective == pytest.approx(180)
    f = optimus.formulate(TEXT, chat_model=ScriptedChatModel(responses=[good()]))
    assert isinstance(f, Formulation) and f.name == "giapetto"
    with pytest.raises(UserError, match="Could not formulate"):
        optimus.formulate("hello", chat_model=ScriptedChatModel(responses=[not_optimization()]))


def test_no_model_configured():
    with pytest.raises(UserError) as err:
        optimus.solve(TEXT)
    assert "OPTIMUS_MODEL" in err.value.fix and "--model" in err.value.fix and "--base-url" in err.value.fix


def test_missing_extra_names_the_pip_command(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("langchain_anthropic"):
            raise ImportError("No module named 'langchain_anthropic'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(UserError) as err:
        optimus.solve(TEXT, model="anthropic:claude-sonnet-4-5")
    assert 'pip install "optimus-milp[anthropic]"' in err.value.fix


# --------------------------------------------------------------------------- prompts, schema
def test_prompts_load_and_worked_example_is_valid():
    for name in NAMES:
        assert load_prompt(name).strip()
    text = load_prompt("formulate")
    examples = re.findall(r"```json\n(.*?)```", text, re.S)
    objectives = []
    for example in examples:
        r = validate_reply(json.loads(example))
        result = solve_formulation(r.formulation)
        assert result.status == "optimal"
        objectives.append(result.objective)
    assert objectives == [pytest.approx(180), pytest.approx(153.675)]
    assert "{{" not in render("repair", problem="p", trajectory="t", instruction="i")


def test_reply_schema_is_strict():
    schema = reply_json_schema()

    def visit(node):
        if isinstance(node, dict):
            if node.get("type") == "object" or "properties" in node:
                assert node.get("additionalProperties") is False
                assert sorted(node["required"]) == sorted(node.get("properties", {}))
            for key, value in node.items():
                if key == "properties":
                    for v in value.values():
                        visit(v)
                else:
                    visit(value)
        elif isinstance(node, list):
            for v in node:
                visit(v)

    visit(schema)
    assert "Formulation" in schema["$defs"]
    json.dumps(schema)


def test_repair_message_needs_attempts():
    with pytest.raises(ValueError):
        repair_message("p", [])


# --------------------------------------------------------------------------- suspicious optimum
def trucks(domain: str) -> dict:
    return {"variables": [{"name": "trucks", "description": "number of trucks", "domain": domain}],
            "constraints": [{"name": "capacity", "expression": "3 * trucks >= 10"}],
            "objective": {"sense": "minimize", "expression": "trucks"}}


TRUCKS = "Each truck carries 3 tons; 10 tons must be moved. Minimize the number of trucks."


def test_suspicious_optimum_gets_one_repair_chance():
    agent, fake = agent_for([trucks("continuous"), trucks("integer")])
    answer = agent.solve(TRUCKS)
    assert [a.status for a in answer.attempts] == ["optimal", "optimal"]
    assert answer.objective == pytest.approx(4)
    repair = last_human(fake.received[1])
    assert "looks like a count" in repair and "suspicious" in repair


def test_suspicious_optimum_is_kept_after_its_one_chance():
    agent, fake = agent_for([trucks("continuous"), trucks("continuous")])
    answer = agent.solve(TRUCKS)
    assert len(answer.attempts) == 2 and fake.remaining == 0
    assert answer.status == "optimal" and answer.diagnosis.kind == "suspicious"
    agent, fake = agent_for([trucks("continuous")], max_attempts=1)
    assert agent.solve(TRUCKS).objective == pytest.approx(10 / 3)


def test_answer_markdown_for_notebooks():
    from optimus.render.notebook import answer_markdown

    answer = optimus.solve(TEXT, chat_model=ScriptedChatModel(responses=[good()]))
    md = answer_markdown(answer)
    assert "**Status:** optimal" in md and "| 1 | optimal | 180 |" in md
    answer = optimus.solve("hi", chat_model=ScriptedChatModel(responses=[not_optimization("a *greeting*")]))
    assert "not_optimization" in answer_markdown(answer)


def test_invalid_tool_call_arguments_are_repaired():
    from langchain_core.messages import AIMessage

    broken = AIMessage(content="", invalid_tool_calls=[{
        "name": "ModelReply", "args": '{"is_optimization_problem": tru', "id": "1",
        "error": "Expecting value", "type": "invalid_tool_call"}])
    agent, fake = agent_for([broken, good()])
    answer = agent.solve(TEXT)
    assert answer.status == "optimal"
    repair = last_human(fake.received[1])
    assert "not valid JSON" in repair and '"is_optimization_problem": tru' in repair


def test_failed_second_look_keeps_the_suspicious_optimum():
    bad = trucks("integer")
    bad["constraints"][0]["expression"] = "3 * truks >= 10"
    agent, fake = agent_for([trucks("continuous"), bad, trucks("integer")])
    answer = agent.solve(TRUCKS)
    assert [a.status for a in answer.attempts] == ["optimal", "invalid_formulation"]
    assert answer.objective == pytest.approx(10 / 3) and fake.remaining == 1
    assert "attempt 1 of 2" in answer.message


# --------------------------------------------------------------------------- problems/word
def _word_problems():
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parent.parent / "problems"
    jsonl = root / "word" / "problems.jsonl"
    assert jsonl.exists(), "problems/word ships with optimus"
    rows = [json.loads(line) for line in jsonl.read_text().splitlines() if line.strip()]
    for row in rows:
        data = yaml.safe_load((root / row["meta"]["model"]).read_text())
        data.pop("expected", None)
        yield row, data


def test_word_problems_through_the_loop_with_a_perfect_model():
    """The reference model of each problems/word text, returned by a fake model, comes out
    of the loop with the reference answer; no reference model leaves a number unexplained
    (a grounding false positive)."""
    correct = total = 0
    for row, data in _word_problems():
        answer = optimus.solve(row["question"], chat_model=ScriptedChatModel(responses=[data] * 4))
        ref = row["answer"]
        if ref is None:
            ok = answer.status in ("infeasible", "infeasible_or_unbounded")
        else:
            ok = answer.objective is not None and abs(answer.objective - ref) <= max(1e-4 * abs(ref), 0.0051)
        correct += ok
        total += 1
        if ref is not None:
            assert answer.unexplained_numbers == [], row["id"]
            assert answer.usage.calls == 1, row["id"]  # no repair, no grounding call
    assert total >= 40 and correct == total
