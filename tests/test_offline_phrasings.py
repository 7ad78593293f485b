"""The offline reader on plain-English word problems of our own (tests/offline_phrasings.py).

The texts cover general phrasings: goals said without "maximize"/"minimize", variables
named as brands, types, options and ordinals, figures in different orders, integrality
cues, exact totals, percentages and supplies on hand. The accuracy on this set is printed
by ``python tests/benchmarks/bench_offline.py --phrasings``; here it must not fall below
the floor it had when the rules were written, and answered problems must be right.
"""

from __future__ import annotations

import pytest

from optimus.offline import formulate_offline, solve_offline
from optimus.offline.goal import rewrite_goal
from optimus.offline.variables import numbered_names
from optimus.pipeline import solve_formulation
from offline_phrasings import CASES, reference_formulation  # tests/ is on sys.path


def _correct(obj: float | None, ref: float) -> bool:
    return obj is not None and abs(obj - ref) <= max(1e-4 * abs(ref), 0.0051)


def test_set_is_large_and_varied():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.sense for c in CASES} == {"maximize", "minimize"}
    assert any(c.integer for c in CASES) and any(not c.integer for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reference_models_give_the_expected_optimum(case):
    r = solve_formulation(reference_formulation(case))
    assert r.status == "optimal" and _correct(r.objective, case.expected), (r.status, r.objective)


def test_accuracy_and_precision_on_own_phrasings():
    ok = answered = 0
    wrong = []
    for c in CASES:
        a = solve_offline(c.text)
        if a.status == "abstained":
            continue
        answered += 1
        if a.status == "optimal" and _correct(a.objective, c.expected):
            ok += 1
        else:
            wrong.append((c.id, a.objective, c.expected, a.confidence))
    print(f"own phrasings: {ok}/{len(CASES)} correct, {answered} answered")
    assert ok / len(CASES) >= 0.7, (ok, answered)
    assert ok / max(answered, 1) >= 0.9, wrong


@pytest.mark.parametrize("text, sense, word", [
    ("How many bags should it buy to keep the daily cost as low as possible?", "minimize", "cost"),
    ("The total cost should be kept as low as possible.", "minimize", "cost"),
    ("It wants to keep pollution to a minimum.", "minimize", "pollution"),
    ("How many should be used so that as few vehicles as possible are needed?", "minimize",
     "number of vehicles"),
    ("How many acres should be planted to get as much profit as possible?", "maximize", "profit"),
    ("How many should she knit to make the most money?", "maximize", "profit"),
    ("How should he use the boards to earn the most?", "maximize", "earnings"),
    ("What is the cheapest way to make the mix?", "minimize", "cost"),
    ("What is the least expensive plan?", "minimize", "cost"),
    ("How many bags should it fill for the most profit?", "maximize", "profit"),
    ("so that revenue is as high as possible?", "maximize", "revenue"),
    ("How much should go into each option to earn the highest return?", "maximize", "return"),
])
def test_plain_english_goals_are_rewritten(text, sense, word):
    out, notes = rewrite_goal(text)
    assert f"{sense} " in out and word in out.split(sense, 1)[1], out
    assert notes == []


def test_best_takes_its_direction_from_the_figures_and_is_noted():
    out, notes = rewrite_goal("Each laptop earns a profit of $120. What is the best number to stock?")
    assert out.endswith("Maximize profit.") and notes
    out, notes = rewrite_goal("Each van costs $50. What is the best plan?")
    assert out.endswith("Minimize cost.") and notes
    # both kinds of figures: no guess
    out, notes = rewrite_goal("A van costs $50 and earns $80. What is the best plan?")
    assert out == "A van costs $50 and earns $80. What is the best plan?" and not notes


def test_at_most_and_at_least_are_not_goals():
    text = "At most 20 type 2 shelves can be sold and at least 5 must be made."
    assert rewrite_goal(text)[0] == text


def test_numbered_and_ordinal_options_become_names():
    assert numbered_names("type 1 and type 2; a type 2 shelf") == "type1 and type2; a type2 shelf"
    assert numbered_names("the first mix and the second mix") == "the mix1 and the mix2"
    # a verb or a time word before a number is not an option name
    assert numbered_names("line 1 generates 2 units and generates 1 more") == \
        "line 1 generates 2 units and generates 1 more"
    assert numbered_names("on day 1 and day 2") == "on day 1 and day 2"


def test_article_a_is_not_variable_a():
    r = formulate_offline(
        "A chemist blends solution A and solution B to get at least 10 liters. Solution A "
        "costs $4 per liter and solution B costs $6 per liter. Find the least expensive blend.")
    assert r.formulation is not None
    assert "A + B >= 10" in [c.expression for c in r.formulation.constraints]


def test_shared_supply_and_exact_total_in_a_measure():
    r = formulate_offline(
        "A farm has 200 acres for wheat and corn. Wheat earns $300 per acre and corn earns "
        "$250 per acre. How many acres of each should be planted to make the most money?")
    assert r.formulation is not None and "wheat + corn <= 200" in \
        [c.expression for c in r.formulation.constraints]
    r = formulate_offline(
        "A nursery blends compost and peat to make exactly 100 kg of potting mix. Compost "
        "costs $0.40 per kg and peat costs $0.70 per kg. What is the cheapest mix?")
    assert r.formulation is not None and "compost + peat == 100" in \
        [c.expression for c in r.formulation.constraints]


def test_a_list_of_variables_after_a_comparative_is_one_total():
    r = formulate_offline(
        "A city buys salt and sand. Salt costs $50 per ton and sand costs $20 per ton. It needs "
        "at least 100 tons of salt and sand in total. Minimize the cost.")
    assert r.formulation is not None
    exprs = [c.expression for c in r.formulation.constraints]
    assert "salt + sand >= 100" in exprs and "salt >= 100" not in exprs


def test_opposite_figures_lower_confidence():
    r = formulate_offline(
        "A manager splits a budget between channels X and Y. The investment in X and Y "
        "together cannot exceed $1000. Each dollar in X generates returns of 2 and each "
        "dollar in Y generates returns of 3. The manager aims to minimize the total cost.")
    if r.formulation is not None:
        assert any("opposite" in n for n in r.notes) or r.confidence < 0.7


@pytest.mark.parametrize("text, domain", [
    ("Partial kilograms are fine.", "continuous"),
    ("Fractional tons are allowed.", "continuous"),
    ("Running times can be fractional.", "continuous"),
    ("Hours need not be whole numbers.", "continuous"),
    ("Bags must be whole numbers.", "integer"),
    ("How many buses should it rent?", "integer"),
])
def test_integrality_cues(text, domain):
    from optimus.offline.assemble import integrality

    assert integrality(text) == domain


def test_integrality_cue_reaches_the_variables():
    case = next(c for c in CASES if c.id == "compost_peat")
    r = formulate_offline(case.text)
    assert r.formulation is not None
    assert {v.domain for v in r.formulation.variables} == {"continuous"}


def test_a_participle_is_not_a_listed_item():
    case = next(c for c in CASES if c.id == "pumps_least_cost")
    r = formulate_offline(case.text)
    assert r.formulation is not None
    assert [v.name for v in r.formulation.variables] == ["electric_pump", "diesel_pump"]


def test_each_head_bounds_every_variable():
    case = next(c for c in CASES if c.id == "presses_type_ab")
    r = formulate_offline(case.text)
    assert r.formulation is not None
    exprs = [c.expression for c in r.formulation.constraints]
    assert "A <= 12" in exprs and "B <= 12" in exprs


def test_scarves_match_scarf():
    case = next(c for c in CASES if c.id == "scarves_hats_money")
    r = formulate_offline(case.text)
    assert r.formulation is not None
    assert "4*scarf + 2*hat <= 40" in [c.expression for c in r.formulation.constraints]


def test_bench_rules_table_counts_each_rule_of_an_answered_reading():
    """``bench_offline.py --rules``: per constraint rule, answered readings and correct ones."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "bench_offline", Path(__file__).parent / "benchmarks" / "bench_offline.py")
    bench = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(bench)
    rows = bench.phrasing_rows()[:4]
    table = bench.rule_table(rows)
    assert table and all(0 <= v["correct"] <= v["answered"] for v in table.values())
    from optimus.offline.rules import registry  # the rules are named as registered

    assert set(table) <= {r.name for r in registry()} | {"formula"}
    wrong = [dict(r, answer=r["answer"] + 1000.0) for r in rows]  # every answer now wrong
    assert all(v["correct"] == 0 for v in bench.rule_table(wrong).values())
