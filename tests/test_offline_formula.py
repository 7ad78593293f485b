"""The formula grammar of the offline reader (optimus.offline.formula): exact or rejected.

Each optimum below was worked out by hand (vertices of the feasible region, or the few
integer points), not by running optimus.
"""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

import optimus.offline.formula as formula_module
from optimus.offline import formulate_offline, solve_offline
from optimus.offline.formula import looks_like_formula, parse_statement, read_formula
from optimus.pipeline import solve_formulation

# text, objective, constraints, {variable: (domain, lower)}, optimum
CASES = [
    ("Maximize 3x + 2y subject to x + y <= 4, x + 3y <= 6, x, y >= 0",
     "3*x + 2*y", ["x + y <= 4", "x + 3*y <= 6"], {"x": ("continuous", 0.0), "y": ("continuous", 0.0)}, 12),
    ("Minimize z = 4x1 + 5x2 subject to 2x1 + x2 >= 6, x1 + 2x2 >= 6, x1, x2 >= 0.",
     "4*x1 + 5*x2", ["2*x1 + x2 >= 6", "x1 + 2*x2 >= 6"], None, 18),
    ("Maximize Z = 5x + 4y\nSubject to:\n6x + 4y ≤ 24\nx + 2y ≤ 6\n−x + y ≤ 1\ny ≤ 2\nx, y ≥ 0",
     "5*x + 4*y", ["6*x + 4*y <= 24", "x + 2*y <= 6", "-x + y <= 1", "y <= 2"], None, 21),
    ("max 2x + 3y\ns.t.\nx + y <= 10\n2x + y <= 15\nx, y >= 0",
     "2*x + 3*y", ["x + y <= 10", "2*x + y <= 15"], None, 30),
    ("Minimize cost = 3a + 2b where a + b >= 5 and a - b <= 1, a and b nonnegative.",
     "3*a + 2*b", ["a + b >= 5", "a - b <= 1"], {"a": ("continuous", 0.0), "b": ("continuous", 0.0)}, 10),
    # integer
    ("Maximize 4x + 3y such that 2x + y ≤ 10, x + 3y ≤ 15, x ≥ 0, y ≥ 0, x and y integers.",
     "4*x + 3*y", ["2*x + y <= 10", "x + 3*y <= 15"], {"x": ("integer", 0.0), "y": ("integer", 0.0)}, 24),
    ("Maximize 2x + 3y subject to x + y <= 4, x + 3y <= 6, where x and y are non-negative integers.",
     "2*x + 3*y", ["x + y <= 4", "x + 3*y <= 6"], {"x": ("integer", 0.0), "y": ("integer", 0.0)}, 9),
    ("Maximize x1 + 2x2 + 3x3 subject to x1 + x2 + x3 ≤ 10; 2x1 + x3 ≤ 8; x2 ≤ 5; x1, x2, x3 ≥ 0 and integer.",
     "x1 + 2*x2 + 3*x3", ["x1 + x2 + x3 <= 10", "2*x1 + x3 <= 8", "x2 <= 5"],
     {"x1": ("integer", 0.0), "x2": ("integer", 0.0), "x3": ("integer", 0.0)}, 28),
    ("Minimize 2x+3y subject to x+y≥5, x≤3, y≤4, x,y∈Z+",
     "2*x + 3*y", ["x + y >= 5", "x <= 3", "y <= 4"], {"x": ("integer", 0.0), "y": ("integer", 0.0)}, 12),
    ("Maximize 5a + 4b + 3c subject to 2a + 3b + c <= 5, a + b + c <= 2, a, b, c binary",
     "5*a + 4*b + 3*c", ["2*a + 3*b + c <= 5", "a + b + c <= 2"],
     {"a": ("binary", 0.0), "b": ("binary", 0.0), "c": ("binary", 0.0)}, 9),
    ("Maximize 2x1 + 3x2 + x3 subject to x1 + x2 + x3 <= 10, x1, ..., x3 <= 4, all variables are integers",
     "2*x1 + 3*x2 + x3", ["x1 + x2 + x3 <= 10", "x1 <= 4", "x2 <= 4", "x3 <= 4"],
     {"x1": ("integer", 0.0), "x2": ("integer", 0.0), "x3": ("integer", 0.0)}, 22),
    # equality
    ("Minimize 2x + 3y + 4z subject to x + y + z = 10, x >= 2, y >= 3, z <= 4",
     "2*x + 3*y + 4*z", ["x + y + z == 10", "x >= 2", "y >= 3", "z <= 4"], None, 23),
    ("Minimize 2x1 + 3x2 + x3 subject to x1 + x2 + x3 >= 6, x1 - x2 = 1, x_i >= 0 for all i",
     "2*x1 + 3*x2 + x3", ["x1 + x2 + x3 >= 6", "x1 - x2 == 1"], None, 7),
    # named variables and labels
    ("Maximize 20 tables + 30 chairs subject to 2 tables + 3 chairs <= 120 and tables + chairs <= 50",
     "20*tables + 30*chairs", ["2*tables + 3*chairs <= 120", "tables + chairs <= 50"], None, 1200),
    ("maximize 40x + 30y subject to: x + y ≤ 12 (land), 2x + y ≤ 16 (labor), x, y ≥ 0",
     "40*x + 30*y", ["x + y <= 12", "2*x + y <= 16"], None, 400),
    ("Maximize profit: 3x + 2y\nlabor: x + y <= 4\nwood: x + 3y <= 6",
     "3*x + 2*y", ["x + y <= 4", "x + 3*y <= 6"], None, 12),
    # negative coefficients, free and negative bounds
    ("Minimize x - y subject to x >= -5, y <= 3, x + y >= -10, x free",
     "x - y", ["x >= -5", "y <= 3", "x + y >= -10"], {"x": ("continuous", None), "y": ("continuous", 0.0)}, -8),
    ("Minimize: 3x - 2y\nConstraints: x + y >= 2; x <= 5; y <= 3; x >= 0; y >= 0",
     "3*x - 2*y", ["x + y >= 2", "x <= 5", "y <= 3"], None, -6),
    ("Minimize 2.5x - y such that x + y = 10, x <= 7, y <= 8",
     "2.5*x - y", ["x + y == 10", "x <= 7", "y <= 8"], None, -3),
    # decimals, thousands, products with constants
    ("Maximize 0.5x + 1.2y subject to 0.3x + 0.6y <= 12.6, x + y <= 30, x, y >= 0",
     "0.5*x + 1.2*y", ["0.3*x + 0.6*y <= 12.6", "x + y <= 30"], None, 25.2),
    ("Maximize 1,000x + 1,200y subject to x + y <= 1,500, x <= 800",
     "1000*x + 1200*y", ["x + y <= 1500", "x <= 800"], None, 1_800_000),
    ("Maximize 2(x + y) + z subject to x + y + z <= 10, z <= x/2",
     "2*x + 2*y + z", ["x + y + z <= 10", "z - 0.5*x <= 0"], None, 20),
    ("Maximize 3*x + 2*y subject to x + y <= 4 and x + 3*y <= 6 and x >= 0 and y >= 0",
     "3*x + 2*y", ["x + y <= 4", "x + 3*y <= 6"], None, 12),
    # "at most" forms
    ("Maximize 3x + 2y subject to x + y is at most 4, x + 3y must be no more than 6, "
     "x cannot exceed 3, y is at least 1",
     "3*x + 2*y", ["x + y <= 4", "x + 3*y <= 6", "x <= 3", "y >= 1"], None, 11),
    ("Maximize 3x + 2y where x + y is no more than 4 and x + 3y is no more than 6",
     "3*x + 2*y", ["x + y <= 4", "x + 3*y <= 6"], None, 12),
    ("Minimize 5x + 7y subject to x + y is no less than 10 and x is at least 2y and y >= 1",
     "5*x + 7*y", ["x + y >= 10", "x - 2*y >= 0", "y >= 1"], None, 52),
    # chains, lead-ins and closing questions
    ("Maximize 2x + 3y subject to 0 <= x <= 4, 1 <= y <= 3, x + y <= 6",
     "2*x + 3*y", ["x <= 4", "y >= 1", "y <= 3", "x + y <= 6"], None, 15),
    ("Solve the LP: min 2x+y s.t. x+y>=3, x-y<=1, x,y>=0.",
     "2*x + y", ["x + y >= 3", "x - y <= 1"], None, 3),
    ("The objective is to maximize 3x + 2y. The constraints are x + y ≤ 4 and x + 3y ≤ 6, with x, y ≥ 0.",
     "3*x + 2*y", ["x + y <= 4", "x + 3*y <= 6"], None, 12),
    ("Minimize 3x + 4y subject to x + 2y >= 8, 3x + y >= 9, x >= 0, y >= 0. What is the minimum value?",
     "3*x + 4*y", ["x + 2*y >= 8", "3*x + y >= 9"], None, 18),
    ("Maximize $3x + 2y$ subject to $x + y \\leq 4$, $x + 3y \\leq 6$, $x, y \\geq 0$",
     "3*x + 2*y", ["x + y <= 4", "x + 3*y <= 6"], None, 12),
    # strict inequalities over integers
    ("Maximize 10x + 6y subject to 5x + 3y < 20, x, y >= 0, x, y integer",
     "10*x + 6*y", ["5*x + 3*y <= 19"], {"x": ("integer", 0.0), "y": ("integer", 0.0)}, 38),
    ("Minimize x + y subject to 2x + y > 4.5, x, y are nonnegative integers",
     "x + y", ["2*x + y >= 5"], None, 3),
]


