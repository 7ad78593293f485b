"""Precision rules of the offline reader: each rule on our own short texts (never benchmark
texts): a text it must read right, and where it applies, a text that must carry a doubt."""

from __future__ import annotations

import pytest

from optimus.offline import formulate_offline

_SHOP = "A depot stocks X, Y and Z. Storing costs $4 for X, $6 for Y and $9 for Z per unit. "


def _cons(text: str) -> list[str]:
    r = formulate_offline(text)
    assert r.formulation is not None, r.reason
    return [c.expression for c in r.formulation.constraints]


@pytest.mark.parametrize("clause", [
    "The difference between X and Y added with Z must be at least 12 units.",
    "The difference in stock between X and Y along with the stock of Z must be at least 12 units.",
    "The difference between X and Y plus Z must be at least 12 units.",
])
def test_difference_then_a_plus_word_adds_the_third(clause):
    assert _cons(_SHOP + clause + " Minimize the total cost.") == ["X - Y + Z >= 12"]


def test_difference_of_one_against_two_subtracts_both():
    text = _SHOP + ("The difference between X and the stock of Y and Z combined must be at "
                    "least 12 units. Minimize the total cost.")
    assert _cons(text) == ["X - Y - Z >= 12"]


@pytest.mark.parametrize("clause, expected", [
    ("The total number of X and Y, counted as 1.5 times X plus twice Y, must be at least 30.",
     "1.5*X + 2*Y >= 30"),
    ("The weighted count of the X and Y units, with weights of 0.6 for X and 0.4 for Y, "
     "must be at least 30.", "0.6*X + 0.4*Y >= 30"),
])
def test_figures_restating_plain_mentions_replace_them(clause, expected):
    text = ("A builder makes X and Y. X costs $40 and Y costs $70 per unit. " + clause
            + " Minimize the total cost.")
    assert _cons(text) == [expected]


def test_plain_mentions_without_a_restatement_keep_their_one():
    text = ("A builder makes X and Y. X costs $40 and Y costs $70 per unit. "
            "X plus twice Y must be at least 30. Minimize the total cost.")
    assert _cons(text) == ["X + 2*Y >= 30"]


def test_difference_first_term_plus_another_then_minus():
    text = _SHOP + ("The difference between X, plus the stock of Z, minus the stock of Y must "
                    "equal 12 units. Minimize the total cost.")
    assert _cons(text) == ["X - Y + Z == 12"]


def test_plain_difference_of_two_is_a_gap_either_way():
    text = _SHOP + "The difference between X and Y must not exceed 12 units. Minimize the total cost."
    assert _cons(text) == ["X - Y <= 12", "-X + Y <= 12"]


@pytest.mark.parametrize("clause, expected", [
    ("The difference between twice X and Y must not exceed 12 units.", ["2*X - Y <= 12"]),
    ("The difference between X and the stock of Y and Z combined must not exceed 12 units.",
     ["X - Y - Z <= 12"]),
])
def test_weighted_or_several_term_difference_is_read_in_text_order(clause, expected):
    assert _cons(_SHOP + clause + " Minimize the total cost.") == expected


def _kinds(text: str) -> list[str]:
    return [getattr(n, "kind", None) and n.kind.value for n in formulate_offline(text).notes]


def test_percent_written_in_words_is_a_percentage():
    text = ("A kiosk sells X and Y. X earns $3 and Y earns $5 per unit. At most 40 units can be "
            "sold in total. X must be at least seventy percent of Y. Maximize the profit.")
    assert "X - 0.7*Y >= 0" in _cons(text)


_EFFECT = ("An agency splits its budget between channels X and Y. The total budget for both "
           "channels combined cannot exceed $900. Each unit of reach through channel X costs "
           "$30, while each unit through channel Y costs $45. ")


def test_maximize_over_figures_said_to_be_costs_is_doubted():
    kinds = _kinds(_EFFECT + "The agency aims to maximize the total reach.")
    assert "objective_opposite" in kinds


def test_maximize_over_returns_is_not_doubted():
    text = ("An agency splits its budget between channels X and Y. The total budget for both "
            "channels combined cannot exceed $900. Each unit in channel X returns $30, while "
            "each unit in channel Y returns $45. The agency aims to maximize the total return.")
    assert "objective_opposite" not in _kinds(text)


def test_maximize_a_count_over_costly_items_is_not_doubted():
    text = ("A club runs radio ads and posters. A radio ad costs $500 and reaches 9000 people; "
            "a poster costs $100 and reaches 1500 people. The budget is $6000. "
            "How many of each should it buy to maximize the number of people reached?")
    assert "objective_opposite" not in _kinds(text)


