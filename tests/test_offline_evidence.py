"""Typed evidence of the offline reader: doubts by kind, the figures' account, named failures."""

from __future__ import annotations

import doctest

import pytest

import optimus.offline.confidence as confidence_module
import optimus.offline.doubts as doubts_module
import optimus.offline.evidence as evidence_module
from optimus.offline import formulate_offline, reader
from optimus.offline.confidence import PENALTIES, confidence
from optimus.offline.doubts import Doubt, DoubtKind, doubt
from optimus.formulation import Formulation as _F
from optimus.offline.evidence import clause_doubts, number_doubts

BAKERY = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
          "needs 1 hour of oven time. 40 hours of oven time are available. The profit is $5 "
          "per cake and $3 per pie. How many cakes and pies should it bake to maximize profit?")


def test_every_kind_has_a_penalty_and_notes_are_typed():
    assert set(PENALTIES) == set(DoubtKind)
    r = formulate_offline(BAKERY.replace("How many", "The bakery was founded 25 years ago. How many"))
    assert [n.kind for n in r.notes] == [DoubtKind.NUMBERS_LEFT] and "25" in r.notes[0]
    assert all(isinstance(n, Doubt) for n in r.notes)
    assert r.confidence == confidence(r.notes) == 0.6


def test_confidence_reads_kinds_not_words():
    assert confidence([doubt(DoubtKind.NUMBERS_UNUSED, "anything at all")]) == 0.6
    assert confidence(["numbers not used: 7"]) == 0.9  # untyped text: a small doubt only
    both = [doubt(DoubtKind.TEXT_NUMBER_UNUSED, "a"), doubt(DoubtKind.CONSTANT_NOT_IN_TEXT, "b")]
    assert confidence(both) == confidence(both[:1]) == 0.75  # one account of the figures


def test_figures_account_flags_a_misread_limit():
    r = formulate_offline(BAKERY)
    assert r.confidence == 0.95 and number_doubts(BAKERY, r.formulation) == []
    f = r.formulation.copy_deep()
    f.constraints[0].expression = f.constraints[0].expression.replace("40", "47")
    kinds = [d.kind for d in number_doubts(BAKERY, f)]
    assert kinds == [DoubtKind.TEXT_NUMBER_UNUSED, DoubtKind.CONSTANT_NOT_IN_TEXT]


def test_a_failing_pass_is_an_abstention_that_names_it(monkeypatch):
    # a failing rule names the rule (tests/test_offline_rules.py); a pass names the pass
    def broken(*a, **k):
        raise KeyError("oops")

    monkeypatch.setattr(reader, "read_sentence", broken)
    r = formulate_offline(BAKERY)
    assert r.formulation is None
    assert "pass 'sentence 1 (A bakery makes cakes and pies" in r.reason and "KeyError" in r.reason
    assert [n.kind for n in r.notes] == [DoubtKind.RULE_FAILED]


def test_docstrings():
    for m in (confidence_module, doubts_module, evidence_module):
        assert doctest.testmod(m).failed == 0, m.__name__


# ---------------------------------------------------------------- clauses against their sentence



def _model(*cons: tuple[str, str]) -> _F:
    return _F.model_validate({
        "variables": [{"name": "X"}, {"name": "Y"}],
        "constraints": [{"name": f"c{i}", "expression": e, "description": d}
                        for i, (e, d) in enumerate(cons)],
        "objective": {"sense": "minimize", "expression": "2*X + 3*Y"}})


@pytest.mark.parametrize("expr, sentence, kind", [
    ("Y >= 50", "The combined resources allocated to X and Y must be at least 50", "variable_dropped"),
    ("Y >= 200", "Project X requires a minimum excess of 200 units over project Y", "variable_dropped"),
    ("X + Y <= 10", "There should not be more than a difference of 10 between X and Y",
     "difference_unsigned"),
    ("X <= 0", "X is limited", "forced_zero"),
])
def test_clause_doubts_flag_a_misread_constraint(expr, sentence, kind):
    assert [d.kind.value for d in clause_doubts(_model((expr, sentence)))] == [kind]


@pytest.mark.parametrize("cons", [
    [("X + Y >= 50", "The combined resources allocated to X and Y must be at least 50")],
    [("X - Y <= 10", "The difference between X and Y must not exceed 10")],
    # one sentence, one bound per variable: together they keep every variable named
    [("X <= 700", "The maximum for both X and Y is 700 and 500"),
     ("Y <= 500", "The maximum for both X and Y is 700 and 500")],
])
def test_clause_doubts_accept_a_faithful_constraint(cons):
    assert clause_doubts(_model(*cons)) == []


def test_clause_doubt_lowers_confidence_below_the_floor():
    from optimus.offline.confidence import confidence
    from optimus.offline.reader import DEFAULT_MIN_CONFIDENCE
    ds = clause_doubts(_model(("Y >= 50", "The combined X and Y must be at least 50")))
    assert confidence(ds) < DEFAULT_MIN_CONFIDENCE


def test_abstention_says_how_to_use_a_model():
    from optimus.offline import solve_offline
    a = solve_offline("A planner must route trucks over a network of depots so that every "
                      "customer is visited once and the total distance is minimized.")
    assert a.status == "abstained"
    msg = a.message or ""
    assert msg.startswith("could not formulate: could not find the decision variables")
    assert "ollama pull qwen2.5" in msg and "optimus solve --model ollama:qwen2.5" in msg