@pytest.mark.parametrize("text,objective,constraints,domains,optimum", CASES,
                         ids=[f"case{i}" for i in range(len(CASES))])
def test_formula_read_exactly(text, objective, constraints, domains, optimum):
    r = read_formula(text)
    assert r is not None, "not recognized as a formula"
    assert r.error is None, r.error.describe()
    f = r.formulation
    assert f.objective.expression == objective
    assert [c.expression for c in f.constraints] == constraints
    if domains is not None:
        assert {v.name: (v.domain, v.lower) for v in f.variables} == domains
    res = solve_formulation(f)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(optimum, abs=1e-6)


REJECTED = [
    # text, offset, text found there, words of the message
    ("Maximize 3x + 2y subject to x + y <= 4 hours", 39, "hours", "unit"),
    ("Maximize x*y subject to x + y <= 4", 10, "*y subject", "not linear"),
    ("Maximize 3x + 2y subject to x + y < 5", 28, "x + y < 5", "strict"),
    ("Maximize 3x + 2y subject to x + y <= 4 where x is the number of chairs", 47, "is the",
     "comparison"),
    ("Maximize 3x + 2y subject to x + y <= 4, x + 3y", 46, "end of text", "comparison"),
    ("Minimize 2x + y subject to x + y >= 3, x, y positive", 44, "positive", "ambiguous"),
    ("Maximize 3x + 2y subject to x / y <= 2", 30, "/ y <= 2", "division"),
    ("Maximize 3x + 2y subject to x + y != 4", 34, "!= 4", "not equal"),
]


