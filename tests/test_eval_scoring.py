"""Scoring rules (the README's evaluation section), and the categories."""

from __future__ import annotations

import pytest

from optimus.evaluate.categories import categorize
from optimus.evaluate.formats import Problem
from optimus.evaluate.report import summarize
from optimus.evaluate.runner import make_record
from optimus.evaluate.scoring import matches, score
from optimus.answer import Answer


# ------------------------------------------------------------------ relative rule
@pytest.mark.parametrize("obj, ref, ok", [
    (100.0, 100.0, True),
    (100.0051, 100.0, True),        # tolerance max(1e-4 * 100, 0.0051) = 0.01
    (100.0099, 100.0, True),        # within 1e-4 * 100 = 0.01
    (100.0101, 100.0, False),
    (99.9899, 100.0, False),
    (1e6 + 99.0, 1e6, True),        # 1e-4 * 1e6 = 100
    (1e6 + 101.0, 1e6, False),
    (12.345, 12.35, True),          # reference rounded to 2 decimals: 0.005 <= 0.0051
    (12.344, 12.35, False),         # 0.006 > 0.0051
    (0.005, 0.0, True),             # zero reference: absolute floor only
    (0.0052, 0.0, False),
    (-0.005, 0.0, True),
    (-250.02, -250.0, True),        # negative reference: |ref| used
    (-250.03, -250.0, False),
])
def test_relative_rule_edges(obj: float, ref: float, ok: bool) -> None:
    assert matches(obj, ref, "relative") is ok


# ------------------------------------------------------------------ orlm rule
@pytest.mark.parametrize("obj, ref, ok", [
    (104.9, 100.0, True),           # 105 vs 100: exactly 5%
    (105.4, 100.0, True),           # rounds to 105
    (105.6, 100.0, False),          # rounds to 106: 6%
    (95.0, 100.0, True),
    (94.4, 100.0, False),
    (0.4, 0.0, True),               # both round to 0
    (0.6, 0.0, False),              # rounds to 1 > 0.05
    (0.0, 0.3, True),               # reference rounds to 0 too
    (-0.4, 0.0, True),
    (2.4, 2.0, True),               # 2 vs 2
    (2.6, 2.0, False),              # 3 vs 2: 50%
])
def test_orlm_rule_edges(obj: float, ref: float, ok: bool) -> None:
    assert matches(obj, ref, "orlm") is ok


def test_rules_differ_where_expected() -> None:
    assert matches(103.0, 100.0, "orlm") and not matches(103.0, 100.0, "relative")


def test_unknown_rule() -> None:
    with pytest.raises(ValueError, match="relative"):
        matches(1.0, 1.0, "exact")


def test_nan_objective_never_matches() -> None:
    assert not matches(float("nan"), 1.0)


# ------------------------------------------------------------------ null references
@pytest.mark.parametrize("status", ["infeasible", "unbounded", "infeasible_or_unbounded"])
@pytest.mark.parametrize("rule", ["relative", "orlm"])
def test_null_reference_matched_by_no_solution_statuses(status: str, rule: str) -> None:
    assert score(status, None, None, rule=rule).correct is True


@pytest.mark.parametrize("status, obj", [("optimal", 0.0), ("error", None),
                                         ("abstained", None), ("provider_error", None),
                                         ("time_limit_no_solution", None)])
def test_null_reference_not_matched_otherwise(status: str, obj: float | None) -> None:
    assert score(status, obj, None).correct is False


def test_numeric_reference_not_matched_by_infeasible() -> None:
    assert score("infeasible", None, 10.0).correct is False


def test_objective_only_counts_with_a_solution() -> None:
    # an error status carrying a stale objective is not an answer
    assert score("error", 10.0, 10.0).correct is False
    assert score("time_limit_feasible", 10.0, 10.0).correct is True


# ------------------------------------------------------------------ unknown rows and alternatives
def test_unknown_rows_not_scored() -> None:
    s = score("optimal", 5.0, None, answer_unknown=True)
    assert s.scored is False and s.correct is None


def test_alt_answers_count_and_are_flagged() -> None:
    s = score("optimal", 888.888889, 880.0, [888.888889])
    assert s.correct is True and s.alt_match is True
    s = score("optimal", 880.0, 880.0, [888.888889])
    assert s.correct is True and s.alt_match is False
    assert score("optimal", 500.0, 880.0, [888.888889]).correct is False


def _rec(p: Problem, status: str, obj: float | None) -> dict:
    return make_record(p, Answer(status=status, objective=obj), "relative")


def test_summary_denominator_excludes_unknown_and_reports_alt() -> None:
    probs = [
        Problem("a", "q", 10.0),
        Problem("b", "q", 880.0, {"alt_answers": [888.888889]}),
        Problem("c", "q", None),
        Problem("d", "q", None, {"answer_unknown": True}),
        Problem("e", "q", 5.0),
    ]
    recs = [_rec(probs[0], "optimal", 10.0), _rec(probs[1], "optimal", 888.888889),
            _rec(probs[2], "infeasible", None), _rec(probs[3], "optimal", 1.0),
            _rec(probs[4], "optimal", 6.0)]
    assert [r["category"] for r in recs] == ["correct", "correct", "correct", "unscored",
                                              "wrong_objective"]
    s = summarize(recs, {"rule": "relative", "file": "x.jsonl"})
    assert s["scored"] == 4 and s["excluded_unknown"] == 1
    assert s["correct"] == 3 and s["correct_via_alt_answers"] == 1
    assert s["accuracy"] == pytest.approx(0.75)
    assert s["accuracy_without_alt_answers"] == pytest.approx(0.5)


# ------------------------------------------------------------------ categories
@pytest.mark.parametrize("status, correct, kind, expected", [
    ("optimal", True, None, "correct"),
    ("optimal", False, None, "wrong_objective"),
    ("infeasible", False, None, "infeasible"),
    ("unbounded", False, None, "unbounded"),
    ("infeasible_or_unbounded", False, "unbounded", "unbounded"),
    ("infeasible_or_unbounded", False, "infeasible", "infeasible"),
    ("error", False, "invalid", "invalid_formulation"),
    ("invalid_formulation", False, None, "invalid_formulation"),
    ("abstained", False, None, "abstained"),
    ("not_optimization", False, None, "abstained"),
    ("provider_error", False, None, "provider_error"),
    ("provider_error", None, None, "provider_error"),
    ("timeout", False, None, "timeout"),
    ("time_limit_no_solution", False, None, "timeout"),
    ("optimal", None, None, "unscored"),
])
def test_categories(status: str, correct: bool | None, kind: str | None, expected: str) -> None:
    assert categorize(status, correct, diagnosis_kind=kind) == expected


def test_internal_error_category() -> None:
    assert categorize("error", False, error=True) == "error"
