"""Typed evidence of the offline reader: doubts by kind, the figures' account, named failures."""

from __future__ import annotations

import doctest

import optimus.offline.confidence as confidence_module
import optimus.offline.doubts as doubts_module
import optimus.offline.evidence as evidence_module
from optimus.offline import formulate_offline, reader
from optimus.offline.confidence import PENALTIES, confidence
from optimus.offline.doubts import Doubt, DoubtKind, doubt
from optimus.offline.evidence import number_doubts

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


def test_a_failing_rule_is_an_abstention_that_names_it(monkeypatch):
    def broken(*a, **k):
        raise KeyError("oops")

    monkeypatch.setattr(reader, "read_sentence", broken)
    r = formulate_offline(BAKERY)
    assert r.formulation is None
    assert "rule 'sentence 1 (A bakery makes cakes and pies" in r.reason and "KeyError" in r.reason
    assert [n.kind for n in r.notes] == [DoubtKind.RULE_FAILED]


def test_docstrings():
    for m in (confidence_module, doubts_module, evidence_module):
        assert doctest.testmod(m).failed == 0, m.__name__
