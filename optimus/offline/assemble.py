"""Turn a :class:`~optimus.offline.parse.Reading` into a typed :class:`Formulation`.

Limits ("150 hours of labor are available") are matched to the facts of the same
attribute ("a table needs 3 hours of labor") by the words around their numbers; the
objective is matched the same way ("maximize profit" -> the profit facts).
"""

from __future__ import annotations

import re

from optimus.formulation import Constraint, Formulation, Objective, Variable
from optimus.offline.lexicon import CONTINUOUS_CUES, MONEY_WORDS
from optimus.offline.parse import COST_STEMS, GAIN_STEMS, Fact, Reading
from optimus.offline.tokens import stem
from optimus.offline.variables import Var
from optimus.offline.doubts import DoubtKind as K, doubt

_UNIT_WORDS = {"hour", "minute", "day", "week", "month", "year", "second", "unit", "kg",
               "gram", "ton", "pound", "lb", "litre", "liter", "ml", "sq", "ft", "acre"}
_UNIT_WORDS = {stem(w) for w in _UNIT_WORDS}


_MONEY_STEMS = {stem(w) for w in MONEY_WORDS}


_IDF: dict[str, float] = {}


def _set_idf(facts: list[Fact]) -> None:
    """Words found around every fact ("hour", "section") tell facts apart less."""
    import math
    _IDF.clear()
    groups = {}
    for f in facts:
        groups.setdefault(id(f), {k for k, w in f.attr.items() if w >= 0.7})
    n = max(len(groups), 1)
    df: dict[str, int] = {}
    for words in groups.values():
        for k in words:
            df[k] = df.get(k, 0) + 1
    for k, d in df.items():
        _IDF[k] = min(1.0, 0.35 + math.log(1 + n / d) / math.log(1 + n) * 0.65) if n > 2 else 1.0


def _score(a: dict[str, float], b: dict[str, float], units: bool = True) -> float:
    s = 0.0
    for k, w in a.items():
        if k in b:
            f = 0.5 if (units and k in _UNIT_WORDS) else 1.0
            s += f * min(w, b[k]) * (_IDF.get(k, 1.0) if units else 1.0)
    return s


def _fmt(x: float) -> str:
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return repr(round(x, 10))


def expression(coefs: dict[int, float], vs: list[Var]) -> str:
    """``3*tables + 2*chairs`` from {index: coefficient}."""
    parts = []
    for k in sorted(coefs):
        c = coefs[k]
        if abs(c) < 1e-12:
            continue
        name = vs[k].ident
        term = name if abs(c - 1) < 1e-12 else (f"-{name}" if abs(c + 1) < 1e-12 else f"{_fmt(c)}*{name}")
        parts.append(term)
    if not parts:
        return "0"
    out = parts[0]
    for p in parts[1:]:
        out += f" - {p[1:]}" if p.startswith("-") else f" + {p}"
    return out


def _best_facts(words: dict[str, float], facts: list[Fact], nvars: int, money: bool | None,
                threshold: float, units: bool = True) -> tuple[dict[int, Fact], float, bool]:
    """Per variable, the fact that best matches ``words``; (choice, min score, tie)."""
    best: dict[int, tuple[float, Fact]] = {}
    tie = False
    for f in facts:
        s = _score(words, f.attr, units)
        if money is True:
            s += 0.5 if f.money else (-0.6 if s < 0.45 else 0.15)
        elif money is False and f.money:
            s -= 0.8
        if s < threshold:
            continue
        cur = best.get(f.var)
        if cur is None or s > cur[0] + 1e-9:
            best[f.var] = (s, f)
        elif abs(s - cur[0]) < 1e-9 and abs(cur[1].value - f.value) > 1e-12:
            tie = True
    scores = [best[v][0] for v in best]
    return {v: best[v][1] for v in best}, (min(scores) if scores else 0.0), tie


def _money_kind(words: dict[str, float]) -> str | None:
    keys = set(words)
    if "<gain>" in keys:
        return "gain"
    if "<cost>" in keys:
        return "cost"
    return None


def integrality(text: str) -> str:
    """"integer" unless the text allows fractions (counts are the default)."""
    low = text.lower()
    if any(c in low for c in CONTINUOUS_CUES) or _CONTINUOUS_RE.search(low):
        return "continuous"
    return "integer"


