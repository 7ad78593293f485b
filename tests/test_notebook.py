"""Notebook display: ``_repr_html_`` and ``_repr_markdown_`` of Formulation, Answer
and Report, rendered and parsed (html.parser): math as MathML, solutions as
tables (two indices as a grid), the diagnosis, no script, user text escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from agent_data import TEXT, good

import optimus
from optimus.formulation import Formulation
from optimus.render.notebook import result_notebook_html
from optimus.testing import ScriptedChatModel

MODELS = Path(__file__).resolve().parent.parent / "problems" / "models"
HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


class Page(HTMLParser):
    """Tags, attributes and text of an HTML fragment; checks that it is well nested."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "col", "mspace", "none"}

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        self.attrs += attrs
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        self.attrs += attrs

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(self.text)

    def safe(self) -> None:
        assert not self.stack, f"unclosed: {self.stack}"
        assert "script" not in self.tags and "img" not in self.tags and "iframe" not in self.tags
        assert not [a for a, _ in self.attrs if a.startswith("on")]
        assert not [v for _, v in self.attrs if v and "javascript:" in v.lower()]


def hostile_formulation() -> Formulation:
    data = good()
    data["description"] = HOSTILE
    data["assumptions"] = [HOSTILE]
    data["sets"][0]["description"] = HOSTILE
    data["variables"][0]["description"] = HOSTILE
    data["constraints"][0]["description"] = HOSTILE
    return Formulation.model_validate(data)


def test_formulation_html_has_math_and_escapes_user_text():
    page = Page(hostile_formulation()._repr_html_())
    page.safe()
    assert "math" in page.tags and "mi" in page.tags
    assert HOSTILE in page.all_text  # shown as text, not markup
    assert "finishing_hours" in page.all_text


def test_formulation_markdown_is_latex_for_mathjax():
    md = optimus.load_formulation(str(MODELS / "giapetto.yaml"))._repr_markdown_()
    assert "$$" in md and r"\max" in md


def test_report_html_shows_a_two_index_variable_as_a_grid():
    report = optimus.solve_model(optimus.load_formulation(str(MODELS / "transportation.yaml")))
    page = Page(report._repr_html_())
    page.safe()
    assert "math" in page.tags and "table" in page.tags
    text = page.all_text
    assert "optimal" in text and "Plants / Markets" in text
    assert "seattle" in text and "new_york" in text
    assert f"{report.result.objective:.10g}" in text
    md = report._repr_markdown_()
    assert "## Solution" in md and "optimal" in md


def test_report_html_and_markdown_show_the_diagnosis_of_an_infeasible_model():
    f = optimus.load_formulation(str(MODELS / "infeasible_production.yaml"))
    report = optimus.solve_model(f)
    assert report.status == "infeasible"
    page = Page(report._repr_html_())
    page.safe()
    assert "Diagnosis" in page.all_text and "Conflicting constraints" in page.all_text
    assert "infeasible" in Page(result_notebook_html(report.result)).all_text
    md = report._repr_markdown_()
    assert "infeasible" in md and "### Diagnosis" in md


def test_invalid_report_lists_its_issues():
    data = good()
    data["constraints"][0]["expression"] = "sum(finishin[t] * make[t] for t in Toys) <= 100"
    report = optimus.solve_model(Formulation.model_validate(data))
    assert not report.valid
    page = Page(report._repr_html_())
    page.safe()
    assert "finishin" in page.all_text
    assert "finishin" in report._repr_markdown_()


def test_answer_html_has_formulation_solution_attempts_and_escapes_the_message():
    data = good()
    data["description"] = HOSTILE
    fake = ScriptedChatModel(responses=[data])
    answer = optimus.solve(TEXT, chat_model=fake)
    assert answer.objective == 180
    page = Page(answer._repr_html_())
    page.safe()
    text = page.all_text
    assert "math" in page.tags and HOSTILE in text
    assert "180" in text and "Attempts" in text and "soldiers" in text
    assert "**Status:** optimal" in answer._repr_markdown_()


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_model_renders_as_safe_html(path):
    f = optimus.load_formulation(str(path))
    Page(f._repr_html_()).safe()