_LAB = ("A lab funds projects X1, X2, X3 and X4. Each unit costs $5 for X1, $6 for X2, $7 for X3 "
        "and $8 for X4. The combined funding of X1 and X2 cannot exceed 300 units. {} The "
        "combined funding of X3 and X4 must be at least 100 units. Minimize the total cost.")


def test_constraint_spread_over_unnamed_variables_abstains():
    r = formulate_offline(_LAB.format("Funding for project X1 can't exceed half of that given "
                                      "to project X3."))
    assert "variable_unnamed" in [n.kind.value for n in r.notes]
    assert r.confidence < 0.7


def test_constraints_on_the_variables_they_name_carry_no_doubt():
    r = formulate_offline(_LAB.format("Funding for project X1 can't exceed 40 units."))
    assert "variable_unnamed" not in [n.kind.value for n in r.notes]
    assert r.confidence >= 0.9


_GAP = ("A depot stocks X and Y. Storing costs $4 for X and $6 for Y per unit. At least 40 "
        "units must be stocked in total. {} Minimize the total cost.")


def test_a_gap_whose_reading_changes_the_optimum_carries_the_doubt():
    from optimus.offline import solve_offline

    a = solve_offline(_GAP.format("The difference between Y and X must not exceed 12 units."))
    assert a.status == "optimal" and a.objective == pytest.approx(188)
    assert a.confidence == pytest.approx(0.85)
    assert "read the other way gives 160" in (a.message or "")


def test_a_gap_whose_reading_does_not_matter_carries_no_doubt():
    from optimus.offline import solve_offline

    a = solve_offline(_GAP.format("The difference between X and Y must not exceed 12 units."))
    assert a.status == "optimal" and a.objective == pytest.approx(188)
    assert a.confidence == pytest.approx(0.95)


def test_an_abstention_below_the_floor_after_solving_names_the_doubt():
    from optimus.offline import solve_offline

    a = solve_offline(_GAP.format("The difference between Y and X must not exceed 12 units."),
                      min_confidence=0.9)
    assert a.status == "abstained" and "read the other way" in (a.message or "")


def test_a_variable_named_twice_in_one_clause_counts_once():
    text = _SHOP + ("The depot wants X to stay well stocked, so the difference between the stock "
                    "of X and the stock of Z must be at least 10 units. Minimize the total cost.")
    assert _cons(text) == ["X - Z >= 10"]


_PLOT = ("A grower plants beans, peas, kale and leeks. Each unit costs $3 for beans, $2 for peas, "
         "$4 for kale and $1 for leeks. {} At least 25 units combined of beans and kale must be "
         "planted. At least 10 units combined of peas and leeks must be planted. Minimize the "
         "total cost.")


def test_a_limit_of_several_things_taken_as_a_coefficient_abstains():
    r = formulate_offline(_PLOT.format("The plot holds up to 60 units combined of beans and "
                                       "peas, and 40 units combined of kale and leeks."))
    assert "limit_as_coefficient" in [n.kind.value for n in r.notes]
    assert r.confidence < 0.7


def test_limits_of_several_things_in_their_own_sentences_carry_no_doubt():
    r = formulate_offline(_PLOT.format("The plot holds up to 60 units combined of beans and "
                                       "peas. It holds up to 40 units combined of kale and leeks."))
    assert [c.expression for c in r.formulation.constraints][:2] == ["bean + pea <= 60",
                                                                     "kale + leek <= 40"]
    assert "limit_as_coefficient" not in [n.kind.value for n in r.notes]


@pytest.mark.parametrize("clause, expected", [
    ("X should get no more than 10 units less than Z.", "X - Z >= -10"),
    ("X needs at least 20 fewer units than Z.", "X - Z <= -20"),
    ("X cannot exceed 10 less than 2 times Z.", "X - 2*Z <= -10"),
    ("X must be at least 10 more than Z.", "X - Z >= 10"),
])
def test_a_bound_on_how_much_less_bounds_the_gap(clause, expected):
    text = _SHOP + "At least 50 units must be stocked in total. " + clause + " Minimize the total cost."
    assert _cons(text)[1] == expected


def _one_constraint(expression: str, description: str):
    from optimus.formulation import Formulation

    return Formulation.model_validate({
        "variables": [{"name": "X"}, {"name": "Z"}],
        "constraints": [{"name": "c", "expression": expression, "description": description}],
        "objective": {"sense": "minimize", "expression": "4*X + 9*Z"}})


