"""Number grounding: numbers read the way the text writes them; labels, years, times,
enumerators and identifiers are not data; a second call only for data, quoting its sentence."""

from __future__ import annotations

import pytest

from optimus.agent.grounding import NumberKind, read_numbers, text_numbers, unexplained_numbers
from optimus.agent.langchain_model import LangChainModel, RetryPolicy
from optimus.agent.loop import Agent
from optimus.formulation import Formulation
from optimus.testing import ScriptedChatModel, reply


def agent_for(responses: list) -> tuple[Agent, ScriptedChatModel]:
    fake = ScriptedChatModel(responses=responses)
    return Agent(LangChainModel(fake, retry=RetryPolicy(sleep=lambda s: None))), fake


def values(text: str) -> list[float]:
    return [tn.value for tn in text_numbers(text)]


# --------------------------------------------------------------------------- a text with labels
PRESS = ("A print shop follows the schedule of Table 3.1 (the method was proposed in 1959) and "
         "runs its press in the evening shift, 18:00-22:00. A poster earns $4 and a flyer $3. "
         "A poster takes 2 minutes of press time and a flyer 1 minute; the shift has 240 "
         "minutes. At most 100 posters sell. Maximize profit.")


def press() -> dict:
    return {"name": "press",
            "variables": [{"name": "posters", "domain": "integer"},
                          {"name": "flyers", "domain": "integer"}],
            "constraints": [{"name": "press_time", "expression": "2 * posters + flyers <= 240"},
                            {"name": "poster_sales", "expression": "posters <= 100"}],
            "objective": {"sense": "maximize", "expression": "4 * posters + 3 * flyers"}}


def test_a_text_with_a_table_label_a_year_and_a_clock_time_makes_one_call():
    agent, fake = agent_for([press(), press()])
    answer = agent.solve(PRESS)
    assert answer.status == "optimal" and answer.objective == pytest.approx(720)
    assert answer.usage.calls == 1 and fake.remaining == 1
    assert answer.unexplained_numbers == []
    kinds = {tn.text: tn.kind for tn in read_numbers(PRESS)}
    assert kinds["3.1"] == NumberKind.LABEL and kinds["1959"] == NumberKind.YEAR
    assert kinds["18"] == NumberKind.TIME and kinds["22"] == NumberKind.TIME
    assert values(PRESS) == [4.0, 3.0, 2.0, 240.0, 100.0]


# --------------------------------------------------------------------------- a pasted CSV table
GEMS = ("We set three kinds of stone. The data, pasted from our sheet:\n"
        "setting,profit,hours,demand\n"
        "Diamond 1,12000,30,4\n"
        "Ruby 2,1500,6,20\n"
        "Opal,900,4,35\n"
        "The workshop has 400 hours this month. How many of each maximize profit?")


def gems() -> dict:
    rows = {"diamond_1": (12000, 30, 4), "ruby_2": (1500, 6, 20), "opal": (900, 4, 35)}

    def table(name: str, col: int) -> dict:
        return {"name": name, "index": ["S"],
                "values": [{"index": [k], "value": v[col]} for k, v in rows.items()]}

    return {"name": "gems", "sets": [{"name": "S", "elements": list(rows)}],
            "parameters": [table("profit", 0), table("hours", 1), table("demand", 2),
                           {"name": "capacity", "value": 400}],
            "variables": [{"name": "make", "index": ["S"], "domain": "integer"}],
            "constraints": [{"name": "hours_limit",
                             "expression": "sum(hours[s] * make[s] for s in S) <= capacity"},
                            {"name": "sales", "forall": "s in S", "expression": "make[s] <= demand[s]"}],
            "objective": {"sense": "maximize", "expression": "sum(profit[s] * make[s] for s in S)"}}


def test_a_pasted_csv_table_whose_cells_are_all_used_makes_one_call():
    agent, fake = agent_for([gems(), gems()])
    answer = agent.solve(GEMS)
    assert answer.status == "optimal"
    assert answer.usage.calls == 1 and fake.remaining == 1
    assert answer.unexplained_numbers == []
    # each cell is one number: never "1,120" or "2,1500" joined through a separator
    assert sorted(values(GEMS)) == sorted([12000.0, 30.0, 4.0, 1500.0, 6.0, 20.0, 900.0, 35.0,
                                           400.0])
    ids = [tn for tn in read_numbers(GEMS) if tn.kind == NumberKind.IDENTIFIER]
    assert [tn.text for tn in ids] == ["1", "2"]  # "Diamond 1", "Ruby 2": labels of rows


