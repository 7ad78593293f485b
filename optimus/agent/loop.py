"""The agent loop: formulate -> check -> build -> solve -> diagnose -> repair.

Each attempt asks the model for a formulation, solves it with
:func:`optimus.pipeline.solve_model` (check, build, HiGHS, diagnosis) and records an
:class:`~optimus.answer.Attempt`. Anything short of a clean optimum becomes a repair
message carrying the whole trajectory (:func:`optimus.agent.repair.repair_message`); the
message list is rebuilt for every attempt, never mutated. A "suspicious" optimum gets
one repair chance within the budget. After a clean optimum, numbers of the text that
the formulation never uses get one extra call (:mod:`optimus.agent.grounding`).

An infeasible or unbounded formulation that the model keeps after seeing the diagnosis,
with ``as_stated`` set in its reply, ends the loop: the text itself is infeasible (or
unbounded), so the answer carries the model's ``reason`` beside the diagnosis instead of
spending the rest of the budget on a problem that has no optimum.

The loop never raises for a bad formulation: a spent budget is an :class:`Answer` with
the final status, the last diagnosis and a message saying so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from optimus.budget import WorkTimeout, check_deadline
from optimus.agent.grounding import unexplained, unexplained_numbers
from optimus.agent.model import Message, Model, ModelResponse, Purpose, Request
from optimus.agent.progress import Progress, ProgressEvent, Step, emit
from optimus.agent.prompts import load_prompt, render
from optimus.agent.repair import repair_message
from optimus.answer import Answer, Attempt, Usage
from optimus.errors import ProviderError, UserError
from optimus.formulation import Formulation
from optimus.render.text import compact_text
from optimus.result import Diagnosis, DiagnosisKind, Outcome, Result, Status

from optimus.agent.limits import (  # noqa: F401  (re-exported)
    DEFAULT_MAX_ATTEMPTS, DEFAULT_TIME_LIMIT, MAX_TEXT_CHARS, check_text,
)


def safety_issues(f: Formulation, attachments: Any = None) -> list[str]:
    """Parts of a model-written formulation we refuse before building it: a data path
    that is not one of the tables the user attached (with none attached, any data path)."""
    issues = []
    names = attachments.names() if attachments else []
    refs = [(f"parameter {p.name}", p.data) for p in f.parameters] + \
        [(f"set {s.name}", s.data) for s in f.sets]
    for where, ref in refs:
        if ref is None or (attachments and attachments.resolve(ref.path) is not None):
            continue
        if names:
            issues.append(f"{where}: data path {ref.path!r} is not an attached table. Fix: use "
                          f"one of {', '.join(repr(n) for n in names)} as `data.path`.")
        else:
            issues.append(f"{where}: data files are not allowed in a model reply "
                          f"(got path {ref.path!r}). Fix: set data to null and list the "
                          f"values inline in `values`.")
    return issues


def evaluate(f: Formulation, *, time_limit: float | None = DEFAULT_TIME_LIMIT,
             attachments: Any = None, backend: str = "highs") -> Result:
    """Check, build, solve and diagnose ``f`` (reading only the attached tables); every
    failure comes back as data."""
    from optimus.pipeline import SolveOptions, invalid_result, solve_model

    refused = safety_issues(f, attachments)
    if refused:
        return invalid_result(refused)
    f.with_attachments(attachments)

    try:
        result = solve_model(f, SolveOptions(time_limit=time_limit, backend=backend)).result
        assert result is not None
        return result
    except UserError as exc:
        issues = [exc.message + (f" Fix: {exc.fix}" if exc.fix else "")]
    except WorkTimeout:  # the problem's deadline (eval --timeout) passed: stop the work
        raise
    except Exception as exc:  # model output must never crash the loop
        issues = [f"{type(exc).__name__}: {exc}"]
    return invalid_result(issues)


def _attempt_status(result: Result) -> str:
    if result.status == Status.ERROR and result.diagnosis is not None \
            and result.diagnosis.kind == DiagnosisKind.INVALID:
        return Outcome.INVALID_FORMULATION
    return result.status


_NOT_COMPILED = {Outcome.INVALID_FORMULATION, Outcome.PARSE_ERROR}
_AS_STATED = {Status.INFEASIBLE, Status.UNBOUNDED, Status.INFEASIBLE_OR_UNBOUNDED}


@dataclass
class _Step:
    attempt: Attempt
    formulation: Formulation | None = None
    result: Result | None = None


@dataclass
class Agent:
    """Runs the loop with one :class:`~optimus.agent.model.Model`.

    ``max_attempts`` bounds formulate + repairs (the number-grounding call is extra).
    ``raise_provider_errors=False`` turns a provider failure into an Answer with status
    ``provider_error`` or ``timeout`` (for batch evaluation).
    """

    llm: Model
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    ground_numbers: bool = True
    time_limit: float | None = DEFAULT_TIME_LIMIT
    raise_provider_errors: bool = True
    repair_solver_outcomes: bool = True  # False: infeasible/unbounded are answers, not errors
    transcript: list[list[Message]] = field(default_factory=list)
    on_attempt: Callable[[Attempt], None] | None = None  # told of each attempt as it ends
    #: tables attached to the problem (:class:`optimus.datafiles.Attachments`): the
    #: formulate request carries their summary, and a formulation may read only them
    attachments: Any = None
    backend: str = "highs"
    max_tokens: int | None = None  # tokens (in + out) per problem; None: no limit
    progress: Progress = None  # called with a ProgressEvent at each step

    def __post_init__(self) -> None:
        self.last_reason: str | None = None  # the model's `reason` in its last reply
        self._start = Usage()
        if self.max_attempts < 1:
            raise UserError(f"max_attempts must be at least 1 (got {self.max_attempts}).",
                            fix="Pass --max-attempts 1 or more.")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise UserError(f"max_tokens must be at least 1 (got {self.max_tokens}).",
                            fix="Pass --max-tokens with a positive number of tokens, e.g. 20000.")

    # ------------------------------------------------------------------ entry points
    def solve(self, text: str) -> Answer:
        """Formulate and solve a problem stated in ``text``."""
        text = check_text(text)
        request = render("formulate", problem=text)
        if self.attachments:
            request += "\n\n" + data_prompt(self.attachments)
        return self.run(text, request, ground=self.ground_numbers)

    def run(self, problem: str, request: str, *, ground: bool = True,
            first: Request | None = None) -> Answer:
        """The loop, starting from the user message ``request`` about ``problem``.

        ``first`` is the first request when it is more than a formulate request (a chat
        edit: its purpose, the edit and the formulation it applies to)."""
        base = (Message("system", load_prompt("system")), Message("user", request))
        if first is None:
            first = Request(base, Purpose.FORMULATE, problem)
        else:
            first = Request(base, first.purpose, problem, first.edit, first.formulation)
        start = self.llm.usage.model_copy()
        self._start = start
        steps: list[_Step] = []
        try:
            answer = self._loop(problem, first, steps, ground)
        except ProviderError as exc:
            if self.raise_provider_errors:
                raise
            answer = Answer(status=exc.outcome, message=str(exc))
        answer.attempts = [s.attempt for s in steps]
        answer.usage = _diff(self.llm.usage, start)
        answer.formulator = self.llm.label
        return answer

    # ------------------------------------------------------------------ the loop
    def _ask(self, first: Request, steps: list[_Step]) -> ModelResponse:
        request = first
        if steps:  # a new request every attempt; the first one is never touched
            feedback = repair_message(first.problem, [s.attempt for s in steps])
            steps[-1].attempt.feedback = feedback
            request = Request(first.messages + (Message("user", feedback),), Purpose.REPAIR,
                              first.problem, first.edit, first.formulation)
        return self._call(request, len(steps) + 1)

    def _call(self, request: Request, number: int) -> ModelResponse:
        """One model call, reported to ``progress``."""
        self.transcript.append(list(request.messages))
        of = max(self.max_attempts, number)
        emit(self.progress, ProgressEvent(Step.ASK, number, of, str(request.purpose), self.llm.label))
        t0 = time.perf_counter()
        reply = self.llm.ask(request)
        emit(self.progress, ProgressEvent(Step.ANSWERED, number, of, str(request.purpose),
                                          self.llm.label, time.perf_counter() - t0))
        return reply

    def _used(self) -> int:
        """Tokens (in + out) spent on this problem so far."""
        u = _diff(self.llm.usage, self._start)
        return u.input_tokens + u.output_tokens

    def _over_budget(self) -> bool:
        return self.max_tokens is not None and self._used() >= self.max_tokens

    def _budget_note(self) -> str:
        return (f"Stopped at the token budget ({self._used():,} tokens used, --max-tokens "
                f"{self.max_tokens:,}).")

    def _record(self, number: int, reply: ModelResponse) -> _Step | Answer:
        step = self._evaluate(number, reply)
        if isinstance(step, _Step):
            step.attempt.usage = Usage(calls=1, input_tokens=reply.input_tokens,
                                       output_tokens=reply.output_tokens)
        return step

    def _evaluate(self, number: int, reply: ModelResponse) -> _Step | Answer:
        if not reply.ok:
            return _Step(Attempt(number=number, raw_output=reply.raw_text, status=Outcome.PARSE_ERROR,
                                 diagnosis=Diagnosis(kind=DiagnosisKind.PARSE_ERROR,
                                                     summary="The output could not be read.",
                                                     issues=reply.errors)))
        r = reply.reply
        self.last_reason = r.reason
        if not r.is_optimization_problem:
            return Answer(status=Outcome.NOT_OPTIMIZATION,
                          message=r.reason or "The model found no optimization problem in the text.")
        if r.formulation is None:
            return _Step(Attempt(number=number, raw_output=reply.raw_text, status=Outcome.PARSE_ERROR,
                                 diagnosis=Diagnosis(kind=DiagnosisKind.NOT_FORMULATED,
                                                     summary="No formulation was given.")))
        f = r.formulation
        of = max(self.max_attempts, number)
        emit(self.progress, ProgressEvent(Step.SOLVE, number, of, label=self.backend))
        t0 = time.perf_counter()
        result = evaluate(f, time_limit=self.time_limit, backend=self.backend,
                          attachments=self.attachments)
        emit(self.progress, ProgressEvent(Step.SOLVED, number, of, label=self.backend,
                                          seconds=time.perf_counter() - t0, detail=str(result.status)))
        att = Attempt(number=number, formulation=f.to_dict(), status=_attempt_status(result),
                      objective=result.objective, diagnosis=result.diagnosis,
                      reason=r.reason, as_stated=bool(r.as_stated))
        # A refused formulation is never handed on: the renderers (Pyomo script, math,
        # notebook display) would read the local files it names into their output.
        return _Step(att, None if safety_issues(f, self.attachments) else f, result)

    def _loop(self, problem: str, first: Request, steps: list[_Step], ground: bool) -> Answer:
        best: _Step | None = None
        second_look = False
        budget_hit = False
        for number in range(1, self.max_attempts + 1):
            check_deadline()  # eval's per-problem deadline ends the work between attempts
            if number > 1 and self._over_budget():
                budget_hit = True
                break
            step = self._record(number, self._ask(first, steps))
            if isinstance(step, Answer):
                steps.append(_Step(Attempt(number=number, status=step.status)))
                return step
            steps.append(step)
            if self.on_attempt is not None:
                self.on_attempt(step.attempt)
            status = step.attempt.status
            if status != Status.OPTIMAL and status not in _NOT_COMPILED \
                    and not self.repair_solver_outcomes:
                return self._final(step, steps, message=f"The edited model is {status}.")
            if status != Status.OPTIMAL:
                if best is not None:  # the second look at a suspicious optimum failed: keep it
                    break
                if status in _AS_STATED and step.attempt.as_stated and number > 1:
                    return self._as_stated(step, steps)  # the model saw the diagnosis and agrees
                continue
            best = step
            suspicious = step.result is not None and step.result.diagnosis is not None \
                and step.result.diagnosis.kind == DiagnosisKind.SUSPICIOUS \
                and not _lp_as_asked(problem, step.result.diagnosis)
            if suspicious and self.repair_solver_outcomes and not second_look \
                    and number < self.max_attempts:
                second_look = True
                continue
            break
        if best is None:
            answer = self._exhausted(steps)
            if budget_hit:
                answer.message = _join(self._budget_note(), answer.message or "")
            return answer
        answer = self._final(best, steps)
        if budget_hit:
            answer.message = _join(answer.message, self._budget_note())
        elif ground:
            answer = self._ground(first, steps, best, answer)
        return answer

    # ------------------------------------------------------------------ answers
    def _final(self, step: _Step, steps: list[_Step], message: str | None = None) -> Answer:
        assert step.result is not None
        answer = Answer.from_result(step.result, formulation=step.formulation)
        n = len(steps)
        answer.message = message or (f"Solved on attempt {step.attempt.number} of {n}." if n > 1 else None)
        return answer

    def _as_stated(self, step: _Step, steps: list[_Step]) -> Answer:
        """The model keeps an infeasible or unbounded formulation: the text itself is."""
        answer = self._final(step, steps)
        reason = (step.attempt.reason or "").strip() or "the model gave no reason"
        answer.as_stated = True
        answer.reason = reason
        answer.message = (f"{str(step.attempt.status).replace('_', ' ').capitalize()} as stated "
                          f"(attempt {step.attempt.number} of {len(steps)}): the model keeps this "
                          f"formulation because the text itself is. Its reason: {reason}")
        return answer

    def _exhausted(self, steps: list[_Step]) -> Answer:
        compiled = [s for s in steps if s.attempt.status not in _NOT_COMPILED and s.result is not None]
        last = steps[-1]
        n = len(steps)
        if compiled:
            pick = compiled[-1]
            answer = Answer.from_result(pick.result, formulation=pick.formulation)  # type: ignore[arg-type]
            note = "" if pick is last else (f" The last attempt ({last.attempt.status}) did not compile; "
                                            f"this is attempt {pick.attempt.number}.")
            answer.message = (f"No clean optimum after {n} attempt{'s' if n > 1 else ''} (the budget); "
                              f"final status: {pick.attempt.status}.{note}")
            return answer
        answer = Answer(status=Outcome.INVALID_FORMULATION, diagnosis=last.attempt.diagnosis,
                        formulation=last.formulation)
        answer.message = (f"No valid formulation after {n} attempt{'s' if n > 1 else ''} (the budget); "
                          f"see the last diagnosis.")
        return answer

    def _ground(self, first: Request, steps: list[_Step], best: _Step, answer: Answer) -> Answer:
        assert best.formulation is not None
        problem = first.problem
        numbers = unexplained(problem, best.formulation)
        if not numbers:
            return answer
        missing = [tn.value for tn in numbers]
        if self._over_budget():  # no call left for the numbers: report them
            answer.unexplained_numbers = missing
            answer.message = _join(answer.message, self._budget_note())
            return answer
        listed = ", ".join(tn.text for tn in numbers)
        diag = (best.attempt.diagnosis or Diagnosis()).model_copy(deep=True)
        diag.kind = DiagnosisKind.UNGROUNDED
        diag.summary = (f"Numbers of the text used nowhere in the formulation: {listed}. "
                        f"Each one in its sentence:")
        diag.issues = [f'{tn.text}: "{tn.sentence}"' for tn in numbers] + diag.issues
        view = [s.attempt for s in steps if s is not best] + [best.attempt.model_copy(update={"diagnosis": diag})]
        feedback = repair_message(problem, view)
        best.attempt.feedback = feedback
        request = Request(first.messages + (Message("user", feedback),), Purpose.GROUND, problem,
                          first.edit, first.formulation)
        number = len(steps) + 1
        reply = self._call(request, number)
        step = self._record(number, reply)
        if isinstance(step, Answer):  # "not an optimization problem" now: keep the solution
            answer.unexplained_numbers = missing
            return answer
        steps.append(step)
        unchanged = step.attempt.formulation is None or (step.formulation is not None and
            compact_text(step.formulation, full=True) == compact_text(best.formulation, full=True))
        reason = (reply.reply.reason or "").strip() if reply.ok and reply.reply else ""
        if step.formulation is not None and not unchanged and step.attempt.status == Status.OPTIMAL:
            new = self._final(step, steps, message=f"Revised on attempt {number} to use the numbers {listed}.")
            new.unexplained_numbers = unexplained_numbers(problem, step.formulation)  # type: ignore[arg-type]
            return new
        if unchanged and reason:
            f = best.formulation.copy_deep()
            f.assumptions.append(f"Numbers of the text not used ({listed}): {reason}")
            answer.formulation = f
            answer.message = _join(answer.message, f"Numbers not used ({listed}): {reason}")
            return answer
        answer.unexplained_numbers = missing
        answer.message = _join(answer.message, f"Numbers of the text used nowhere: {listed} "
                                               f"(the model's revision was {step.attempt.status}).")
        return answer


def data_prompt(attachments: Any) -> str:
    """The part of a formulate request that describes the attached tables (their
    summaries, never their rows beyond a small table's)."""
    from optimus.datafiles import describe

    return render("data", tables=describe(attachments))


_LP = re.compile(r"\b(?:LP|linear program(?:ming)?|linear optimi[sz]ation)\b", re.I)
_WHOLE = re.compile(r"\b(?:integers?|integral|whole(?:\s+numbers?)?|MILP|MIP|ILP|mixed[- ]integer|"
                    r"cannot be (?:split|divided)|indivisible)\b", re.I)
_FRACTIONAL_COUNT = "looks like a count of discrete things but is declared continuous"


def asks_for_lp(text: str) -> bool:
    """True when the text asks for a linear program and says nothing of whole numbers."""
    return bool(_LP.search(text)) and not _WHOLE.search(text)


def _lp_as_asked(problem: str, diagnosis: Diagnosis) -> bool:
    """Fractional counts are what an explicit LP request asks for: no second look."""
    return bool(diagnosis.warnings) and asks_for_lp(problem) \
        and all(_FRACTIONAL_COUNT in w for w in diagnosis.warnings)


def _join(a: str | None, b: str) -> str:
    return f"{a} {b}" if a else b


def _diff(now: Usage, start: Usage) -> Usage:
    return Usage(calls=now.calls - start.calls, input_tokens=now.input_tokens - start.input_tokens,
                 output_tokens=now.output_tokens - start.output_tokens)