def test_a_negative_limit_the_sentence_never_states_is_doubted():
    from optimus.offline.evidence import clause_doubts

    f = _one_constraint("-X + 2*Z <= -15", "twice Z can be subtracted from X within a cap of 15")
    assert [d.kind.value for d in clause_doubts(f)] == ["sign_not_in_text"]


@pytest.mark.parametrize("expression, description", [
    ("X - Z <= -10", "X must be at least 10 less than Z"),
    ("X - Z >= -10", "the loss on X over Z may reach 10"),
    ("X + Z >= 15", "X and Z together must reach 15"),
])
def test_a_negative_limit_with_a_word_for_less_or_a_positive_one_is_not(expression, description):
    from optimus.offline.evidence import clause_doubts

    assert "sign_not_in_text" not in [d.kind.value for d in clause_doubts(_one_constraint(expression, description))]


_HIRES = ("A firm hires for positions X and Y. Each X costs $50 and each Y costs $40. The "
          "total number of new hires cannot exceed 10. Position X requires a minimum of 3 "
          "hires. {} Minimize the total cost.")


@pytest.mark.parametrize("clause", [
    "The maximum number of hires for position X is 7 and for position Y it's 8.",
    "The maximum number of hires for position X is 7 and for position Y it\u2019s 8.",
    "The maximum number of hires for position X is 7 and for position Y it is 8.",
])
def test_a_pronoun_is_contraction_reads_as_is(clause):
    assert _cons(_HIRES.format(clause))[2:] == ["X <= 7", "Y <= 8"]


_WOOD = ("A shop makes tables and chairs. Each table takes 30 minutes of woodworker time and "
         "each chair takes 40 minutes of woodworker time. The shop has 4000 minutes of "
         "woodworker time available. {} The profit per table is $50 and the profit per chair "
         "is $60. How many of each should be made to maximize profit?")


@pytest.mark.parametrize("clause, mult", [
    ("The shop must make at least thrice the number of chairs as tables.", 3),
    ("Since chairs are popular, the shop must make at least twice the number of chairs as tables.", 2),
])
def test_times_the_number_of_a_as_b_is_a_multiple(clause, mult):
    assert _cons(_WOOD.format(clause))[1:] == [f"-{mult}*table + chair >= 0"]


def test_a_figure_after_approximately_is_data_not_rounding():
    text = ("A workshop makes sofas and cabinets. Each sofa earns $400 and each cabinet $1200. "
            "Every week, 100 gallons of lacquer and 300 lengths of oak are available. Each "
            "sofa requires approximately 3 gallons of lacquer and 10 lengths of oak. Each "
            "cabinet takes 10 gallons of lacquer and 24 lengths of oak. How many of each "
            "should it make to maximize profit?")
    assert _cons(text) == ["3*sofa + 10*cabinet <= 100", "10*sofa + 24*cabinet <= 300"]


@pytest.mark.parametrize("clause, expected", [
    ("The combined hours worked by 1 nurse and 3 doctors cannot exceed 60 hours.",
     "nurse + 3*doctor <= 60"),
    ("The care delivered by 5 units of nurse time and 10 units of doctor time must be at "
     "least 100.", "5*nurse + 10*doctor >= 100"),
])
def test_figures_after_by_that_count_a_variable_are_coefficients(clause, expected):
    text = ("A clinic staffs nurses and doctors. A nurse costs $30 per hour and a doctor $80 "
            f"per hour. {clause} Minimize the total cost.")
    assert _cons(text) == [expected]


def test_a_gap_after_by_stays_a_constant():
    text = ("A clinic staffs nurses and doctors. A nurse costs $30 per hour and a doctor $80 "
            "per hour. At least 20 nurses or doctors must be hired. The number of nurses must exceed the "
            "number of doctors by 4. Minimize the total cost.")
    assert "nurse - doctor >= 4" in _cons(text)


def test_a_figure_of_its_sentence_that_the_constraint_drops_is_doubted():
    from optimus.formulation import Formulation
    from optimus.offline.evidence import clause_doubts

    f = Formulation.model_validate({
        "variables": [{"name": "nurse"}, {"name": "doctor"}],
        "constraints": [{"name": "c", "expression": "nurse + doctor <= 56",
                         "description": "the hours worked by 1 nurse and 3 doctors cannot exceed 60"}],
        "objective": {"sense": "minimize", "expression": "30*nurse + 80*doctor"}})
    assert [d.kind.value for d in clause_doubts(f)] == ["figure_dropped"]
    g = f.model_copy(update={"constraints": [f.constraints[0].model_copy(
        update={"expression": "nurse + 3*doctor <= 60"})]})
    assert clause_doubts(g) == []