@pytest.mark.parametrize("text,offset,found,words", REJECTED, ids=[f"rej{i}" for i in range(len(REJECTED))])
def test_formula_rejected_with_position(text, offset, found, words):
    r = read_formula(text)
    assert r is not None and r.formulation is None
    assert (r.error.position, r.error.found.split("\n")[0][:len(found)]) == (offset, found)
    assert words in r.error.message
    off = formulate_offline(text)
    assert off.formulation is None and f"at character {offset}" in off.reason


def test_word_problems_are_not_formulas():
    bakery = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
              "needs 1 hour of oven time. 40 hours of oven time are available. The profit is $5 "
              "per cake and $3 per pie. How many cakes and pies should it bake to maximize profit?")
    assert not looks_like_formula(bakery) and read_formula(bakery) is None
    story = "A farmer has 100 acres. Maximize 3x + 2y subject to x + y <= 100."
    assert not looks_like_formula(story)  # figures before the goal: the word reader decides
    assert looks_like_formula("Solve: maximize 3x + 2y s.t. x + y <= 4")


def test_formula_through_solve_offline_is_exact():
    a = solve_offline("Maximize 3x + 2y subject to x + y <= 4, x + 3y <= 6, x, y >= 0")
    assert (a.status, a.objective, a.confidence) == ("optimal", 12.0, 1.0)
    assert {v.name: v.value for v in a.variables} == {"x": 4.0, "y": 0.0}
    # an exact reading that is infeasible is reported as such, not taken for a misreading
    b = solve_offline("Maximize x + y subject to x + y <= 2, x >= 3")
    assert b.status == "infeasible"
    # doing nothing can be the optimum of a formula
    c = solve_offline("Minimize 2x + 3y subject to x + y <= 4, x, y >= 0")
    assert (c.status, c.objective, c.confidence) == ("optimal", 0.0, 1.0)


def test_formula_cli(tmp_path):
    out = subprocess.run([sys.executable, "-m", "optimus", "solve", "--offline",
                          "Maximize 3x + 2y subject to x + y <= 4, x + 3y <= 6, x, y >= 0"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "12" in out.stdout


def test_parse_statement_for_edits():
    (r,) = parse_statement("x + 2y <= 3", {"x", "y"})
    assert (r.lhs.coefs, r.rel, r.rhs) == ({"x": 1.0, "y": 2.0}, "<=", 3.0)
    (d,) = parse_statement("y integer", {"x", "y"})
    assert (d.names, d.domain) == (["y"], "integer")


def test_formula_docstring():
    assert doctest.testmod(formula_module, optionflags=doctest.ELLIPSIS).failed == 0