# "partial kilograms are fine", "fractional tons are allowed", "need not be whole numbers"
_CONTINUOUS_RE = re.compile(
    r"\b(?:partial|fractional|fractions of)(?: \w+){0,2} (?:are|is) (?:fine|ok|okay|allowed|"
    r"acceptable|possible|permitted)\b|\b(?:can|may) be (?:fractional|partial|split|"
    r"fractions)\b|\b(?:need|needs|do|does) not (?:be|have to be) whole\b|\bdo(?:es)?n't "
    r"(?:need to|have to) be whole\b")


_GAINISH = GAIN_STEMS | {stem(w) for w in ("yield", "generate", "roi", "return", "returns")}
_COSTISH = COST_STEMS - {stem(w) for w in ("invest", "investment")}  # investing earns returns


def _opposite_goal(r: Reading, facts: list[Fact], notes: list[str]) -> None:
    """A cost goal read from figures said to be returns (or the reverse) is likely wrong."""
    def says(f: Fact, words: set[str]) -> bool:
        return any(w >= 0.5 for a, w in f.attr.items() if a in words)

    gain = sum(1 for f in facts if says(f, _GAINISH) and not says(f, _COSTISH))
    cost = sum(1 for f in facts if says(f, _COSTISH) and not says(f, _GAINISH))
    if ("<cost>" in r.obj_words and "<gain>" not in r.obj_words and 2 * gain > len(facts)) or (
            "<gain>" in r.obj_words and "<cost>" not in r.obj_words and 2 * cost > len(facts)):
        notes.append(doubt(K.OBJECTIVE_OPPOSITE, "objective: the figures measure the opposite of the goal"))


def _goal_against_figures(r: Reading, facts: list[Fact], notes: list[str]) -> None:
    """"Maximize the total effectiveness" over figures each said to be a cost ("each unit
    of effectiveness costs $50"): the figures may be the price of a unit of the goal, not
    its amount per unit decided. (Minimizing over returns is left alone: "minimize the
    total benefit score" is read right more often than not on the development sets.)"""
    def says(f: Fact, words: set[str]) -> bool:
        return any(w >= 0.5 for a, w in f.attr.items() if a in words)

    if not facts:
        return
    costs = all(says(f, _COSTISH) and not says(f, _GAINISH) for f in facts)
    counted = any(k in r.obj_words for k in ("<number>", "<count>"))  # "the number of viewers"
    if r.sense == "maximize" and costs and "<gain>" not in r.obj_words and not counted:
        notes.append(doubt(K.OBJECTIVE_OPPOSITE,
                           f"objective: {r.sense} over figures that measure the opposite"))


