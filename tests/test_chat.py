"""``optimus chat``: the ChatSession logic and the line-reading command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from agent_data import TEXT, good

from optimus.agent.session import ChatSession, formulation_diff
from optimus.agent.langchain_model import RetryPolicy, LangChainModel
from optimus.cli import main
from optimus.formulation import Formulation
from optimus.testing import ScriptedChatModel, reply


def with_min_trains(n: int = 70) -> dict:
    f = good()
    f["constraints"].append({"name": "min_trains", "description": "at least {n} trains",
                             "expression": f"make['trains'] >= {n}"})
    f["assumptions"].append(f"At least {n} trains are made (user request).")
    return f


def continuous() -> dict:
    f = good()
    f["variables"][0]["domain"] = "continuous"
    return f


def session_for(responses: list) -> tuple[ChatSession, ScriptedChatModel]:
    fake = ScriptedChatModel(responses=responses)
    return ChatSession(LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None))), fake


def test_edit_is_applied_and_resolved():
    s, fake = session_for([good(), reply(with_min_trains(), reason="added a minimum of 70 trains")])
    first = s.send(TEXT)
    assert first.kind == "solved" and first.answer.objective == pytest.approx(180)
    turn = s.send("add a minimum of 70 trains")
    assert turn.kind == "edited"
    assert "added a minimum of 70 trains" in turn.text
    assert "+subject to min_trains: make['trains'] >= 70" in turn.formulation_diff
    ch = turn.solution_change
    assert ch.objective_before == pytest.approx(180)
    assert ch.objective_after == pytest.approx(170)  # 10 soldiers, 70 trains
    changed = {(v.name, tuple(v.index)): (v.before, v.after) for v in ch.variables}
    assert changed[("make", ("soldiers",))] == (20, 10)
    assert changed[("make", ("trains",))] == (60, 70)
    # the edit prompt carried the current formulation and the request
    edit_prompt = fake.received[1][-1].content
    assert '"name":"giapetto"' in edit_prompt.replace(" ", "")
    assert "add a minimum of 70 trains" in edit_prompt
    assert "status optimal, objective 180" in edit_prompt
    assert len(s.history) == 2


def test_edit_that_makes_the_model_infeasible_is_shown_not_repaired():
    s, fake = session_for([good(), with_min_trains(90)])
    s.send(TEXT)
    turn = s.send("we need at least 90 trains")
    assert turn.kind == "edited"
    assert turn.answer.status == "infeasible"
    assert fake.remaining == 0  # no repair call: the user asked for it
    assert any(c.get("constraint") == "min_trains" for c in turn.answer.diagnosis.conflict)


def test_invalid_edit_is_repaired():
    bad = with_min_trains()
    bad["constraints"][-1]["expression"] = "mke['trains'] >= 70"
    s, fake = session_for([good(), bad, with_min_trains()])
    s.send(TEXT)
    turn = s.send("add a minimum of 70 trains")
    assert turn.kind == "edited" and turn.answer.objective == pytest.approx(170)
    assert "did you mean" in fake.received[2][-1].content


def test_unchanged_edit_and_undo_and_commands(tmp_path):
    s, _ = session_for([good(), reply(good(), reason="x is already integer"), continuous()])
    assert s.handle("/show").kind == "error"  # nothing yet
    s.handle(TEXT)
    turn = s.handle("make make integer")
    assert turn.kind == "unchanged" and "already integer" in turn.text
    turn = s.handle("make it continuous")
    assert turn.kind == "edited" and "continuous" in turn.formulation_diff
    assert s.handle("/undo").kind == "edited"
    assert s.formulation.variables[0].domain == "integer"
    assert s.handle("/undo").kind == "error"  # nothing left to undo
    show = s.handle("/show")
    assert show.kind == "info" and "var make[Toys] integer" in show.text
    assert "make" in s.handle("/math").text
    code = s.handle("/code")
    assert code.kind == "info" and "pyomo" in code.text.lower()
    out = tmp_path / "model.yaml"
    assert s.handle(f"/save {out}").kind == "info"
    assert yaml.safe_load(out.read_text())["name"] == "giapetto"
    assert s.handle("/save model.txt").kind == "error"
    assert s.handle(f"/code {tmp_path / 'm.py'}").kind == "info"
    assert (tmp_path / "m.py").exists()
    assert s.handle(f"/math {tmp_path / 'm.md'}").kind == "info"
    assert "/undo" in s.handle("/help").text
    assert s.handle("/nope").kind == "error"
    assert s.handle("/quit").kind == "quit"
    assert s.handle("   ") is None


def test_not_optimization_first_message():
    s, _ = session_for([{"is_optimization_problem": False, "reason": "a greeting", "formulation": None}])
    turn = s.handle("hello there")
    assert turn.kind == "not_optimization" and s.current is None


def test_diff_helpers():
    a = Formulation.model_validate(good())
    b = Formulation.model_validate(with_min_trains())
    assert formulation_diff(a, a) == ""
    assert "+subject to min_trains" in formulation_diff(a, b)


def test_chat_command_reads_piped_stdin(monkeypatch, capsys, tmp_path):
    from optimus.agent import langchain_model as llm_module

    fake = ScriptedChatModel(responses=[good(), reply(with_min_trains(), reason="added min_trains")])
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    out = tmp_path / "chat.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO(
        f"{TEXT}\n\nadd a minimum of 70 trains\n/save {out}\n/show\n"))  # ends at EOF
    code = main(["chat", "--model", "scripted:x"])
    text = capsys.readouterr().out
    assert code == 0
    assert "min_trains" in text and "180" in text and "170" in text
    assert "min_trains" in out.read_text()


def test_chat_without_a_model_says_how_to_configure(monkeypatch, capsys):
    # issue 14: with no model configured, chat runs offline (it used to exit 2) and says
    # on stderr how to configure a model
    monkeypatch.delenv("OPTIMUS_MODEL", raising=False)
    monkeypatch.delenv("OPTIMUS_BASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("hello\n"))
    code = main(["chat"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 0 and "OPTIMUS_MODEL" in err and "--base-url" in err and "offline" in err


def test_chat_provider_failure_is_reported_and_exits_non_zero(monkeypatch, capsys):
    from optimus.agent import langchain_model as llm_module
    from optimus.testing import http_error

    fake = ScriptedChatModel(responses=[http_error(401, "bad key")])
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{TEXT}\n/help\n"))
    code = main(["chat", "--model", "scripted:x"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 3
    assert "rejected the credentials" in out and "/undo" in out  # the session went on


def test_chat_continuation_lines(monkeypatch, capsys):
    from optimus.agent import langchain_model as llm_module

    fake = ScriptedChatModel(responses=[good()])
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    first, rest = TEXT.split(". ", 1)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{first}. \\\n{rest}\n"))
    assert main(["chat", "--model", "scripted:x"]) == 0
    sent = fake.received[0][1].content
    assert first in sent and rest in sent and fake.remaining == 0


def test_chat_starts_from_a_saved_model(monkeypatch, capsys, tmp_path):
    from optimus.agent import langchain_model as llm_module

    path = tmp_path / "toys.yaml"
    Formulation.model_validate(good()).save(path)
    fake = ScriptedChatModel(responses=[reply(with_min_trains(), reason="added min_trains")])
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    monkeypatch.setattr("sys.stdin", io.StringIO("add a minimum of 70 trains\n/math\n"))
    code = main(["chat", str(path), "--model", "scripted:x"])
    text = capsys.readouterr().out
    assert code == 0
    assert "opened toys.yaml" in text and "180" in text  # solved on opening
    assert "+subject to min_trains" in text and "170" in text  # the edit, as a diff
    assert "make[trains] ≥ 70" in text  # /math in Unicode
    assert len(fake.calls) == 1  # opening the model needs no model call


def test_chat_with_a_bad_model_file_exits_2(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat", str(bad), "--model", "scripted:x"]) == 2
    assert "bad.yaml" in capsys.readouterr().err


def test_start_from_inlines_data_files_so_edits_are_model_replies():
    from optimus.formulation import load_formulation
    from optimus.offline.offline_model import OfflineModel

    s = ChatSession(OfflineModel())
    f = load_formulation(Path(__file__).resolve().parent.parent / "problems" / "models" / "facility_location.yaml")
    turn = s.start_from(f, "facility_location.yaml")
    assert turn.kind == "solved" and turn.answer.status == "optimal"
    assert all(p.data is None for p in s.formulation.parameters)
    from optimus.pipeline import solve_formulation
    assert turn.answer.objective == pytest.approx(solve_formulation(f).objective)


def test_prompt_reader_edits_lines_and_keeps_history():
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from optimus.commands.line_editing import PromptReader, chat_input

    with create_pipe_input() as pipe:
        reader = PromptReader(input=pipe, output=DummyOutput())
        pipe.send_text("maximize profx\x7fit\r")  # a typo fixed with backspace
        assert reader.readline() == "maximize profit\n"
        pipe.send_text("\x1b[A\r")  # Up: the previous line again
        assert reader.readline() == "maximize profit\n"
        pipe.send_text("\x04")  # Ctrl-D: end of input
        assert reader.readline() == ""
    plain = io.StringIO("a line\n")
    assert chat_input(plain) is plain  # not a terminal: plain lines, as before
