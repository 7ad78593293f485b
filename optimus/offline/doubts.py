"""Typed evidence against a reading: what the reader doubted, and what the checks found.

Every doubt has a :class:`DoubtKind`; the confidence of a reading is computed from the
kinds (:func:`optimus.offline.confidence.confidence`), never from the wording. A
:class:`Doubt` is also the sentence shown to the user (it is a ``str``), so notes read
as before:

    >>> d = doubt(DoubtKind.NUMBERS_UNUSED, "numbers not used: 320")
    >>> d.kind, str(d)
    (<DoubtKind.NUMBERS_UNUSED: 'numbers_unused'>, 'numbers not used: 320')
"""

from __future__ import annotations

from optimus._compat import StrEnum

__all__ = ["DoubtKind", "Doubt", "doubt"]


class DoubtKind(StrEnum):
    """Closed set of reasons to doubt a reading (each has a penalty in ``confidence``)."""

    # what the reader doubted while reading
    NUMBERS_UNUSED = "numbers_unused"  # per-item figures no constraint or objective took
    UNPLACED_NUMBERS = "unplaced_numbers"  # a constraint sentence with numbers left over
    NEAR_TWO_VARIABLES = "near_two_variables"  # a figure that could belong to either
    TWO_DIRECTIONS = "two_directions"  # maximize and minimize both stated
    OBJECTIVE_TWO_CANDIDATES = "objective_two_candidates"
    OBJECTIVE_ITEM_COUNT = "objective_item_count"  # the objective read as the sum of variables
    NO_COEFFICIENT = "no_coefficient"  # a limit with no figure for some variables
    AMBIGUOUS_COEFFICIENTS = "ambiguous_coefficients"
    NUMBERS_LEFT = "numbers_left"  # numbers of the text no rule consumed
    NO_CONSTRAINTS = "no_constraints"
    UNIT_ONLY = "unit_only"  # a limit tied to its figures by the unit alone
    READ_AS_TOTAL = "read_as_total"  # a limit read as a total of all variables
    OBJECTIVE_LEFTOVER = "objective_leftover"  # the objective from figures no limit used
    OBJECTIVE_SAME_SENTENCE = "objective_same_sentence"
    LIMIT_SAME_SENTENCE = "limit_same_sentence"
    OBJECTIVE_ONLY_MONEY = "objective_only_money"
    OBJECTIVE_OPPOSITE = "objective_opposite"  # cost goal over return figures, or the reverse
    ALWAYS_HOLDS = "always_holds"  # a constraint true for every non-negative point
    NEVER_BOUNDED = "never_bounded"  # an expression defined and never bounded
    DIRECTION_INFERRED = "direction_inferred"  # "the best plan": direction from the figures
    DOES_NOTHING = "does_nothing"  # the optimum is all zeros
    # what the checks of the finished formulation found (optimus.offline.evidence)
    TEXT_NUMBER_UNUSED = "text_number_unused"  # a figure of the text nowhere in the model
    CONSTANT_NOT_IN_TEXT = "constant_not_in_text"  # a constant of the model not in the text
    # each constraint against the sentence part it was read from (evidence.clause_doubts)
    VARIABLE_DROPPED = "variable_dropped"  # the sentence names more variables than kept
    DIFFERENCE_UNSIGNED = "difference_unsigned"  # "the difference between" read with no minus
    FORCED_ZERO = "forced_zero"  # a constraint x <= 0
    VARIABLE_UNNAMED = "variable_unnamed"  # the constraint spreads over variables its sentence never names
    LIMIT_AS_COEFFICIENT = "limit_as_coefficient"  # "30 units combined of Y and Z" taken as a coefficient
    SIGN_NOT_IN_TEXT = "sign_not_in_text"  # a negative limit from a sentence with no word for less
    FIGURE_DROPPED = "figure_dropped"  # a figure of the sentence part that none of its constraints uses
    # what solving other readings of the text found (reader.solve_offline)
    READINGS_COMPETE = "readings_compete"  # another plausible reading has another optimum
    RULE_FAILED = "rule_failed"  # a rule raised an error: the reading is abandoned


class Doubt(str):
    """A note shown to the user, with its :class:`DoubtKind`."""

    kind: DoubtKind

    def __new__(cls, kind: DoubtKind, text: str) -> "Doubt":
        obj = super().__new__(cls, text)
        obj.kind = kind
        return obj

    def __reduce__(self):  # pickling keeps the kind
        return (Doubt, (self.kind, str(self)))


def doubt(kind: DoubtKind, text: str) -> Doubt:
    """A doubt of ``kind`` that reads ``text``."""
    return Doubt(kind, text)
