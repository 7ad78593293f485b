"""The word rules of the offline reader: each registered rule's examples run here (issue 14).

An example is a sentence read between two sentences that name the variables; the rule must
fire on it and emit exactly the clauses the example lists (``rules.render``).
"""

from __future__ import annotations

import ast
import dataclasses
import doctest
from pathlib import Path

import pytest

import optimus.offline.parse  # noqa: F401 - registers the rules
import optimus.offline.rules as rules_module
from optimus.offline import formulate_offline
from optimus.offline.doubts import DoubtKind
from optimus.offline.normalize import normalize
from optimus.offline.reader import read_words
from optimus.offline.rules import ORDER, Example, RuleKind, registry, render, rule

RULES = registry()
BAKERY = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
          "needs 1 hour; 40 hours of oven time are available. At most 15 cakes can be sold. "
          "Each cake earns $30 and each pie $12. How many cakes and pies should it bake to "
          "maximize profit?")


def read_example(ex: Example) -> tuple[list[str], list[str]]:
    """The rules that fired on the example's sentences, and what each emitted (rendered)."""
    text = f"A company makes {ex.variables}. {ex.text} How many {ex.variables} should it make?"
    got = read_words(normalize(text))
    assert not isinstance(got, str), f"the example's variables were not found: {got}"
    names = [v.ident for v in got.variables]
    last = len(got.tokens) - 1
    fired = [f for f in got.reading.fired if 0 < f.sent < last]
    return fired, names


def test_every_rule_of_the_order_is_registered_once():
    names = [r.name for r in RULES]
    assert names == [n for kind in RuleKind for n in ORDER[kind]]
    assert len(set(names)) == len(names)
    assert all(r.doc for r in RULES), "every rule says what it reads in its docstring"


@pytest.mark.parametrize("entry", RULES, ids=lambda r: r.name)
def test_every_rule_has_examples(entry):
    assert entry.examples, f"rule {entry.name!r} has no examples: add Example(...) to its @rule"


@pytest.mark.parametrize("entry,ex", [(r, e) for r in RULES for e in r.examples],
                         ids=lambda x: x.name if hasattr(x, "fn") else x.text[:40])
def test_rule_example(entry, ex):
    fired, names = read_example(ex)
    mine = [f for f in fired if f.rule == entry.name]
    assert mine, (f"rule {entry.name!r} did not fire on {ex.text!r}; fired: "
                  f"{[f.rule for f in fired]}")
    emitted = [render(c, names) for f in mine for c in f.clauses]
    assert emitted == ex.emits


def test_a_rule_must_be_placed_in_the_order():
    with pytest.raises(ValueError, match="not placed in rules.ORDER"):
        rule("not_placed", kind=RuleKind.PART)(lambda p: False)
    with pytest.raises(ValueError, match="registered twice"):
        rule("ratio", kind=RuleKind.PART)(lambda p: False)


def test_a_failing_rule_is_an_abstention_that_names_it(monkeypatch):
    def broken(ctx):
        raise KeyError("oops")

    entry = rules_module._REGISTRY["bounds"]
    monkeypatch.setitem(rules_module._REGISTRY, "bounds", dataclasses.replace(entry, fn=broken))
    r = formulate_offline(BAKERY)
    assert r.formulation is None
    assert "rule 'bounds' failed" in r.reason and "KeyError" in r.reason
    assert [(n.kind, str(n)) for n in r.notes] == [(DoubtKind.RULE_FAILED, "bounds")]


def test_a_reading_names_the_rules_that_read_it():
    r = formulate_offline(BAKERY)
    assert r.formulation is not None
    assert {"sentence_facts", "bounds", "objective"} <= set(r.rules)
    assert set(r.rules) <= {x.name for x in RULES}
    exact = formulate_offline("Maximize 3x + 2y subject to x + y <= 4, x, y >= 0")
    assert exact.rules == ("formula",)


def test_clauses_are_typed_and_carry_their_rule():
    got = read_words(normalize(BAKERY))
    cons = got.reading.cons
    assert cons and all(isinstance(c.kind, rules_module.ClauseKind) and c.rule for c in cons)
    assert [(c.kind, c.rule) for c in cons] == [(rules_module.ClauseKind.BOUND, "bounds")]
    assert all(f.rule == "sentence_facts" for f in got.reading.facts)
    assert (got.reading.goal.sense, got.reading.goal.rule) == ("maximize", "objective")


def test_docstrings():
    assert doctest.testmod(rules_module).failed == 0


# ---------------------------------------------------------------- structure guards

OFFLINE = Path(optimus.offline.parse.__file__).parent


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def test_no_private_names_cross_modules():
    bad = [f"{p.name}: from {n.module} import {a.name}"
           for p in sorted(OFFLINE.glob("*.py")) for n in ast.walk(_tree(p))
           if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("optimus")
           for a in n.names if a.name.startswith("_") and a.name != "__future__"]
    assert bad == [], "make the helper public (with a docstring) or move it"


def test_only_the_dispatchers_catch_every_error():
    """A broad ``except`` only where an error becomes an abstention naming the rule or pass."""
    found = []
    for p in sorted(OFFLINE.glob("*.py")):
        for n in ast.walk(_tree(p)):
            if isinstance(n, ast.ExceptHandler) and (
                    n.type is None or (isinstance(n.type, ast.Name) and
                                       n.type.id in ("Exception", "BaseException"))):
                found.append(p.name)
    assert sorted(found) == ["reader.py", "rules.py"]