def assemble_formulation(r: Reading, vs: list[Var], text: str, notes: list[str]
                      ) -> tuple[Formulation | None, str | None]:
    """The formulation, or None and the reason it could not be built."""
    n = len(vs)
    if r.sense is None:
        return None, "could not find the objective direction (maximize or minimize)"
    used: set[int] = set()
    _set_idf(r.facts)
    # ---- objective
    obj_coefs: dict[int, float] = {}
    words = {k: w for k, w in r.obj_words.items() if not k.startswith("<")}
    money = bool(set(words) & _MONEY_STEMS) or "<cost>" in words or "<gain>" in words
    kind = _money_kind(r.obj_words)
    choice, score, tie = _best_facts(words, r.facts, n, True if money else None, 0.6, units=False)
    if len(choice) < n and kind:
        # "minimize these costs" / "an investment of 5 units": the same class of word
        classed = dict(words)
        classed["<" + kind + ">"] = 1.0
        other = "<gain>" if kind == "cost" else "<cost>"
        pure = [f for f in r.facts if other not in f.attr]  # "returns" do not answer "cost"
        c2, s2, t2 = _best_facts(classed, pure, n, True, 0.6, units=False)
        if len(c2) == n:
            choice, score, tie = c2, s2, t2
    if money and kind:
        # prefer facts whose own words say the same kind (profit vs cost)
        kinded = [f for f in r.facts if f.money and (
            (kind == "gain" and "<gain>" in f.attr) or (kind == "cost" and "<cost>" in f.attr))]
        c2, s2, t2 = _best_facts(words, kinded, n, True, 0.6)
        if len(c2) == n:
            choice, score, tie = c2, s2, t2
    countish = any(k in r.obj_words for k in ("<number>", "<count>", "<generic>"))
    if not countish and not money and len(choice) < n and _counts_variables(words, text):
        countish = True  # "minimize the total time needed" when we decide hours to run
    if 0 < len(choice) < n:
        # siblings: the other variables' figures in the same sentence as the matched ones
        sents = {f.sent for f in choice.values()}
        for v in range(n):
            if v in choice:
                continue
            cands = [f for f in r.facts if f.var == v and f.sent in sents and
                     f.money == next(iter(choice.values())).money]
            if len(cands) == 1:
                choice[v] = cands[0]
                notes.append(doubt(K.OBJECTIVE_SAME_SENTENCE, "objective: a coefficient taken from the same sentence"))
    head = _counted_head(r.obj_text)
    if len(choice) == n and countish and not money and head and (head in r.var_units or not any(
            f.attr.get(head, 0.0) >= 1.0 for f in choice.values())):
        # "maximize the number of sales" and the figures are ounces: count the items
        choice, score = {}, 0.0
    if len(choice) == n and not (countish and score < 0.7 and not money):
        for v, f in choice.items():
            obj_coefs[v] = f.value
            used.add(id(f))
        if tie:
            notes.append(doubt(K.OBJECTIVE_TWO_CANDIDATES, "objective: two candidate coefficients for a variable"))
        _goal_against_figures(r, list(choice.values()), notes)
    elif money and _one_money_each(r.facts, n):
        for f in r.facts:
            if f.money:
                obj_coefs[f.var] = f.value
                used.add(id(f))
        notes.append(doubt(K.OBJECTIVE_ONLY_MONEY, "objective: the only money figures, one per variable"))
        _opposite_goal(r, [f for f in r.facts if f.money], notes)
    elif countish and (not words or not choice or len(choice) < n or score < 1.0):
        obj_coefs = {v: 1.0 for v in range(n)}
        notes.append(doubt(K.OBJECTIVE_ITEM_COUNT, "objective: the number of items (sum of the variables)"))
    else:
        obj_coefs = {}  # decided after the limits: the figures no limit used
    leftover_objective = not obj_coefs
    # ---- limits -> constraints
    cons: list[tuple[str, str, str]] = []
    symbolic = bool(vs) and vs[0].symbol
    claimed: set[int] = set()
    for lim in r.limits:
        if (lim.totalish and symbolic) or lim.counts_items:
            cons.append(("total", f"{expression({v: 1.0 for v in range(n)}, vs)} {lim.rel} "
                         f"{_fmt(lim.value)}", lim.text))
            continue
        lim_money = lim.money or bool(set(k for k, w in lim.attr.items() if w >= 0.7) & _MONEY_STEMS)
        if not lim.money and _counts_things(lim.tok, lim.text):
            lim_money = False  # "a budget that can finance up to 50 properties": a count
        pool = r.facts
        if lim_money and any(f.money for f in r.facts):
            pool = [f for f in r.facts if f.money]
        choice, score, tie = _best_facts(lim.attr, pool, n, True if lim_money else False, 0.6)
        if tie or any(id(f) in claimed for f in choice.values()):
            # facts already matched by another limit go last: each limit its own resource
            free = [f for f in pool if id(f) not in claimed]
            c2, s2, t2 = _best_facts(lim.attr, free, n, True if lim_money else False, 0.6)
            if len(c2) >= len(choice) and c2:
                choice, score, tie = c2, s2, t2
        if 0 < len(choice) < n:
            _unit_siblings(choice, pool, n, claimed, notes, lim.value)
        for f in choice.values():
            claimed.add(id(f))
        if not choice and not lim.totalish:
            # "They require 1000 hours of labour": only the unit (hours) ties it to facts
            units = {k: 1.0 for k, w in lim.attr.items() if w >= 1.0 and k in _UNIT_WORDS}
            if units:
                c2, s2, t2 = _best_facts(units, pool, n, True if lim_money else False, 0.6,
                                         units=False)
                if len(c2) == n and not t2:
                    choice, score, tie = c2, s2, t2
                    notes.append(doubt(K.UNIT_ONLY, f"limit {_fmt(lim.value)}: matched by its unit only"))
        if choice and lim.totalish and not lim.money and score < 1.0:
            choice = {}
        unit_words = {k for k, w in lim.attr.items() if w >= 1.0} & r.var_units
        if unit_words and not lim.money and score < 1.0:
            choice = {}
            lim.totalish = True
        if choice:
            coefs = {v: f.value for v, f in choice.items()}
            for f in choice.values():
                used.add(id(f))
            if len(choice) < n:
                notes.append(doubt(K.NO_COEFFICIENT, f"limit {_fmt(lim.value)}: no coefficient for some variables (0)"))
            if tie:
                notes.append(doubt(K.AMBIGUOUS_COEFFICIENTS, f"limit {_fmt(lim.value)}: ambiguous coefficients"))
            cons.append(("resource", f"{expression(coefs, vs)} {lim.rel} {_fmt(lim.value)}", lim.text))
        elif lim.totalish or _mentions_head(lim.attr, vs) or _counts_pieces(lim.attr, r.facts):
            cons.append(("total", f"{expression({v: 1.0 for v in range(n)}, vs)} {lim.rel} "
                         f"{_fmt(lim.value)}", lim.text))
        elif symbolic and not lim.money:
            cons.append(("total", f"{expression({v: 1.0 for v in range(n)}, vs)} {lim.rel} "
                         f"{_fmt(lim.value)}", lim.text))
            notes.append(doubt(K.READ_AS_TOTAL, f"limit {_fmt(lim.value)} read as a total of all variables"))
        else:
            return None, f"could not tell what the limit {_fmt(lim.value)} applies to: {lim.text}"
    for c in r.cons:
        coefs: dict[int, float] = {}
        for v, x in c.coefs.items():
            if v == -1:
                for k in range(n):
                    coefs[k] = coefs.get(k, 0.0) + x
            else:
                coefs[v] = coefs.get(v, 0.0) + x
        if _always_holds(coefs, c.rel, c.rhs):
            notes.append(doubt(K.ALWAYS_HOLDS, f"a constraint that always holds (probably misread): {c.text[:60]}"))
        cons.append((c.kind, f"{expression(coefs, vs)} {c.rel} {_fmt(c.rhs)}", c.text))
    if leftover_objective:
        rest = [f for f in r.facts if id(f) not in used and id(f) not in claimed]
        if len(rest) == n and {f.var for f in rest} == set(range(n)):
            obj_coefs = {f.var: f.value for f in rest}
            used.update(id(f) for f in rest)
            notes.append(doubt(K.OBJECTIVE_LEFTOVER, "objective: the figures left over after the constraints"))
            _opposite_goal(r, rest, notes)
        else:
            return None, "could not find the objective coefficients"
    unused = [f for f in r.facts if id(f) not in used]
    if unused:
        seen = {f.tok.text for f in unused}
        notes.append(doubt(K.NUMBERS_UNUSED, "numbers not used: " + ", ".join(sorted(seen))))
    domain = integrality(text)
    lower = {k: 0.0 for k in range(n)}
    for c in r.cons:
        # "-100 <= x4 <= 300": an explicit negative lower bound lets the variable go below 0
        if c.kind == "bound" and c.rel == ">=" and c.rhs < 0 and len(c.coefs) == 1:
            (k, x), = c.coefs.items()
            if k >= 0 and abs(x - 1.0) < 1e-12:
                lower[k] = min(lower[k], c.rhs)
    variables = [Variable(name=v.ident, description=v.phrase, domain=domain, lower=lower[k])
                 for k, v in enumerate(vs)]
    constraints = []
    seen_expr = set()
    for i, (kind, expr, src) in enumerate(cons):
        if expr in seen_expr:
            continue
        seen_expr.add(expr)
        constraints.append(Constraint(name=f"{kind}_{i + 1}", description=src[:200],
                                      expression=expr))
    f = Formulation(
        name="offline",
        description="Formulated offline from the problem text by rules.",
        assumptions=[f"variables are {domain}", "variables are non-negative"],
        variables=variables, constraints=constraints,
        objective=Objective(sense=r.sense, expression=expression(obj_coefs, vs),
                            description=r.obj_text or None))
    return f, None