def test_csv_rows_are_cells_not_thousands():
    text = "Each order line:\nitem,qty\n1,1500\n4,120\n90,100\nShip them all."
    assert sorted(values(text)) == [4.0, 90.0, 100.0, 120.0, 1500.0]


def test_markdown_table_cells_and_header():
    text = ("| plant | 2024 capacity | cost |\n|---|---:|---:|\n| North | 1,500 | 3 |\n"
            "| South | 2,000 | 4 |\nMinimize the cost of making 2,500 units.")
    assert sorted(values(text)) == [3.0, 4.0, 1500.0, 2000.0, 2500.0]
    header = [tn for tn in read_numbers(text) if tn.text == "2024"]
    assert header and header[0].kind == NumberKind.LABEL


def test_prose_thousands_and_neighbours():
    assert values("It costs $1,250.50 and 30% more.") == [1250.5, 30.0]
    # a digit after three digits: not a thousands group ("1,12000" is 1 and 12000)
    assert values("Grades 3,12000 apart") == [3.0, 12000.0]


@pytest.mark.parametrize("text, kind", [
    ("See Figure 2 for the layout and 5 workers.", NumberKind.LABEL),
    ("As given in Table 1-18, each crate holds 5 units.", NumberKind.LABEL),
    ("Since 2015 the firm employs 5 people.", NumberKind.YEAR),
    ("On 2024-03-15 we ship 5 crates.", NumberKind.DATE),
    ("By March 15 we ship 5 crates.", NumberKind.DATE),
    ("Open from 9 am to 6 pm with 5 clerks.", NumberKind.TIME),
    ("The 3rd truck carries 5 crates.", NumberKind.ENUMERATOR),
    ("(1) Ship 5 crates. (2) Ship 7 boxes.", NumberKind.ENUMERATOR),
    ("Type 2 machines make 5 parts per hour.", NumberKind.IDENTIFIER),
    ("Route 3 and Route 4 carry 5 trucks each.", NumberKind.IDENTIFIER),
    ("Variables x3 and y-4 hold 5 units.", NumberKind.IDENTIFIER),
])
def test_numbers_that_are_not_data(text, kind):
    found = read_numbers(text)
    assert any(tn.kind == kind for tn in found), [(tn.text, tn.kind) for tn in found]
    assert 5.0 in values(text)  # the data number stays data
    assert all(v in (5.0, 7.0) for v in values(text)), values(text)


@pytest.mark.parametrize("text, number", [
    ("The total budget is 2000.", 2000.0),  # a number in the year range, no year cue
    ("Ship 300 cases to the store.", 300.0),  # a head word used as a verb
    ("Each machine 8 hours a day.", 8.0),  # a head word before a unit
    ("A costs 5 and B costs 7.", 7.0),
    ("Packed in 1999 crates.", 1999.0),
])
def test_data_stays_data(text, number):
    assert number in values(text)


def test_a_count_equal_to_a_sets_size_is_used():
    f = Formulation.model_validate({
        "sets": [{"name": "Farms", "elements": ["a", "b", "c", "d"]}],
        "variables": [{"name": "x", "index": ["Farms"], "upper": 9}],
        "objective": {"sense": "maximize", "expression": "sum(x[i] for i in Farms)"}})
    assert unexplained_numbers("Our 4 farms may each grow at most 9 acres.", f) == []
    assert unexplained_numbers("Our 5 farms may each grow at most 9 acres.", f) == [5.0]


def test_the_second_call_quotes_each_numbers_sentence():
    text = PRESS + " Shipping costs 7.5 per box."
    explained = reply(press(), reason="Shipping is paid by the customer.")
    agent, fake = agent_for([press(), explained])
    answer = agent.solve(text)
    assert answer.usage.calls == 2
    sent = fake.received[1][-1].content
    assert '7.5: "Shipping costs 7.5 per box."' in sent
    assert "3.1" not in sent.split("What the checker/solver found:")[-1]  # labels not asked about
    assert answer.unexplained_numbers == []
    assert "Shipping is paid" in (answer.message or "")
