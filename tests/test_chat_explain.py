"""Chat answers what-ifs and "why is x zero?" from the current optimum, with no model call;
an infeasible answer carries the relaxation."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from optimus.agent.langchain_model import LangChainModel
from optimus.agent.questions import what_if_overrides
from optimus.agent.session import ChatSession, TurnKind
from optimus.formulation import load_formulation
from optimus.render.notebook import answer_markdown
from optimus.testing import ScriptedChatModel

MODELS = Path(str(files("optimus.problems") / "models"))


def _session(model: str) -> ChatSession:
    s = ChatSession(LangChainModel(ScriptedChatModel(responses=[])))  # any call would fail
    s.start_from(load_formulation(MODELS / f"{model}.yaml"), f"{model}.yaml")
    return s


def test_patterns() -> None:
    f = load_formulation(MODELS / "knapsack.yaml")
    assert [str(o) for o in what_if_overrides("what if capacity = 500", f)] == ["capacity=500"]
    assert [str(o) for o in what_if_overrides("What if the capacity were 450?", f)] == ["capacity=450"]
    assert what_if_overrides("what if we drop the weight limit", f) is None
    assert what_if_overrides("what if the colour is 3?", f) is None  # no such parameter
    d = load_formulation(MODELS / "dakota_furniture.yaml")
    assert [str(o) for o in what_if_overrides("what if available[finishing] is 21?", d)] == \
        ["available[finishing]=21"]
    assert [str(o) for o in what_if_overrides("what if available for finishing is 21?", d)] == \
        ["available[finishing]=21"]


def test_chat_what_if_inside_the_range() -> None:
    s = _session("dakota_furniture")
    turn = s.handle("what if available for finishing is 21?")
    assert turn.kind == TurnKind.EDITED
    assert turn.answer.objective == 290 or abs(turn.answer.objective - 290) < 1e-6
    assert "stays inside the range" in turn.text and "predicted the objective 280 -> 290" in turn.text
    assert s.llm.usage.calls == 0
    assert s.handle("/undo").kind == TurnKind.EDITED and abs(s.answer.objective - 280) < 1e-6


def test_chat_what_if_beyond_the_range() -> None:
    s = _session("dakota_furniture")
    turn = s.handle("What if available[finishing] were 30?")
    assert "goes beyond the range" in turn.text and "plan changed" in turn.text


def test_chat_why_is_it_zero() -> None:
    s = _session("dakota_furniture")
    turn = s.handle("why is make[tables] zero?")
    assert turn.kind == TurnKind.INFO
    assert "make[tables] is 0 because" in turn.text and "rose above 35" in turn.text
    assert "reduced cost -5" in turn.text
    assert "rose above 35" in s.handle("Why are no tables made?").text
    assert "is not zero" in s.handle("why is make[desks] zero?").text


def test_infeasible_answer_shows_the_relaxation() -> None:
    s = _session("infeasible_production")
    md = answer_markdown(s.answer)
    assert "meet\\_demand\\[gadgets\\]: 120 -&gt; 100" in md or "120 -> 100" in md \
        or "120 -&gt; 100" in md
    assert s.answer.diagnosis.relaxation
