"""How much to trust an offline formulation: a score in [0, 1] from what was doubtful.

Each doubt the reader or builder recorded lowers the score by a fixed amount; the amounts
were set by measuring accuracy per band on the development sets (see the README), so a
higher score means a higher chance that the model matches the text.
"""

from __future__ import annotations

PENALTIES: list[tuple[str, float]] = [
    ("numbers not used", 0.35),
    ("unplaced numbers", 0.3),
    ("a number near two variables", 0.3),
    ("two objective directions", 0.3),
    ("objective: two candidate", 0.3),
    ("objective: the number of items", 0.1),
    ("no coefficient for some variables", 0.15),
    ("ambiguous coefficients", 0.15),
    ("numbers left in the text", 0.35),
    ("no constraints", 0.4),
    ("matched by its unit only", 0.1),
    ("read as a total of all variables", 0.3),
    ("objective: the figures left over", 0.2),
    ("objective: a coefficient taken from the same sentence", 0.05),
    ("objective: the only money figures", 0.2),
    ("objective: the figures measure the opposite", 0.3),
    ("a constraint that always holds", 0.3),
    ("defined but never bounded", 0.3),
]


def confidence(notes: list[str], base: float = 0.95) -> float:
    """Score in [0, 1]: ``base`` minus a penalty for each doubt noted."""
    score = base
    for note in notes:
        for key, pen in PENALTIES:
            if key in note:
                score -= pen
                break
        else:
            score -= 0.05
    return max(0.0, min(1.0, round(score, 3)))
