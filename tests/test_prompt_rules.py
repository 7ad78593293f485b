"""The prompt settles the usual ambiguities; each rule on a text of our own.

Each test checks that the system prompt sent to the model carries the rule and that the
loop handles a reply that follows it: one call, the optimum computed by hand, every
number of the text used. The answers were worked out by hand (vertex or case analysis,
written next to each test).
"""

from __future__ import annotations

import pytest

from optimus.agent.langchain_model import LangChainModel, RetryPolicy
from optimus.agent.loop import Agent, asks_for_lp
from optimus.agent.prompts import load_prompt
from optimus.testing import ScriptedChatModel


def solve(text: str, *responses):
    fake = ScriptedChatModel(responses=list(responses))
    agent = Agent(LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None)))
    answer = agent.solve(text)
    return answer, fake, fake.received[0][0].content  # the system prompt sent


# --------------------------------------------------------------------------- LP requested
LP_TEXT = ("Formulate an LP. A workshop makes chairs and tables. A chair needs 3 hours of "
           "labour and a table 5 hours; 64 hours are available. A chair uses 2 units of wood "
           "and a table 1 unit; 30 units are in stock. A chair earns $40 and a table $60. "
           "Maximize profit.")


def workshop(domain: str) -> dict:
    return {"name": "workshop",
            "assumptions": ["The text asks for an LP, so the numbers made are continuous."],
            "variables": [{"name": "chairs", "description": "chairs made", "domain": domain},
                          {"name": "tables", "description": "tables made", "domain": domain}],
            "constraints": [{"name": "labour", "expression": "3 * chairs + 5 * tables <= 64"},
                            {"name": "wood", "expression": "2 * chairs + tables <= 30"}],
            "objective": {"sense": "maximize", "expression": "40 * chairs + 60 * tables"}}


def test_an_explicit_lp_request_keeps_counts_continuous_in_one_call():
    # vertex 3c + 5t = 64, 2c + t = 30: c = 86/7, t = 38/7, profit 5720/7
    answer, fake, system = solve(LP_TEXT, workshop("continuous"), workshop("continuous"))
    assert "An explicit request for an LP" in system and "counts too" in system
    assert answer.status == "optimal" and answer.objective == pytest.approx(5720 / 7)
    assert answer.usage.calls == 1 and fake.remaining == 1
    # the fractional-count warning stays in the answer; it just does not cost a call
    assert any("looks like a count" in w for w in answer.diagnosis.warnings)


def test_without_the_lp_request_fractional_counts_get_a_second_look():
    text = LP_TEXT.replace("Formulate an LP. ", "")
    answer, fake, _ = solve(text, workshop("continuous"), workshop("integer"))
    assert answer.usage.calls == 2 and answer.formulation.variable("chairs").domain == "integer"


@pytest.mark.parametrize("text, lp", [
    ("Formulate a linear programming model of the plan.", True),
    ("Solve this as an LP.", True),
    ("Formulate an LP; the numbers of trucks must be whole numbers.", False),
    ("Write a mixed-integer linear program.", False),
    ("Plan the help desk rota.", False),
])
def test_asks_for_lp(text, lp):
    assert asks_for_lp(text) is lp


# --------------------------------------------------------------------------- strict comparisons
BAKERY = ("A bakery bakes loaves and cakes, whole items only. A loaf takes 2 minutes of oven "
          "time and a cake 4 minutes; the oven has 60 minutes. A loaf earns $3 and a cake $5. "
          "The bakery must bake more cakes than loaves. Maximize profit.")


def test_more_a_than_b_between_counts_is_strict():
    # on l + 2c = 30 profit is 90 - c, so the least c with c >= l + 1: c = 11, l = 8 -> 79
    # (reading "more" as c >= l would give l = c = 10 -> 80)
    f = {"name": "bakery",
         "variables": [{"name": "loaves", "domain": "integer"}, {"name": "cakes", "domain": "integer"}],
         "constraints": [{"name": "oven", "expression": "2 * loaves + 4 * cakes <= 60"},
                         {"name": "more_cakes", "expression": "cakes >= loaves + 1"}],
         "objective": {"sense": "maximize", "expression": "3 * loaves + 5 * cakes"}}
    answer, _, system = solve(BAKERY, f)
    assert "Strict comparisons" in system and "A >= B + 1" in system
    assert answer.objective == pytest.approx(79) and answer.usage.calls == 1
    assert answer.unexplained_numbers == []


# --------------------------------------------------------------------------- pairs
ROUTES = ("We ship pallets from the depots North and South to the shops A, B and C. Only these "
          "routes exist: North to A costs $4 per pallet, North to B $6, South to B $3 and South "
          "to C $5. North holds 50 pallets and South 40. Shop A needs 20 pallets, B needs 30 "
          "and C needs 25. Minimize the shipping cost.")


