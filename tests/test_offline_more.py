"""Offline formulator: more phrasings of our own, and the learned word list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimus.offline import formulate_offline, solve_offline


def _exprs(text: str) -> list[str]:
    r = formulate_offline(text)
    assert r.formulation is not None, r.reason
    return [c.expression for c in r.formulation.constraints]


def test_range_bounds_and_offsets():
    text = ("A clinic schedules hours for two teams, X and Y. Team X can range from 5 to 40 "
            "hours. The hours of team X should not exceed twice the hours of team Y by more "
            "than 10. Team Y must have at least 3 more hours than team X. Each hour costs "
            "$30 for team X and $45 for team Y. What is the minimum total cost?")
    exprs = _exprs(text)
    assert "X >= 5" in exprs and "X <= 40" in exprs
    assert "X - 2*Y <= 10" in exprs
    assert "-X + Y >= 3" in exprs
    a = solve_offline(text)
    assert a.status == "optimal" and a.objective == pytest.approx(30 * 5 + 45 * 8)


def test_fraction_of_total_and_respectively():
    text = ("A farm raises goats and sheep. Goats and sheep need 3 and 2 kg of feed per "
            "day respectively, and 300 kg of feed are available per day. Goats and sheep "
            "earn a profit of $40 and $25 respectively. At most a third of the animals can "
            "be goats. How many goats and sheep should the farm raise to maximize profit?")
    exprs = _exprs(text)
    assert "3*goat + 2*sheep <= 300" in exprs
    assert any("goat" in e and "0.33" in e and "<=" in e for e in exprs), exprs


def test_limit_sentence_with_per_item_figures():
    text = ("A shipper loads crates and barrels. The total weight is limited to 900 kg, with "
            "each crate weighing 30 kg and each barrel weighing 50 kg. A crate earns $20 and "
            "a barrel earns $35. How many crates and barrels maximize the earnings?")
    assert "30*crate + 50*barrel <= 900" in _exprs(text)


def test_unread_limit_abstains():
    text = ("A bakery makes bread and cake. Bread earns a profit of $2 and cake earns a "
            "profit of $5. The town council limits noise to 70 decibels. How many should it "
            "make to maximize profit?")
    r = formulate_offline(text)
    assert r.formulation is None or r.confidence < 0.5
    a = solve_offline(text)
    assert a.status == "abstained" and (a.message or "").startswith("could not formulate:")


def test_learned_lexicon_is_small_and_reproducible():
    from optimus.offline import train
    shipped = json.loads(train.OUT.read_text())
    assert train.OUT.stat().st_size < 1_000_000
    path = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nl4opt_train_texts.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not available (../shared is absent)")
    assert train.train(path) == shipped
