"""How an :class:`~optimus.answer.Answer` shows itself in a notebook (Markdown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimus.render.latex import md_escape, to_markdown

if TYPE_CHECKING:
    from optimus.answer import Answer


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