_TIME_STEMS = {stem(w) for w in ("time", "hours", "minutes", "days", "weeks", "duration")}
_PEOPLE_STEMS = {stem(w) for w in ("staff", "workers", "employees", "people", "persons",
                                   "personnel", "workforce", "headcount")}
_ASKS_TIME = re.compile(r"\bhow (?:many|much) (?:hours|minutes|days|weeks|time)\b|\bhow long\b|"
                        r"\b(?:hours|minutes|days|weeks) should\b", re.I)


def _counts_variables(words: dict[str, float], text: str) -> bool:
    """The objective is the sum of the variables: time when we decide durations, staff."""
    keys = set(words)
    if keys & _TIME_STEMS and _ASKS_TIME.search(text):
        return True
    return bool(keys & _PEOPLE_STEMS)


_MONEY_UNITS = {"dollar", "dollars", "usd", "euro", "euros", "cent", "cents", "pound", "pounds",
                "k", "m", "bn", "million", "thousand", "units", "unit"}


def _counts_things(tok, text: str) -> bool:
    """The number is followed by a plural noun that is not money ("50 hires", "30 cars")."""
    m = re.search(r"(?<![\d.])" + re.escape(tok.text) + r"\s+([A-Za-z]+)", text)
    if not m:
        return False
    word = m.group(1).lower()
    return len(word) > 3 and word.endswith("s") and not word.endswith("ss") and \
        word not in _MONEY_UNITS and stem(word) not in _MONEY_STEMS and stem(word) not in _TIME_STEMS


