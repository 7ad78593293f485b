"""The agent loop depends on the Model protocol only: both implementations drive it."""

from __future__ import annotations

from optimus.agent.langchain_model import LangChainModel
from optimus.agent.loop import Agent
from optimus.agent.model import Message, Model, ModelResponse, Purpose, Request
from optimus.answer import Usage
from optimus.offline.offline_model import OfflineModel
from optimus.testing import ScriptedChatModel

BAKERY = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
          "needs 1 hour of oven time. 40 hours of oven time are available. The profit is $5 "
          "per cake and $3 per pie. How many cakes and pies should it bake to maximize profit?")
REPLY = {"variables": [{"name": "cakes", "domain": "integer"}, {"name": "pies", "domain": "integer"}],
         "constraints": [{"name": "oven", "expression": "2*cakes + pies <= 40"}],
         "objective": {"sense": "maximize", "expression": "5*cakes + 3*pies"}}


def _models() -> list[Model]:
    return [LangChainModel(ScriptedChatModel(responses=[REPLY])), OfflineModel()]


def test_both_implementations_answer_a_formulate_request():
    request = Request((Message("user", BAKERY),), Purpose.FORMULATE, BAKERY)
    for model in _models():
        response = model.ask(request)
        assert isinstance(response, ModelResponse) and response.ok, model.label
        assert response.reply.formulation is not None


def test_the_loop_runs_with_either_model():
    for model in _models():
        answer = Agent(model, ground_numbers=False).solve(BAKERY)
        assert answer.status == "optimal" and answer.objective == 120.0, model.label
        assert answer.formulator == model.label


def test_a_model_of_our_own_is_enough():
    """Anything with ``label``, ``usage`` and ``ask`` drives the loop (no LangChain)."""
    from optimus.agent.schema import validate_reply

    class Echo:
        label = "echo"

        def __init__(self) -> None:
            self.usage = Usage()
            self.seen: list[Request] = []

        def ask(self, request: Request) -> ModelResponse:
            self.seen.append(request)
            self.usage.calls += 1
            return ModelResponse(validate_reply(REPLY))

    echo = Echo()
    answer = Agent(echo, ground_numbers=False).solve(BAKERY)
    assert answer.objective == 120.0 and answer.usage.calls == 1
    assert echo.seen[0].purpose == Purpose.FORMULATE and echo.seen[0].problem == BAKERY
    assert [m.role for m in echo.seen[0].messages] == ["system", "user"]


def test_the_offline_model_declines_what_it_cannot_do():
    r = OfflineModel().ask(Request((), Purpose.REPAIR, BAKERY))
    assert not r.ok and "language model" in r.errors[0]
    r = OfflineModel().ask(Request((), Purpose.FORMULATE, "Write me a poem about the sea."))
    assert not r.ok and r.errors[0].startswith("could not formulate")


def test_repairs_are_new_requests_with_the_trajectory():
    fake = ScriptedChatModel(responses=[{"objective": {"sense": "maximize", "expression": "5*cakez"}}, REPLY])
    agent = Agent(LangChainModel(fake), ground_numbers=False)
    answer = agent.solve(BAKERY)
    assert answer.objective == 120.0 and len(answer.attempts) == 2
    assert [len(m) for m in agent.transcript] == [2, 3]
    assert "cakez" in agent.transcript[1][-1].content
