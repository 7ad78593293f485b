"""The offline formulator's entry points: :func:`formulate_offline`, :func:`solve_offline`.

Example::

    >>> r = formulate_offline("A shop makes tables and chairs. Each table needs 3 hours of "
    ...     "labor and each chair needs 2 hours of labor; 120 hours of labor are available. "
    ...     "The profit is $40 per table and $25 per chair. How many tables and chairs "
    ...     "should it make to maximize profit?")
    >>> r.formulation.objective.expression
    '40*table + 25*chair'
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from optimus.answer import Answer, Usage
from optimus.formulation import Formulation
from optimus.offline.assemble import assemble_formulation
from optimus.offline.confidence import confidence
from optimus.offline.formula import read_formula
from optimus.offline.goal import rewrite_goal
from optimus.offline.normalize import normalize
from optimus.offline.parse import OBJECTIVE_PHRASE, Reading, close_pending, read_sentence
from optimus.offline.tokens import Token, sentences, tokenize
from optimus.offline.variables import Var, find_variables, mark_mentions, numbered_names
from optimus.result import Outcome, Status, Timings
from optimus.offline.doubts import DoubtKind as K, doubt
from optimus.offline.evidence import clause_doubts, competing_readings, number_doubts

DEFAULT_MIN_CONFIDENCE = 0.7

#: what an abstention adds: how to read the text with a model instead (Ollama runs locally;
#: the commands are the README's "First run without a key")
MODEL_HINT = ("To read it with a model: a local one with Ollama (https://ollama.com): "
              "`ollama pull qwen2.5`, `pip install \"optimus-milp[ollama]\"`, then "
              "`optimus solve --model ollama:qwen2.5 -f problem.txt`; or a hosted one: "
              "`export OPENAI_API_KEY=...` and `optimus solve --model openai:gpt-4o-mini -f problem.txt`.")


def abstention_message(reason: str) -> str:
    """The message of an offline abstention: the reason, then how to use a model.

    >>> abstention_message("the text is empty").split(". To read")[0]
    'could not formulate: the text is empty'
    """
    return f"could not formulate: {reason}. {MODEL_HINT}"


@dataclass
class OfflineResult:
    """A formulation (or None), how sure we are, and why we abstained."""

    formulation: Formulation | None
    confidence: float
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    exact: bool = False  # read by the formula grammar, not guessed from words
    rules: tuple[str, ...] = ()  # the word rules that emitted clauses (rules.ORDER names)


def _abstain(reason: str, notes: list[str] | None = None) -> OfflineResult:
    return OfflineResult(None, 0.0, reason, notes or [])


def formulate_offline(text: str) -> OfflineResult:
    """Read a problem into a Formulation with rules only (no model, no network).

    A text written as formulas ("Maximize 3x + 2y subject to x + y <= 4, ...") is read by
    the grammar of :mod:`optimus.offline.formula`, which decides: an exact reading
    (confidence 1) or an abstention naming the position it did not understand. Other
    texts go to the word rules.
    """
    formula = read_formula(text) if text else None
    if formula is not None:
        if formula.formulation is None:
            assert formula.error is not None
            return _abstain("the text is written as formulas, but one part was not understood "
                            + formula.error.describe())
        return OfflineResult(formula.formulation, 1.0, None, list(formula.notes), exact=True,
                             rules=("formula",))
    try:
        return _formulate(text)
    except PassFailed as exc:
        return _abstain(str(exc), [doubt(K.RULE_FAILED, exc.name)])


class PassFailed(Exception):
    """A pass of the reader that is not a rule (normalize, variables, assemble ...) raised.

    The rules have their own dispatcher (:func:`optimus.offline.rules.run_rules`), which
    turns an error into an abstention naming the rule; this names the pass.
    """

    def __init__(self, name: str, exc: Exception) -> None:
        detail = str(exc).splitlines()[0][:120] if str(exc) else ""
        super().__init__(f"the offline pass '{name}' failed on this text "
                         f"({type(exc).__name__}{': ' + detail if detail else ''}); please report it")
        self.name = name


@contextmanager
def _reader_pass(name: str) -> Iterator[None]:
    """Run a named pass: an error in it becomes :class:`PassFailed` naming it."""
    try:
        yield
    except PassFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - re-raised as PassFailed, with the pass's name
        raise PassFailed(name, exc) from exc


@dataclass
class WordReading:
    """What the word rules read from a text (see :func:`read_words`)."""

    reading: Reading
    variables: list[Var]
    tokens: list[list[Token]]  # per sentence
    text: str  # the text as read (normalized, goal rewritten, numbered names)
    goal_notes: list[str]  # how a plain-English goal was understood


def read_words(norm: str) -> WordReading | str:
    """Read a normalized text with the word rules, or say why it cannot be read.

    >>> w = read_words("A shop makes tables and chairs. At most 50 tables can be sold. "
    ...                "How many tables and chairs should it make?")
    >>> [v.phrase for v in w.variables], [(f.rule, f.sent) for f in w.reading.fired if f.own]
    (['tables', 'chairs'], [('bounds', 1)])
    """
    if not OBJECTIVE_PHRASE.search(norm):
        # "the cheapest way", "as much profit as possible": plain-English goals
        with _reader_pass("goal"):
            norm, goal_notes = rewrite_goal(norm)
    else:
        goal_notes = []
    with _reader_pass("numbered names"):
        norm = numbered_names(norm)
    with _reader_pass("sentences"):
        sents = sentences(norm)
        toks = [tokenize(s) for s in sents]
    with _reader_pass("variables"):
        vs = find_variables(toks)
    if len(vs) < 1:
        return "could not find the decision variables"
    if len(vs) > 8:
        return f"too many variables for the offline reader ({len(vs)})"
    with _reader_pass("mentions"):
        for t in toks:
            mark_mentions(t, vs)
        _tag_each_heads(toks)
    r = Reading()
    for i, (s, t) in enumerate(zip(sents, toks)):
        with _reader_pass(f"sentence {i + 1} ({' '.join(s.split()[:6])} ...)"):
            read_sentence(t, s, i, len(vs), r)
    close_pending(r)
    return WordReading(r, vs, toks, norm, goal_notes)


def _formulate(text: str) -> OfflineResult:
    if not text or not text.strip():
        return _abstain("the text is empty")
    with _reader_pass("normalize"):
        norm = normalize(text)
    got = read_words(norm)
    if isinstance(got, str):
        return _abstain(got)
    r, vs, toks = got.reading, got.variables, got.tokens
    if r.failed:
        return _abstain(r.failed[0][1], [doubt(K.RULE_FAILED, name) for name, _ in r.failed])
    if r.sense is None:
        return _abstain("could not find the objective (no maximize/minimize)")
    if r.problems:
        return _abstain(r.problems[0], list(r.problems))
    notes = list(r.doubts) + got.goal_notes
    with _reader_pass("assemble"):
        f, reason = assemble_formulation(r, vs, got.text, notes)
    if f is None:
        return _abstain(reason or "could not build a formulation", notes)
    left = [t.text for ts in toks for t in ts if t.is_num and not t.used]
    if left:
        notes.append(doubt(K.NUMBERS_LEFT, "numbers left in the text: " + ", ".join(left)))
    if not f.constraints:
        notes.append(doubt(K.NO_CONSTRAINTS, "no constraints found"))
    counted = {K.NUMBERS_LEFT, K.NUMBERS_UNUSED}  # the rules' own account of the figures
    with _reader_pass("figures check"):
        for d in number_doubts(text, f):
            if d.kind != K.TEXT_NUMBER_UNUSED or not any(getattr(n, "kind", None) in counted
                                                         for n in notes):
                notes.append(d)
    with _reader_pass("clauses check"):
        notes += clause_doubts(f)
    # the rules that emitted clauses, with those that ran them (comparatives, question_apart)
    rules = tuple(dict.fromkeys(x.rule for x in r.fired if x.clauses))
    return OfflineResult(f, confidence(notes), None, notes, rules=rules)


def _tag_each_heads(toks: list) -> None:
    """"A type A press ... Each press can run at most 12 hours": "press" names every variable.

    A noun that follows a mention of a variable ("type A press", "brand B feed") and comes
    after "each"/"every" elsewhere is tagged ``each_head``: a bound on it bounds each variable.
    """
    heads = set()
    for ts in toks:
        for a, b in zip(ts, ts[1:]):
            if a.var is not None and a.var >= 0 and b.var is None and b.num is None and \
                    b.low.isalpha() and len(b.low) > 2:
                heads.add(b.stem)
    for ts in toks:
        for a, b in zip(ts, ts[1:]):
            if a.low in ("each", "every") and b.stem in heads and b.var is None:
                b.tags.add("each_head")


def solve_offline(text: str, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Answer:
    """Formulate offline, then check, build and solve; abstain when unsure.

    A model we built that solves infeasible, unbounded or invalid is taken as a sign we
    misread the text: we abstain unless the confidence is very high (>= 0.97).
    """
    from optimus.pipeline import solve_formulation

    t0 = time.perf_counter()
    res = formulate_offline(text)
    usage = Usage()
    if res.formulation is None:
        return Answer(status=Outcome.ABSTAINED, formulator="offline", confidence=0.0,
                      message=abstention_message(str(res.reason)), usage=usage,
                      timings=Timings(total=time.perf_counter() - t0))
    if res.confidence < min_confidence:
        return Answer(status=Outcome.ABSTAINED, formulator="offline",
                      confidence=res.confidence, formulation=res.formulation, usage=usage,
                      message=abstention_message(
                          f"confidence {res.confidence:.2f} below {min_confidence:.2f} ("
                          + "; ".join(res.notes[:3]) + ")"),
                      timings=Timings(total=time.perf_counter() - t0))
    result = solve_formulation(res.formulation)
    if result.status != Status.OPTIMAL and res.confidence < 0.97:
        return Answer(status=Outcome.ABSTAINED, formulator="offline",
                      confidence=res.confidence, formulation=res.formulation, usage=usage,
                      diagnosis=result.diagnosis,
                      message=abstention_message(f"the model read from the text is "
                                                 f"{result.status}, so it was probably misread"),
                      timings=Timings(total=time.perf_counter() - t0))
    conf = res.confidence
    notes = list(res.notes)
    if not res.exact:
        notes += _solved_doubts(res.formulation, result)
        conf = confidence(notes)
    if any(getattr(n, "kind", None) == K.DOES_NOTHING for n in notes):
        if conf < min_confidence:
            return Answer(status=Outcome.ABSTAINED, formulator="offline", confidence=conf,
                          formulation=res.formulation, usage=usage,
                          message=abstention_message(
                              "the model read from the text is solved by doing nothing, "
                              "so a constraint was probably missed"),
                          timings=Timings(total=time.perf_counter() - t0))
    if conf < min_confidence:
        return Answer(status=Outcome.ABSTAINED, formulator="offline", confidence=conf,
                      formulation=res.formulation, usage=usage,
                      message=abstention_message(
                          f"confidence {conf:.2f} below {min_confidence:.2f} ("
                          + "; ".join(notes[-3:]) + ")"),
                      timings=Timings(total=time.perf_counter() - t0))
    return Answer.from_result(result, formulation=res.formulation, formulator="offline",
                              confidence=conf, usage=usage, message="; ".join(notes) or None)


def _same(a: float | None, b: float | None) -> bool:
    """Two optimal values that answer a question the same (the benchmarks' tolerance)."""
    return a is not None and b is not None and abs(a - b) <= max(1e-4 * abs(b), 0.0051)


def _solved_doubts(f: Formulation, result) -> list:
    """Evidence only the solution gives: the optimum does nothing, or another plausible
    reading of a clause (:func:`~optimus.offline.evidence.competing_readings`) has another
    optimum."""
    from optimus.pipeline import solve_formulation

    out = []
    if result.variables and all(abs(v.value) < 1e-9 for v in result.variables):
        # doing nothing is rarely the answer to a word problem: a constraint was likely missed
        out.append(doubt(K.DOES_NOTHING, "the optimum is to do nothing (all variables 0)"))
    for src, other in competing_readings(f):
        alt = solve_formulation(other, diagnose=False)
        if alt.status == Status.OPTIMAL and not _same(alt.objective, result.objective):
            out.append(doubt(K.READINGS_COMPETE,
                             f"'{src[:60]}' read the other way gives {alt.objective:g} "
                             f"instead of {result.objective:g}"))
    return out
