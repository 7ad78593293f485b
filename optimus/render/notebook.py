"""How formulations, answers, results and reports show themselves in a notebook
(``_repr_html_`` and ``_repr_markdown_``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optimus.render.latex import md_escape, to_markdown

if TYPE_CHECKING:
    from optimus.answer import Answer
    from optimus.formulation import Formulation
    from optimus.pipeline import Report


def answer_markdown(answer: "Answer") -> str:
    """Markdown for a notebook: status, the formulation as math with its solution, attempts.

    >>> from optimus.answer import Answer
    >>> print(answer_markdown(Answer(status="abstained", message="could not formulate")))
    **Status:** abstained
    <BLANKLINE>
    could not formulate
    <BLANKLINE>
    *formulator ?: 0 model call(s), 0 input / 0 output tokens*
    """
    lines = [f"**Status:** {answer.status}" + (f", objective {answer.objective:.10g}"
                                                 if answer.objective is not None else "")]
    if answer.message:
        lines.append(f"\n{md_escape(answer.message)}")
    if answer.formulation is not None:
        lines.append("\n" + to_markdown(answer.formulation, answer))  # type: ignore[arg-type]
    elif answer.diagnosis is not None:
        lines.append("\n" + md_escape(answer.diagnosis.text()))
    if answer.attempts:
        lines.append("\n| attempt | outcome | objective |\n|---|---|---|")
        for a in answer.attempts:
            obj = "" if a.objective is None else f"{a.objective:.10g}"
            lines.append(f"| {a.number} | {a.status} | {obj} |")
    u = answer.usage
    lines.append(f"\n*{md_escape(answer.formulator or 'formulator ?')}: {u.calls} model call(s), "
                 f"{u.input_tokens} input / {u.output_tokens} output tokens*")
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTML
# Notebooks get HTML with the math as MathML (converted on this machine by latex2mathml,
# as ``optimus serve`` does): browsers render MathML natively, so the output needs no
# script, no MathJax and no network, shows the same in JupyterLab, VS Code and a saved
# HTML export, and stays safe in an untrusted notebook. ``_repr_markdown_`` keeps LaTeX
# in ``$...$`` for front ends that render Markdown math.
def formulation_notebook_html(f: "Formulation") -> str:
    """A formulation as HTML (``Formulation._repr_html_``).

    >>> import optimus
    >>> html = formulation_notebook_html(optimus.load_formulation(optimus.example("giapetto")))
    >>> html.startswith('<div class="optimus">') and "<math" in html and "<script" not in html
    True
    """
    from optimus.render.html_view import formulation_html

    return f'<div class="optimus">{formulation_html(f)}</div>'


def result_notebook_html(result: Any, formulation: "Formulation | None" = None) -> str:
    """A :class:`~optimus.result.Result` as HTML: status, objective, the solution as tables
    (a variable over two sets as a grid), the diagnosis, the sensitivity report.

    >>> import optimus
    >>> r = optimus.solve_formulation(optimus.load_formulation(optimus.example("giapetto")))
    >>> "180" in result_notebook_html(r)
    True
    """
    from optimus.render.html_view import result_html

    return f'<div class="optimus">{result_html(result, formulation)}</div>'


def report_notebook_html(report: "Report") -> str:
    """A :class:`~optimus.pipeline.Report` (``solve_model``'s return) as HTML: the
    formulation, then its result (or the issues that kept it from being built), then the
    cross-check when one was run.

    >>> import optimus
    >>> rep = optimus.solve_model(optimus.load_formulation(optimus.example("giapetto")))
    >>> html = report_notebook_html(rep)
    >>> "<math" in html and "optimal" in html
    True
    """
    from optimus.render.html_view import esc, formulation_html, result_html

    out = ['<div class="optimus">', formulation_html(report.formulation)]
    if report.result is not None:
        out.append(result_html(report, report.formulation))
    elif report.issues:
        out.append('<section class="diagnosis invalid"><h4>Issues</h4><ul class="issues">'
                   + "".join(f"<li>{esc(i)}</li>" for i in report.issues) + "</ul></section>")
    else:
        out.append('<p class="note">Not solved (checked and built only).</p>')
    out.append("</div>")
    return "".join(out)


def answer_notebook_html(answer: "Answer") -> str:
    """An :class:`~optimus.answer.Answer` as HTML (``Answer._repr_html_``).

    >>> from optimus.answer import Answer
    >>> "abstained" in answer_notebook_html(Answer(status="abstained", message="no"))
    True
    """
    from optimus.render.html_view import answer_html

    return answer_html(answer)


def result_markdown(result: Any) -> str:
    """A result as Markdown: status, objective, nonzero values, sensitivity, diagnosis.

    >>> from optimus.result import Result
    >>> print(result_markdown(Result(status="infeasible")).splitlines()[2])
    - Status: **infeasible**
    """
    from optimus.render.latex import _solution

    return "\n".join(_solution(result)).rstrip() + "\n"


def report_markdown(report: "Report") -> str:
    """A report as Markdown: the formulation with LaTeX math and its solution, or its issues.

    >>> import optimus
    >>> rep = optimus.solve_model(optimus.load_formulation(optimus.example("giapetto")))
    >>> "## Solution" in report_markdown(rep)
    True
    """
    from optimus.render.latex import to_markdown

    text = to_markdown(report.formulation, report.result)
    if report.result is None and report.issues:
        text += "\n## Issues\n\n" + "".join(f"- {md_escape(i)}\n" for i in report.issues)
    if report.cross_check is not None:
        cc = report.cross_check.to_json_dict()
        text += f"\n*Cross-check: {'agree' if cc.get('agree') else 'DISAGREE'}*\n"
    return text