def _counted_head(obj_text: str) -> str | None:
    """"the total number of sales of ice cream" -> the stem of "sales"."""
    m = re.search(r"\bnumber of ([A-Za-z]+)", obj_text or "")
    return stem(m.group(1)) if m else None


def _always_holds(coefs: dict[int, float], rel: str, rhs: float) -> bool:
    """True for non-negative variables whatever their values: "-49*X - Y <= 0"."""
    vals = [c for c in coefs.values() if abs(c) > 1e-12]
    if not vals:
        return False
    if rel == "<=" and all(c <= 0 for c in vals) and rhs >= 0:
        return True
    return rel == ">=" and all(c >= 0 for c in vals) and rhs <= 0 and len(vals) > 1


def _unit_siblings(choice: dict[int, Fact], pool: list[Fact], n: int, claimed: set[int],
                   notes: list[str], value: float) -> None:
    """"a poster takes 3 minutes of press time and a leaflet takes 1 minute": the figure in
    the same sentence with the same unit fills in for a variable the limit's words missed."""
    for v in range(n):
        if v in choice:
            continue
        cands = []
        for f in pool:
            if f.var != v or id(f) in claimed or f.money:
                continue
            for g in choice.values():
                units = {k for k, w in g.attr.items() if w >= 1.0 and k in _UNIT_WORDS}
                if f.sent == g.sent and units & {k for k, w in f.attr.items() if w >= 1.0}:
                    cands.append(f)
                    break
        if len(cands) == 1:
            choice[v] = cands[0]
            notes.append(doubt(K.LIMIT_SAME_SENTENCE, f"limit {_fmt(value)}: a coefficient taken from the same sentence"))


def _one_money_each(facts: list[Fact], n: int) -> bool:
    money = [f for f in facts if f.money]
    return len(money) == n and {f.var for f in money} == set(range(n))


_PIECES = {stem(w) for w in ("piece", "pieces", "item", "items", "article", "articles",
                              "product", "products")}


def _counts_pieces(attr: dict[str, float], facts: list[Fact]) -> bool:
    """"exactly 30 pieces": a count of the things made, when no figure is in pieces."""
    heads = {k for k, w in attr.items() if w >= 1.0 and k in _PIECES}
    return bool(heads) and not any(k in f.attr for f in facts for k in heads)


def _mentions_head(attr: dict[str, float], vs: list[Var]) -> bool:
    heads = {s for v in vs for s in v.stems}
    return any(k in heads and w >= 0.7 for k, w in attr.items())


__all__ = ["assemble_formulation", "expression", "integrality"]
