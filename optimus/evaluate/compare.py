"""Compare two evaluation runs: which problems changed outcome (category or correctness).

Example::

    >>> a = [{"id": "p", "correct": False, "category": "infeasible"}]
    >>> b = [{"id": "p", "correct": True, "category": "correct"}]
    >>> c = compare_records(a, b)
    >>> [(x.id, x.before, x.after) for x in c.changed]
    [('p', 'infeasible', 'correct')]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimus.errors import UserError
from optimus.evaluate.report import load_records
from optimus.evaluate.runner import RESULTS, read_run_info


@dataclass
class Change:
    """One problem whose outcome differs between run A and run B."""

    id: str
    before: str
    after: str
    correct_before: bool | None
    correct_after: bool | None
    objective_before: float | None = None
    objective_after: float | None = None

    @property
    def direction(self) -> str:
        """``fixed``, ``broken`` or ``changed`` (both wrong, differently)."""
        if self.correct_after and not self.correct_before:
            return "fixed"
        if self.correct_before and not self.correct_after:
            return "broken"
        return "changed"


@dataclass
class Accuracy:
    correct: int
    scored: int

    @property
    def value(self) -> float | None:
        return self.correct / self.scored if self.scored else None

    def text(self) -> str:
        v = self.value
        return f"{self.correct}/{self.scored} ({'-' if v is None else f'{100 * v:.1f}%'})"


@dataclass
class Comparison:
    changed: list[Change] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    common: int = 0
    accuracy_a: Accuracy = field(default_factory=lambda: Accuracy(0, 0))
    accuracy_b: Accuracy = field(default_factory=lambda: Accuracy(0, 0))
    common_accuracy_a: Accuracy = field(default_factory=lambda: Accuracy(0, 0))
    common_accuracy_b: Accuracy = field(default_factory=lambda: Accuracy(0, 0))
    rule_a: str | None = None
    rule_b: str | None = None


def _accuracy(records: list[dict[str, Any]]) -> Accuracy:
    scored = [r for r in records if r.get("correct") is not None]
    return Accuracy(sum(1 for r in scored if r["correct"]), len(scored))


def compare_records(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> Comparison:
    """Problems present in both whose category or correctness differs, in A's order."""
    by_b = {r["id"]: r for r in b}
    ids_a = {r["id"] for r in a}
    out = Comparison(accuracy_a=_accuracy(a), accuracy_b=_accuracy(b))
    common_a, common_b = [], []
    for ra in a:
        rb = by_b.get(ra["id"])
        if rb is None:
            out.only_a.append(ra["id"])
            continue
        common_a.append(ra)
        common_b.append(rb)
        if (ra.get("category"), ra.get("correct")) != (rb.get("category"), rb.get("correct")):
            out.changed.append(Change(ra["id"], str(ra.get("category")), str(rb.get("category")),
                                      ra.get("correct"), rb.get("correct"),
                                      ra.get("objective"), rb.get("objective")))
    out.only_b = [r["id"] for r in b if r["id"] not in ids_a]
    out.common = len(common_a)
    out.common_accuracy_a = _accuracy(common_a)
    out.common_accuracy_b = _accuracy(common_b)
    return out


def compare_runs(dir_a: str | Path, dir_b: str | Path) -> Comparison:
    """Compare the results.jsonl of two run folders."""
    recs = []
    for d in (dir_a, dir_b):
        path = Path(d) / RESULTS
        if not path.exists():
            raise UserError(f"{path} not found.",
                            fix="Pass two folders written by `optimus eval --out DIR`.")
        recs.append(load_records(d))
    c = compare_records(recs[0], recs[1])
    c.rule_a = read_run_info(dir_a).get("rule")
    c.rule_b = read_run_info(dir_b).get("rule")
    return c
