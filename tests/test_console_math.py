"""The terminal reads like math: Unicode formulations, no LaTeX on the console, bare flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from agent_data import TEXT, good

from optimus.agent import langchain_model as llm_module
from optimus.agent.langchain_model import LangChainModel, RetryPolicy
from optimus.agent.session import ChatSession
from optimus.cli import main
from optimus.formulation import Formulation, load_formulation
from optimus.render.unicode_math import domain_to_unicode, expr_to_unicode, to_unicode
from optimus.testing import ScriptedChatModel

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "problems" / "models").glob("*.yaml"))
BAKERY = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
          "needs 1 hour. 40 hours of oven time are available. Each cake earns $5 profit and "
          "each pie earns $3. How many cakes and pies should it bake to maximize profit?")
LATEX = re.compile(r"\\[A-Za-z]+|\$\$|\\[{}(),;:! ]")


def latex_in(text: str) -> list[str]:
    return LATEX.findall(text)


@pytest.mark.parametrize("text, expected", [
    ("5*cake + 3*pie", "5 cake + 3 pie"),
    ("sum(hours[p] * make[p] for p in Products) <= capacity",
     "∑_{p ∈ Products} hours[p]·make[p] ≤ capacity"),
    ("sum(x[i, j] for (i, j) in Arcs if i == n) - sum(x[i, j] for (i, j) in Arcs if j == n) == s[n]",
     "(∑_{(i, j) ∈ Arcs : i = n} x[i, j]) - (∑_{(i, j) ∈ Arcs : j = n} x[i, j]) = s[n]"),
    ("2 * (a + b) >= 3", "2 (a + b) ≥ 3"),
    ("x - (y - z) != 1", "x - (y - z) ≠ 1"),
    ("inv[t - 1] + p[t] == d[t]", "inv[t - 1] + p[t] = d[t]"),
    ("len(S) * x <= 2 ** 3", "|S|·x ≤ 2³"),
    ("x * 2 <= 10", "x·2 ≤ 10"),
    ("make['chairs'] >= 10", "make[chairs] ≥ 10"),
    ("0 <= x + y <= 5", "0 ≤ x + y ≤ 5"),
])
def test_expressions_read_as_math(text, expected):
    assert expr_to_unicode(text) == expected


def test_domains():
    f = Formulation.model_validate({
        "sets": [{"name": "Products", "elements": ["a"]}],
        "variables": [{"name": "make", "index": ["Products"], "domain": "integer"},
                      {"name": "y", "domain": "binary"},
                      {"name": "z", "lower": None},
                      {"name": "w", "lower": 0, "upper": 1},
                      {"name": "k", "domain": "integer", "lower": 1, "upper": 5}],
        "objective": {"sense": "minimize", "expression": "z"}})
    assert [domain_to_unicode(v) for v in f.variables] == [
        "∈ ℤ, ≥ 0", "∈ {0, 1}", "∈ ℝ", "∈ [0, 1]", "∈ ℤ ∩ [1, 5]"]
    text = to_unicode(f)
    assert "make[p] ∈ ℤ, ≥ 0   ∀ p ∈ Products" in text
    assert "min z" in text


def test_hostile_names_stay_on_one_line():
    f = Formulation.model_validate({
        "name": "evil\x1b[2Jname\nnext",
        "variables": [{"name": "x", "description": "a\rb\x07"}],
        "objective": {"sense": "minimize", "expression": "x"}})
    text = to_unicode(f)
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert text.splitlines()[0] == "evil [2Jname next"


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_shipped_model_renders_without_latex(path):
    assert not latex_in(to_unicode(load_formulation(path)))


def test_run_console_output_has_no_latex(capsys):
    for path in MODELS:
        if path.stem == "transportation_large":
            continue  # the same shapes as transportation, only slower
        main(["run", str(path)])
        out = capsys.readouterr()
        found = latex_in(out.out + out.err)
        assert not found, (path.name, found)


def test_solve_console_output_has_no_latex_offline(capsys, monkeypatch):
    monkeypatch.delenv("OPTIMUS_MODEL", raising=False)
    assert main(["solve", BAKERY]) == 0
    out = capsys.readouterr()
    assert "120" in out.out
    assert "max 5 cake + 3 pie" in out.out and "∈ ℤ, ≥ 0" in out.out
    assert not latex_in(out.out + out.err), latex_in(out.out + out.err)


def test_solve_console_output_has_no_latex_with_a_model(capsys, monkeypatch):
    fake = ScriptedChatModel(responses=[good()])
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    assert main(["solve", TEXT, "--model", "fake:model"]) == 0
    out = capsys.readouterr()
    assert "∑_{" in out.out and "≤" in out.out
    assert not latex_in(out.out + out.err), latex_in(out.out + out.err)


def test_chat_math_is_unicode_on_screen_and_latex_in_a_file(tmp_path):
    fake = ScriptedChatModel(responses=[good()])
    s = ChatSession(LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None)))
    s.send(TEXT)
    screen = s.handle("/math").text
    assert "∑_{" in screen and not latex_in(screen)
    s.handle(f"/math {tmp_path / 'm.md'}")
    assert "\\sum_{" in (tmp_path / "m.md").read_text()


@pytest.mark.parametrize("command", [["run"], ["solve"], ["check"], ["chat"], ["eval"], []])
def test_help_shows_bare_flags(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "150")
    main([*command, "--help"])
    out = capsys.readouterr().out
    assert "<bool>" not in out and "--help" in out
    if command in (["run"], ["solve"]):
        line = next(ln for ln in out.splitlines() if "--json" in ln)
        assert re.search(r"--json\s+Print", line), line


def test_a_flag_still_takes_no_value(capsys):
    assert main(["run", str(MODELS[0]), "--json=true"]) == 2
    assert "does not take a value" in capsys.readouterr().err
