"""The ONE function that turns the trajectory of attempts into a repair message.

Each :class:`~optimus.answer.Attempt` carries its formulation (or the raw output that
did not parse) and a structured :class:`~optimus.result.Diagnosis`. The message shows
every attempt, oldest first, in compact form with what the checker or the solver said
(issues with names, the IIS as constraint names and index values, unbounded variables,
warnings such as fractional counts), and ends with one plain instruction chosen from the
last attempt's diagnosis.
"""

from __future__ import annotations

from optimus.agent.prompts import render
from optimus.answer import Attempt
from optimus.formulation import Formulation
from optimus.result import ConflictKind, Diagnosis

_RAW_LIMIT = 3000

_INSTRUCTIONS = {
    "parse_error": "Your last output could not be read. Answer again with one object that "
                   "follows the schema exactly (is_optimization_problem, reason, formulation).",
    "invalid": "Your last formulation has the problems listed above. Fix every one of them "
               "(the messages name the constraint or symbol and suggest a fix).",
    "infeasible": "Your last formulation is infeasible: the constraints listed as conflicting "
                  "cannot all hold at once. Re-read the text for those constraints: a wrong "
                  "direction (<= instead of >=), a wrong number or unit, a requirement the "
                  "text does not state, or a bound that is too tight. The data of the text may "
                  "also be inconsistent: if the text itself asks for the impossible, do not drop "
                  "or weaken a requirement it states; return the same formulation with "
                  "`as_stated` set to true and show the arithmetic in `reason` (for example "
                  "\"15 vases need 45 of the 60 wheel hours, 12 bowls need 18 more: 63 > 60\").",
    "unbounded": "Your last formulation is unbounded: the variables listed can improve the "
                 "objective without limit. Add the limit the text states (a capacity, budget, "
                 "demand or availability) or fix the objective's sense or signs. If the text "
                 "itself sets no such limit, return the same formulation with `as_stated` set "
                 "to true and say in `reason` which limit is missing.",
    "suspicious": "Your last formulation solved, but the warnings above suggest a modelling "
                  "error (e.g. counts of whole things modelled as continuous, or a trivial "
                  "optimum). Fix it if the warning is right; otherwise return the same "
                  "formulation and explain in `reason` why it is correct.",
    "ungrounded": "Your last formulation solved, but the numbers of the text listed above appear "
                  "nowhere in it. Use them where the text means them to be used; if they do "
                  "not matter, return the same formulation unchanged and explain why in "
                  "`reason`.",
    "not_formulated": "You said the text is an optimization problem but gave no formulation. "
                      "Give the formulation, or set is_optimization_problem to false.",
}
_DEFAULT = ("The solver did not reach a clean optimum with your last formulation (see its "
            "status above). Fix the formulation so that it can be solved to optimality.")


def _formulation_text(attempt: Attempt) -> str | None:
    if attempt.formulation is None:
        return None
    try:
        return Formulation.model_validate(attempt.formulation).compact()
    except Exception:  # the dict did not validate: show it as stored
        import json

        return json.dumps(attempt.formulation, ensure_ascii=False)[:_RAW_LIMIT]


def _attempt_block(attempt: Attempt) -> str:
    lines = [f"### Attempt {attempt.number}"]
    body = _formulation_text(attempt)
    if body is not None:
        lines += ["Formulation (compact form):", "```text", body, "```"]
    elif attempt.raw_output is not None:
        raw = attempt.raw_output
        cut = raw[:_RAW_LIMIT] + (f"\n... ({len(raw)} characters in all)" if len(raw) > _RAW_LIMIT else "")
        lines += ["Your raw output:", "```text", cut or "(empty)", "```"]
    outcome = attempt.status
    if attempt.objective is not None:
        outcome += f", objective {attempt.objective:.10g}"
    lines.append(f"Outcome: {outcome}")
    if attempt.diagnosis is not None:
        text = _without_natural_relaxations(attempt.diagnosis).text().strip()
        if text:
            lines += ["What the checker/solver found:", text]
        natural = natural_bounds(attempt.diagnosis)
        if natural:
            lines.append(f"Note: {', '.join(natural)} in the conflict "
                         f"{'is a natural bound' if len(natural) == 1 else 'are natural bounds'}"
                         " (a quantity that cannot be negative): keep "
                         f"{'it' if len(natural) == 1 else 'them'}. The conflict lies in the "
                         "other members: a requirement that is too large, or a limit too small.")
    if attempt.as_stated and attempt.reason:
        lines.append(f"You said the text is infeasible or unbounded as stated: {attempt.reason}")
    return "\n".join(lines)


def _without_natural_relaxations(diagnosis: Diagnosis) -> Diagnosis:
    """The diagnosis without relaxation options that lower an ``x >= 0`` bound (a
    negative quantity is never the fix to offer)."""
    bad = {r.option for r in diagnosis.relaxation
           if r.kind == ConflictKind.LOWER_BOUND and r.current == 0 and r.needed < 0}
    if not bad:
        return diagnosis
    return diagnosis.model_copy(update={"relaxation": [r for r in diagnosis.relaxation
                                                       if r.option not in bad]})


def natural_bounds(diagnosis: Diagnosis) -> list[str]:
    """The members of a conflict that are ``x >= 0`` bounds (explained, never offered for
    deletion)."""
    return [c.text or f"{c.label} >= 0" for c in diagnosis.conflict
            if c.kind == ConflictKind.LOWER_BOUND and c.value is not None and c.value == 0]


def repair_message(problem: str, trajectory: list[Attempt]) -> str:
    """The repair request for the next attempt, built from every attempt so far.

    The instruction is chosen by the last attempt's diagnosis kind (``parse_error``,
    ``invalid``, ``infeasible``, ``unbounded``, ``suspicious``, ``ungrounded``, ...).
    """
    if not trajectory:
        raise ValueError("repair_message needs at least one attempt")
    last = trajectory[-1]
    kind = last.diagnosis.kind if last.diagnosis is not None else last.status
    instruction = _INSTRUCTIONS.get(kind) or _INSTRUCTIONS.get(last.status) or _DEFAULT
    blocks = "\n\n".join(_attempt_block(a) for a in trajectory)
    return render("repair", problem=problem, trajectory=blocks, instruction=instruction)
