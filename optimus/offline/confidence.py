"""How much to trust an offline formulation: a score in [0, 1] from typed doubts.

Each :class:`~optimus.offline.doubts.Doubt` lowers the score by the penalty of its
:class:`~optimus.offline.doubts.DoubtKind` (never by its wording). The penalties were set
by measuring accuracy per confidence band on the development sets (nl4opt_dev and
mamo_easy_clean_sirl; see the README), so a higher score means a higher chance that the
model matches the text.

    >>> from optimus.offline.doubts import DoubtKind, doubt
    >>> confidence([]), confidence([doubt(DoubtKind.NUMBERS_UNUSED, "numbers not used: 7")])
    (0.95, 0.6)
"""

from __future__ import annotations

from optimus.offline.doubts import DoubtKind as K

BASE = 0.95

PENALTIES: dict[K, float] = {
    K.NUMBERS_UNUSED: 0.35,
    K.UNPLACED_NUMBERS: 0.3,
    K.NEAR_TWO_VARIABLES: 0.3,
    K.TWO_DIRECTIONS: 0.3,
    K.OBJECTIVE_TWO_CANDIDATES: 0.3,
    K.OBJECTIVE_ITEM_COUNT: 0.1,
    K.NO_COEFFICIENT: 0.15,
    K.AMBIGUOUS_COEFFICIENTS: 0.15,
    K.NUMBERS_LEFT: 0.35,
    K.NO_CONSTRAINTS: 0.4,
    K.UNIT_ONLY: 0.1,
    K.READ_AS_TOTAL: 0.3,
    K.OBJECTIVE_LEFTOVER: 0.2,
    K.OBJECTIVE_SAME_SENTENCE: 0.05,
    K.LIMIT_SAME_SENTENCE: 0.05,
    K.OBJECTIVE_ONLY_MONEY: 0.2,
    K.OBJECTIVE_OPPOSITE: 0.3,
    K.ALWAYS_HOLDS: 0.3,
    K.NEVER_BOUNDED: 0.3,
    K.DIRECTION_INFERRED: 0.05,
    K.DOES_NOTHING: 0.3,
    # the independent account of the figures: half of the readings it flags on the
    # development sets are right, so it moves a reading to the band below, no further
    K.TEXT_NUMBER_UNUSED: 0.2,
    K.CONSTANT_NOT_IN_TEXT: 0.2,
    # each constraint against its sentence (evidence.clause_doubts): on the development
    # sets most readings it flags are wrong, so one flag moves a reading below the floor
    K.VARIABLE_DROPPED: 0.3,
    K.DIFFERENCE_UNSIGNED: 0.3,
    K.FORCED_ZERO: 0.3,
    # flags 0 right and 2 wrong answered readings on the development sets
    K.VARIABLE_UNNAMED: 0.3,
    K.LIMIT_AS_COEFFICIENT: 0.3,  # flags 0 right and 1 wrong
    K.SIGN_NOT_IN_TEXT: 0.3,  # flags 0 right and 1 wrong
    # flags 7 answered readings on the development sets: 2 wrong answers, and 5 whose
    # optimum is right by chance though a constraint is misread ("nurse + doctor <= 56"
    # from "1 nurse and 3 doctors cannot exceed 60 hours")
    K.FIGURE_DROPPED: 0.3,
    # another reading of a clause changes the optimum (reader.solve_offline): 16 right and
    # 4 wrong answered readings flagged on mamo_easy, 80%: one band down, not below the floor
    K.READINGS_COMPETE: 0.1,
    K.RULE_FAILED: 1.0,
}
UNTYPED_PENALTY = 0.05  # a plain-text note (no kind): a small doubt


#: kinds that are one piece of evidence together (the figures' account): counted once
ONCE = {K.TEXT_NUMBER_UNUSED, K.CONSTANT_NOT_IN_TEXT}


def confidence(notes: list, base: float = BASE) -> float:
    """Score in [0, 1]: ``base`` minus the penalty of each doubt's kind (the kinds of
    :data:`ONCE` together count as their largest penalty)."""
    score = base
    once = 0.0
    for note in notes:
        kind = getattr(note, "kind", None)
        if kind in ONCE:
            once = max(once, PENALTIES[kind])
            continue
        score -= PENALTIES[kind] if kind is not None else UNTYPED_PENALTY
    return max(0.0, min(1.0, round(score - once, 3)))