def routes() -> dict:
    arcs = {("north", "a"): 4, ("north", "b"): 6, ("south", "b"): 3, ("south", "c"): 5}
    return {"name": "routes",
            "sets": [{"name": "Depots", "elements": ["north", "south"]},
                     {"name": "Shops", "elements": ["a", "b", "c"]},
                     {"name": "Routes", "elements": [list(k) for k in arcs]}],
            "parameters": [
                {"name": "cost", "index": ["Routes"],
                 "values": [{"index": list(k), "value": v} for k, v in arcs.items()]},
                {"name": "supply", "index": ["Depots"], "values": [
                    {"index": ["north"], "value": 50}, {"index": ["south"], "value": 40}]},
                {"name": "demand", "index": ["Shops"], "values": [
                    {"index": ["a"], "value": 20}, {"index": ["b"], "value": 30},
                    {"index": ["c"], "value": 25}]}],
            "variables": [{"name": "ship", "index": ["Routes"]}],
            "constraints": [
                {"name": "supply_limit", "forall": "d in Depots",
                 "expression": "sum(ship[i, j] for (i, j) in Routes if i == d) <= supply[d]"},
                {"name": "meet_demand", "forall": "s in Shops",
                 "expression": "sum(ship[i, j] for (i, j) in Routes if j == s) >= demand[s]"}],
            "objective": {"sense": "minimize",
                          "expression": "sum(cost[i, j] * ship[i, j] for (i, j) in Routes)"}}


def test_a_variable_indexed_over_a_set_of_pairs():
    # A only from North (20 x 4), C only from South (25 x 5), South's other 15 to B (x 3),
    # B's other 15 from North (x 6): 80 + 125 + 45 + 90 = 340
    answer, _, system = solve(ROUTES, routes())
    assert "Variables indexed over a set of pairs" in system and "for (i, j) in Arcs" in system
    assert answer.objective == pytest.approx(340) and answer.usage.calls == 1
    assert answer.unexplained_numbers == []


# --------------------------------------------------------------------------- expressions over data
SHOP = ("A shop buys lamps and fans to resell. A lamp sells for $30 and costs $18; a fan sells "
        "for $45 and costs $29. The buying budget is $1,000 today, grows by 5% a year and is "
        "spent in 2 years. The shelf holds at most 40 items. Maximize profit.")


def shop() -> dict:
    return {"name": "shop",
            "sets": [{"name": "P", "elements": ["lamp", "fan"]}],
            "parameters": [
                {"name": "price", "index": ["P"], "values": [{"index": ["lamp"], "value": 30},
                                                            {"index": ["fan"], "value": 45}]},
                {"name": "cost", "index": ["P"], "values": [{"index": ["lamp"], "value": 18},
                                                           {"index": ["fan"], "value": 29}]},
                {"name": "budget", "value": 1000}, {"name": "growth", "value": 0.05}],
            "variables": [{"name": "buy", "index": ["P"], "domain": "integer"}],
            "constraints": [
                {"name": "money", "expression": "sum(cost[p] * buy[p] for p in P) <= (1 + growth) ** 2 * budget"},
                {"name": "shelf", "expression": "sum(buy[p] for p in P) <= 40"}],
            "objective": {"sense": "maximize",
                          "expression": "sum((price[p] - cost[p]) * buy[p] for p in P)"}}


def test_expressions_over_data():
    # budget 1102.5; profit 12 l + 16 f = 12 (l + f) + 4 f; with l + f = 40, 720 + 11 f <= 1102.5
    # gives f = 34, l = 6 -> 616 (l + f = 39 gives at most 612)
    answer, _, system = solve(SHOP, shop())
    assert "Expressions over data" in system and "(price[p] - cost[p]) * make[p]" in system
    assert answer.objective == pytest.approx(616) and answer.usage.calls == 1
    assert answer.unexplained_numbers == []


# --------------------------------------------------------------------------- priorities
CLINIC = ("A clinic staffs day and night shifts. A day nurse costs $200 per shift and a night "
          "nurse $260. At least 6 nurses are needed by day and 4 by night, and at most 12 can "
          "work in all. First minimize the cost; second, have as many night nurses as possible.")


def test_priorities_are_stated_in_order():
    # cost first: 6 x 200 + 4 x 260 = 2240
    f = {"name": "clinic",
         "assumptions": ["Goals in order: cost first, then night nurses."],
         "variables": [{"name": "day", "domain": "integer", "lower": 6},
                       {"name": "night", "domain": "integer", "lower": 4}],
         "constraints": [{"name": "total", "expression": "day + night <= 12"}],
         "objective": {"sense": "minimize", "expression": "200 * day + 260 * night"}}
    answer, _, system = solve(CLINIC, f)
    assert "Priorities" in system and "highest priority" in system
    assert answer.objective == pytest.approx(2240) and answer.usage.calls == 1


def test_the_prompt_says_how_to_report_an_infeasible_text():
    system = load_prompt("system")
    assert "as_stated" in system and "natural bound" in system
    assert '"as_stated": false' in load_prompt("formulate")  # the worked examples show the field
