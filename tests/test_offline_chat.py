"""``optimus chat --offline``: the offline reader, then explicit edits by the formula grammar."""

from __future__ import annotations

import doctest
import io

import pytest

import optimus.offline.edits as edits_module
from optimus.agent.session import ChatSession
from optimus.cli import main
from optimus.formulation import Formulation
from optimus.offline.edits import EditError, EditNotUnderstood, apply_edit
from optimus.offline.offline_model import OfflineModel

LP = "Maximize 3x + 2y subject to labor: x + y <= 4, wood: x + 3y <= 6, x, y >= 0"
BAKERY = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
          "needs 1 hour of oven time. 40 hours of oven time are available. The profit is $5 "
          "per cake and $3 per pie. How many cakes and pies should it bake to maximize profit?")


def session() -> ChatSession:
    return ChatSession(OfflineModel(), max_attempts=1)


def test_offline_chat_edits_and_undo():
    s = session()
    t = s.handle(LP)
    assert t.kind == "solved" and t.answer.objective == 12
    steps = [  # message, objective after (worked out by hand), words of the summary
        ("set labor to 5", 15, "right-hand side of labor to 5 (was 4)"),
        ("add x <= 3", 11, "x <= 3"),
        ("make y integer", 11, "y is now integer"),
        ("drop constraint wood", 13, "dropped wood"),
        ("minimize instead", 0, "now to minimize"),
    ]
    for message, objective, words in steps:
        t = s.handle(message)
        assert t.kind == "edited", (message, t.text)
        assert t.answer.objective == pytest.approx(objective), message
        assert words in t.text
    assert s.formulation.objective.sense == "minimize"
    assert s.formulation.variable("y").domain == "integer"
    assert [c.name for c in s.formulation.constraints] == ["labor", "added_3"]
    t = s.handle("undo")
    assert t.kind == "edited" and "undid: minimize instead" in t.text
    assert s.formulation.objective.sense == "maximize" and s.answer.objective == 13


def test_offline_chat_other_messages_need_a_model():
    s = session()
    s.handle(LP)
    t = s.handle("what if we hired two more carpenters?")
    assert t.kind == "unchanged"
    assert "needs a language model" in t.text and "OPTIMUS_MODEL" in t.text and "--base-url" in t.text
    assert len(s.history) == 1  # nothing changed


def test_offline_chat_edit_errors_say_why():
    s = session()
    s.handle(LP)
    t = s.handle("drop constraint paint")
    assert t.kind == "unchanged" and "labor (x + y <= 4)" in t.text
    t = s.handle("add z <= 3")
    assert t.kind == "unchanged" and "unknown variable z" in t.text
    t = s.handle("maximize instead")
    assert t.kind == "unchanged" and "already" in t.text


def test_offline_chat_on_a_word_problem():
    s = session()
    assert s.handle(BAKERY).answer.objective == 120
    t = s.handle("set oven to 50")  # found by a word of the constraint's description
    assert t.kind == "edited" and t.answer.objective == 150
    # pies earn more per oven hour (3 > 5/2): 50 pies; at least 10 cakes leave 30 hours
    t = s.handle("add cake >= 10")
    assert t.kind == "edited" and t.answer.objective == pytest.approx(5 * 10 + 3 * 30)
    t = s.handle("maximize 8cake + 3pie")  # now cakes earn more per hour (4 > 3): 25 cakes
    assert t.kind == "edited" and t.answer.objective == pytest.approx(8 * 25)


def test_offline_chat_first_message_unreadable_says_why():
    s = session()
    t = s.handle("Maximize 3x + 2y subject to x + y <= 4 hours")
    assert t.kind == "error" and "at character 39" in t.text and "language model" in t.text


F = Formulation.model_validate({
    "variables": [{"name": "x"}, {"name": "y"}],
    "parameters": [{"name": "capacity", "value": 10}],
    "constraints": [{"name": "cap", "expression": "x + y <= capacity"},
                    {"name": "ratio", "description": "at most twice as much x as y",
                     "expression": "x - 2*y <= 0"}],
    "objective": {"sense": "maximize", "expression": "3*x + 2*y"}})


@pytest.mark.parametrize("text,check", [
    ("set capacity to 500", lambda g: g.parameter("capacity").value == 500),
    ("make all variables binary", lambda g: {v.domain for v in g.variables} == {"binary"}),
    ("make x and y integer", lambda g: {v.domain for v in g.variables} == {"integer"}),
    ("make x free", lambda g: g.variable("x").lower is None),
    ("add x, y integer", lambda g: {v.domain for v in g.variables} == {"integer"}),
    ("add a constraint: 2x + y >= 3", lambda g: g.constraints[-1].expression == "2*x + y >= 3"),
    ("add limit: x <= 7", lambda g: g.constraint("limit").expression == "x <= 7"),
    ("remove ratio", lambda g: [c.name for c in g.constraints] == ["cap"]),
    ("delete the twice constraint", lambda g: [c.name for c in g.constraints] == ["cap"]),
    ("set x to 3", lambda g: (g.variable("x").lower, g.variable("x").upper) == (3, 3)),
    ("Minimize x - y", lambda g: (g.objective.sense, g.objective.expression) == ("minimize", "x - y")),
    ("switch to minimize", lambda g: g.objective.sense == "minimize"),
])
def test_apply_edit_forms(text, check):
    g, summary = apply_edit(F, text)
    assert check(g) and summary
    assert F.parameter("capacity").value == 10 and len(F.constraints) == 2  # F untouched


@pytest.mark.parametrize("text", ["set cap to 5",  # its right-hand side is a parameter
                                  "add x*y <= 3", "make q integer", "set something to 3"])
def test_apply_edit_errors(text):
    with pytest.raises(EditError):
        apply_edit(F, text)


@pytest.mark.parametrize("text", ["hire more people", "what if demand doubles?", "undo"])
def test_apply_edit_not_understood(text):
    with pytest.raises(EditNotUnderstood):
        apply_edit(F, text)


def test_chat_offline_command(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{LP}\nadd x <= 3\nundo\n/show\n"))
    assert main(["chat", "--offline"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "added added_3: x <= 3" in out and "12 -> 11" in out and "undid: add x <= 3" in out


def test_chat_offline_excludes_a_model(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat", "--offline", "--model", "openai:gpt-4o-mini"]) == 2


def test_edits_docstring():
    assert doctest.testmod(edits_module).failed == 0
