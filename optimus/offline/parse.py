"""Sentence-level reading of a word problem into facts, limits, constraints, objective.

Every sentence is tokenized, variable mentions are marked, then the sentence is read as

* an **objective** ("... to maximize profit", "minimize the total cost"),
* **constraints** when it has a comparative ("at least", "cannot exceed", ...): a ratio
  ("at least 30% of the total must be X"), a multiple ("twice as many A as B"), bounds on
  one variable ("at most 50 chairs"), a linear expression ("2 units of X and 3 units of Y
  cannot exceed 50"), or a **limit** on an attribute with no variable named ("150 hours of
  labor are available"), matched later to the facts of that attribute;
* **facts** otherwise: numbers tied to a variable ("a table requires 8 hours of labor").

Each recognizer is a named rule registered with :func:`optimus.offline.rules.rule`, with
its examples (run as tests); :func:`read_sentence` and :func:`read_part` run them in the
explicit order of :data:`optimus.offline.rules.ORDER`. What cannot be read is recorded in
``Reading.problems`` (abstention reasons) and ``Reading.doubts`` (lower confidence).
"""

from __future__ import annotations

import re
from optimus.offline.lexicon import AVAIL_WORDS, EQ_PHRASES, GE_PHRASES, LE_PHRASES, ROUNDING
from optimus.offline.lexicon import COST_WORDS, GAIN_WORDS, SEPARATORS, STOP
from optimus.offline.lexicon import (DEFINE_WORDS, EXPLAIN_WORDS, FUNDS_WORDS, GENERIC_BOUND_WORDS,
                                     HAS_WORDS, KIND_COUNT_WORDS, LIMIT_VERBS, MEASURE_WORDS,
                                     NUMBERED_NOUNS, OBJECTIVE_END_WORDS, QUESTION_WORDS,
                                     SUBORDINATE_WORDS, SUPPLY_WORDS, TIME_UNIT_WORDS)
from optimus.offline.extract import (linear_side, read_bounds, read_limit_with_facts,
                                     read_more_than, read_multiple, read_number_of_any,
                                     read_chained, read_from_to, read_intervals, read_ratio,
                                     read_resp_bounds,
                                     read_var_is_number)
from optimus.offline.reading import (ClauseKind, Fact, Limit, LinCon, Pending, Reading,
                                     mark_numbers_used, segments, var_mentions)
from optimus.offline.rules import Example, Part, RuleKind, Sentence, rule, run_rules
from optimus.offline.tokens import Token, stem
from optimus.offline.doubts import DoubtKind as K, doubt

COST_STEMS = {stem(w) for w in COST_WORDS} | {"spend", "spent", "expens"}
GAIN_STEMS = {stem(w) for w in GAIN_WORDS} | {"earn", "profit"}
GAIN_STEMS.discard("sell")
_TIME_UNITS = {stem(w) for w in TIME_UNIT_WORDS}
_MEASURES = {stem(w) for w in MEASURE_WORDS}


# ---------------------------------------------------------------- relation phrases

def _phrases(rows: list[tuple[str, list[str]]]) -> list[tuple[list[str], str]]:
    out = []
    for rel, phrases in rows:
        for p in phrases:
            toks = re.findall(r"<=|>=|==|[a-z']+|[=≤≥<>]", p.lower())
            out.append((toks, rel))
    out.sort(key=lambda x: -len(x[0]))
    return out


_REL = _phrases([("<=", LE_PHRASES), (">=", GE_PHRASES), ("==", EQ_PHRASES)])
OBJECTIVE_PHRASE = re.compile(
    r"\b(maximi[sz]\w*|minimi[sz]\w*|(?:decrease|reduce|lower)(?= (?:the )?(?:total|overall|"
    r"number|amount|cost))|(?:what|find|determine|calculate|compute|identify)\b"
    r"[^.?]{0,40}?\b(?:maximum|minimum|max|min|highest|lowest|largest|smallest|least|most|"
    r"greatest|optimal)\b|(?<=the )(?:highest|lowest|least|most)\b(?= (?:possible )?(?:total|"
    r"profit|cost|amount|number)))", re.I)


def find_relations(toks: list[Token], objective_span: tuple[int, int] | None = None
                   ) -> list[tuple[int, int, str]]:
    """(start, end, rel) of comparative phrases, longest match first, left to right."""
    out = []
    i = 0
    lows = [t.low for t in toks]
    while i < len(toks):
        hit = None
        for words, rel in _REL:
            if lows[i:i + len(words)] == words:
                hit = (i, i + len(words), rel)
                break
        if hit is None:
            i += 1
            continue
        s, e, rel = hit
        first = lows[s]
        if "chained" in toks[s].tags:
            i = e  # "1000 <= hydro <= 4000": read already as two bounds
            continue
        if s > 0 and (lows[s - 1] == "order" or lows[max(0, s - 2):s] in (["order", "not"],
                                                                        ["to", "not"])
                      or (lows[s - 1] == "to" and first in ("exceed", "not", "meet", "reach",
                                                            "cover", "satisfy", "must"))) \
                and rel != "==":
            i = e  # "in order not to exceed the budget": a purpose, not a constraint
            continue
        if objective_span and objective_span[0] <= s < objective_span[1] and \
                first in ("minimum", "maximum", "at", "least", "most"):
            i = e
            continue
        # "10 more than twice Y" is an offset, not a comparison
        if first in ("more", "less", "fewer", "greater", "over", "under") and s > 0 and \
                (toks[s - 1].is_num or (s > 1 and toks[s - 2].is_num and toks[s - 1].var is None
                                        and re.match(r"[a-z]+$", toks[s - 1].low) and
                                        toks[s - 1].low not in ("times", "x", "fold", "of", "the", "a", "and", "or"))):
            toks[s].tags.add("offset_" + ("plus" if first in ("more", "greater", "over") else "minus"))
            i = e
            continue
        if s > 0 and lows[s - 1] == "by":
            # "exceed twice Y by more than 4", "greater than Y by at least 300": an offset
            i = e
            continue
        neg = lows[max(0, s - 3):s]
        if rel in ("<=", ">=") and first in ("less", "fewer", "more", "greater", "below", "lower",
                                             "higher", "above") and \
                any(w in ("not", "cannot", "never", "can't", "mustn't", "shouldn't") for w in neg):
            hit = (s, e, "<=" if rel == ">=" else ">=")
        if first == "=" and (s == 0 or e >= len(toks)):
            i = e
            continue
        if first in ("maximum", "minimum", "minimal", "maximal") and \
                not any(t.is_num for t in toks[e:]) and s > 0 and lows[s - 1] in ("the", "a"):
            i = e  # "what is the minimum total cost": the question, not a comparative
            continue
        if first in ("maximum", "minimum") and not (
                (e < len(toks) and (toks[e].is_num or lows[e] in ("of", "requirement", "budget",
                                                                  "capacity", "limit", "demand")))
                or (s > 0 and lows[s - 1] in ("a", "the") and e < len(toks))):
            i = e
            continue
        out.append(hit)
        i = e
    # "the city has limited the number of flyers to 8": the verb and its "to N" apart
    for k in range(len(toks) - 1):
        if lows[k] == "to" and toks[k + 1].is_num and not toks[k + 1].pct and \
                not any(s <= k < e for s, e, _ in out):
            verb = next((j for j in range(k - 1, max(-1, k - 10), -1)
                         if lows[j] in LIMIT_VERBS), None)
            if verb is not None and not any(verb <= s < k for s, _, _ in out) and \
                    not any(lows[j] in ("from", "between") and toks[j + 1].is_num
                            for j in range(verb, k)):
                out.append((k, k + 1, "<="))
    out.sort()
    return out


# ---------------------------------------------------------------- helpers


def _classes(attr: dict[str, float]) -> dict[str, float]:
    """Add class words: spend/cost/pay -> <cost>, profit/revenue/earn -> <gain>."""
    for k, w in list(attr.items()):
        if k in COST_STEMS:
            attr["<cost>"] = max(attr.get("<cost>", 0.0), w)
        if k in GAIN_STEMS:
            attr["<gain>"] = max(attr.get("<gain>", 0.0), w)
    return attr


def _attr(toks: list[Token], k: int, seg: tuple[int, int], whole: list[Token],
          first_in_seg: bool) -> dict[str, float]:
    """Words describing the number at ``k``: after it (1.0), before it in its segment."""
    return _classes(_attr0(toks, k, seg, whole, first_in_seg))


def _attr0(toks: list[Token], k: int, seg: tuple[int, int], whole: list[Token],
           first_in_seg: bool) -> dict[str, float]:
    attr: dict[str, float] = {}
    j = k + 1
    while j < seg[1] and not toks[j].is_num:
        t = toks[j]
        if t.var is None and t.low not in STOP and re.match(r"[a-z]", t.low):
            attr.setdefault(t.stem, 1.0)
        j += 1
    for t in toks[seg[0]:k]:
        if t.var is None and not t.is_num and t.low not in STOP and re.match(r"[a-z]", t.low):
            attr.setdefault(t.stem, 0.7 if first_in_seg else 0.4)
    for t in whole:
        if t.var is None and not t.is_num and t.low not in STOP and re.match(r"[a-z]", t.low):
            attr.setdefault(t.stem, 0.2)
    return attr


def _ignorable(toks: list[Token], k: int, nvars: int) -> bool:
    """Numbers that are not data: "two types", "1 unit of X", years, rounding."""
    t = toks[k]
    if t.num == nvars and not t.money and not t.pct and k > 0 and \
            toks[k - 1].low in ("all", "these", "those", "both", "the", "between", "among", "across"):
        return True
    if t.num == nvars and not t.money and not t.pct and "first" in t.tags and k + 1 < len(toks) \
            and toks[k + 1].num is None and toks[k + 1].low not in ("units", "unit", "times", "%"):
        return True
    if t.num == nvars and not t.money and not t.pct and not any(
            u.var is not None and u.var >= 0 for u in toks[max(0, k - 3):k]):
        # "makes 2 products: A and B" (but "a chair uses 2 boards and a bench ..." is data)
        ahead = toks[k + 1:k + 6]
        if ahead and ahead[0].num is None and ahead[0].var is None and any(
                u.text == ":" or (u.var is not None and u.var >= 0) for u in ahead) and \
                not any(u.num is not None and u.var is None for u in ahead) and \
                ahead[0].low not in ("units", "unit", "times", "hours", "of", "for", "per", "to",
                                     "in", "on", "at", "each"):
            return True
    nxt = [u.low for u in toks[k + 1:k + 4]]
    prv = toks[k - 1].low if k > 0 else ""
    if t.num is not None and t.num == int(t.num) and 1900 <= t.num <= 2100 and not t.money and \
            k > 0 and toks[k - 1].low in ("in", "year", "since", "by", "of", "until"):
        return True
    if nxt[:1] and nxt[0] in KIND_COUNT_WORDS:
        return t.num == nvars or t.num <= 6
    if t.num == 1 and not t.money and not t.pct and k + 1 < len(toks) and toks[k + 1].low in (
            "week", "day", "month", "year", "hour", "minute", "shift", "season") and \
            k > 0 and toks[k - 1].low in ("in", "per", "every", "each", "within", "during"):
        return True
    if t.num == 1 and not t.money and not t.pct:
        # "1 kilogram of rice", "1 unit of X", "per 1 ton": the basis of a rate
        j = k + 1
        while j < len(toks) and j - k <= 3 and toks[j].var is None and not toks[j].is_num:
            nx = j + 1
            while nx < len(toks) and toks[nx].low in ("the", "a", "an"):
                nx += 1  # "1 ton of the Standard grade"
            if toks[j].low == "of" and nx < len(toks) and (toks[nx].var is not None or
                                                           "generic" in toks[nx].tags):
                return True
            j += 1
        if prv in ("per", "each", "every"):
            return True
    if t.num is not None and prv in NUMBERED_NOUNS:
        return True
    return False


# ---------------------------------------------------------------- sentence readers

def _objective(toks: list[Token], text: str, r: Reading) -> tuple[int, int] | None:
    m = OBJECTIVE_PHRASE.search(text)
    if not m:
        return None
    word = m.group(0).lower()
    last = word.split()[-1]
    if word.startswith("maximi") or last in ("maximum", "max", "highest", "largest",
                                             "greatest", "most"):
        sense = "maximize"
    elif word.startswith("minimi") or last in ("minimum", "min", "lowest", "smallest",
                                               "least", "decrease", "reduce", "lower"):
        sense = "minimize"
    else:
        # "optimal" -> direction from the words that follow
        tail = text[m.end():m.end() + 60].lower()
        if re.search(r"profit|revenue|return|income", tail):
            sense = "maximize"
        elif re.search(r"cost|expense|spend", tail):
            sense = "minimize"
        else:
            return None
    # token index of the end of the phrase
    start_chars = m.end()
    pos = 0
    idx = len(toks)
    for i, t in enumerate(toks):
        pos = text.find(t.text, pos)
        if pos >= start_chars:
            idx = i
            break
        pos += len(t.text)
    # objective words: up to a clause break
    j = idx
    words: dict[str, float] = {}
    span_text = []
    while j < len(toks) and toks[j].low not in OBJECTIVE_END_WORDS and j - idx < 14:
        t = toks[j]
        span_text.append(t.text)
        if t.var is None and t.num is None and t.low not in STOP and re.match(r"[a-z]", t.low):
            words[t.stem] = 1.0
            if t.stem in COST_STEMS:
                words["<cost>"] = 1.0
            if t.stem in GAIN_STEMS:
                words["<gain>"] = 1.0
        if t.low in ("number", "amount", "total", "count") or "generic" in t.tags:
            words.setdefault("<" + t.low + ">", 1.0)
        j += 1
    if r.sense and r.sense != sense and words:
        # a second objective sentence; "minimum/maximum" phrases in questions agree usually
        r.doubts.append(doubt(K.TWO_DIRECTIONS, f"two objective directions ({r.sense}, {sense})"))
        return (idx, j)
    if not r.sense or (words and not r.obj_words):
        r.sense = sense
        if words:
            r.obj_words = words
            r.obj_text = " ".join(span_text)
    return (idx, j)


def _respectively(toks: list[Token], lo: int, hi: int, nvars: int, sent: int, r: Reading,
                  whole: list[Token]) -> bool:
    lows = [t.low for t in toks[lo:hi]]
    if "respectively" not in lows and "respective" not in lows:
        return False
    resp = next(k for k in range(lo, hi) if toks[k].low in ("respectively", "respective"))
    start = lo
    for k in range(resp - 1, lo - 1, -1):
        if toks[k].low in (";",) or (toks[k].low == "," and k + 2 < hi and
                                     toks[k + 1].low in ("and", "while", "but", "whereas") and
                                     not toks[k + 2].is_num and toks[k + 2].var is None):
            start = k + 1
            break
    nums = [k for k in range(start, resp) if toks[k].is_num and not toks[k].used
            and not _ignorable(toks, k, nvars)]
    vars_in = []
    for k in range(start, resp):
        if toks[k].var is not None and toks[k].var >= 0 and (k == lo or toks[k - 1].var != toks[k].var):
            vars_in.append(toks[k].var)
    if not nums:
        # "costs which are respectively $1000, $1500 and $2000 per unit": numbers after it
        for k in range(resp + 1, hi):
            if toks[k].low in (";",) or toks[k].var is not None:
                break
            if toks[k].is_num and not toks[k].used:
                nums.append(k)
        if len(nums) < 2 or len(nums) != (len(vars_in) or nvars):
            return False  # "their respective costs are 2, 3, 5 and 7": in the variables' order
    order = vars_in if len(vars_in) == len(nums) else (list(range(nvars)) if len(nums) == nvars else None)
    if order is None:
        return False
    shared: dict[str, float] = {}
    last = nums[-1]
    j = last + 1
    while j < hi and toks[j].low not in ("respectively", ",", ";"):
        t = toks[j]
        if t.var is None and not t.is_num and t.low not in STOP and re.match(r"[a-z]", t.low):
            shared[t.stem] = 1.0
        j += 1
    for t in toks[lo:nums[0]]:
        if t.var is None and t.num is None and t.low not in STOP and re.match(r"[a-z]", t.low):
            shared.setdefault(t.stem, 0.8)
    for t in whole:
        if t.var is None and t.num is None and t.low not in STOP and re.match(r"[a-z]", t.low):
            shared.setdefault(t.stem, 0.2)
    money = any(toks[n].money for n in nums)
    _classes(shared)
    for k, v in zip(nums, order):
        r.facts.append(Fact(v, toks[k].num or 0.0, dict(shared), money, sent, toks[k]))
        toks[k].used = True
    return True


def _own_funds(toks: list[Token], k: int, lo: int, hi: int) -> bool:
    """A sum of money that is owned ("his $10000", "a total of $5000") and then invested."""
    t = toks[k]
    if not t.money:
        return False
    before = [u.low for u in toks[max(lo, k - 3):k]]
    owned = bool(before) and (before[-1] in ("his", "her", "their", "its", "our", "my") or
                              before[-2:] == ["total", "of"])
    if not owned:
        return False
    after = [u.low for u in toks[k + 1:k + 3]]
    if any(w in ("per", "each", "every", "for") for w in after):
        return False
    return bool({u.low for u in toks[lo:hi]} & FUNDS_WORDS)


def _respective_list(toks: list[Token], nvars: int) -> bool:
    """"their respective costs per unit are 4, 2 and 6": one figure per variable, in order."""
    k = next((j for j, t in enumerate(toks) if t.low == "respective"), None)
    if k is None:
        return False
    nums = [t for t in toks[k + 1:] if t.is_num and not t.used]
    return len(nums) == nvars and not any(t.var is not None for t in toks)


def _facts(toks: list[Token], lo: int, hi: int, nvars: int, sent: int, r: Reading) -> None:
    """Numbers tied to variables in a sentence (part) with no comparative."""
    whole = toks
    _respectively(toks, lo, hi, nvars, sent, r, whole)  # then the numbers left, if any
    segs = segments(toks, lo, hi)
    seg_var: list[int | None] = []
    for s, e in segs:
        vs = {t.var for t in toks[s:e] if t.var is not None}
        specific = {v for v in vs if v >= 0}
        if len(specific) == 1:
            seg_var.append(specific.pop())
        elif not specific and (-1 in vs or any("generic" in t.tags or t.low in ("both", "each")
                                               for t in toks[s:e])):
            seg_var.append(-1)
        elif len(specific) > 1:
            seg_var.append(-2)  # several: nearest mention
        else:
            seg_var.append(None)
    lead: dict[str, float] = {}
    for t in toks[lo:hi]:
        if t.is_num:
            break
        if t.var is None and t.low not in STOP and re.match(r"[a-z]", t.low):
            lead[t.stem] = 0.6
    for si, (s, e) in enumerate(segs):
        nums = [k for k in range(s, e) if toks[k].is_num and not toks[k].used]
        if not nums:
            continue
        v = seg_var[si]
        seg_low = [t.low for t in toks[s:e]]
        if v is not None and v >= 0 and len(nums) == 1 and any(
                w in ("has", "have", "owns", "available") for w in seg_low[:nums[0] - s]):
            first_var = next(j for j in range(s, e) if toks[j].var is not None)
            if first_var > nums[0] + 3:
                _limits(toks, s, e, None, sent, r, nvars, " ".join(t.text for t in toks[s:e]))
                continue
        if v is None and {t.low for t in toks[s:e]} & (AVAIL_WORDS - {"only", "spend"}):
            _limits(toks, s, e, None, sent, r, nvars, " ".join(t.text for t in toks[s:e]))
            continue
        if v is None:
            # inherit: the nearest segment before with a variable, else after
            prev = [seg_var[j] for j in range(si - 1, -1, -1) if seg_var[j] is not None]
            nxt = [seg_var[j] for j in range(si + 1, len(segs)) if seg_var[j] is not None]
            v = prev[0] if prev else (nxt[0] if nxt else None)
        if v is None:
            continue
        for n, k in enumerate(nums):
            if _ignorable(toks, k, nvars):
                toks[k].used = True
                continue
            if _own_funds(toks, k, lo, hi):
                # "wants to put his $10000 to work ... invest his money in A and B"
                attr = _attr(toks, k, (s, e), whole, n == 0)
                r.limits.append(Limit(toks[k].num or 0.0, "<=", attr, True, sent, toks[k],
                                      " ".join(t.text for t in toks[lo:hi]), True, False))
                toks[k].used = True
                continue
            var = v
            if v == -2:
                before = [toks[j].var for j in range(k - 1, s - 1, -1)
                          if toks[j].var is not None and toks[j].var >= 0]
                after = [toks[j].var for j in range(k + 1, e) if toks[j].var is not None and toks[j].var >= 0]
                var = before[0] if before else (after[0] if after else None)
                r.doubts.append(doubt(K.NEAR_TWO_VARIABLES, "a number near two variables"))
                if var is None:
                    continue
            attr = _attr(toks, k, (s, e), whole, n == 0)
            for w, x in lead.items():
                attr[w] = max(attr.get(w, 0.0), x)
            targets = range(nvars) if var == -1 else [var]
            for tv in targets:
                r.facts.append(Fact(tv, toks[k].num or 0.0, attr, toks[k].money, sent, toks[k]))
            toks[k].used = True


def _limits(toks: list[Token], lo: int, hi: int, rel: str | None, sent: int, r: Reading,
            nvars: int, text: str) -> None:
    """Numbers in a part with no variable named: limits on an attribute (or on the total)."""
    cur_rel = rel
    free = [k for k in range(lo, hi) if toks[k].is_num and not toks[k].used
            and not _ignorable(toks, k, nvars)]
    if rel is not None and len(free) > 1 and any(t.low in ("combined", "sum", "plus", "times")
                                                 for t in toks[lo:hi]):
        r.problems.append(f"constraint sentence not understood: {text}")
        return
    for (s, e) in segments(toks, lo, hi):
        for n, k in enumerate([k for k in range(s, e) if toks[k].is_num and not toks[k].used]):
            if _ignorable(toks, k, nvars):
                toks[k].used = True
                continue
            rr = cur_rel
            seg_words = {t.low for t in toks[s:e]}
            if rel is not None and seg_words & (AVAIL_WORDS - {"only", "spend", "has", "have"}) \
                    and not find_relations(toks[s:e]):
                rr = "<="
            if rr is None:
                words = seg_words if seg_words & (AVAIL_WORDS | {"need", "needs", "require",
                                                                 "requires", "demand", "must",
                                                                 "meet", "minimum"}) \
                    else {t.low for t in toks[lo:hi]}
                if words & AVAIL_WORDS or words & {"limit", "limited", "max", "most", "only"} or \
                        [t.low for t in toks[s:s + 2]] in (["there", "are"], ["there", "is"]) or \
                        (words & SUPPLY_WORDS and (toks[0].tags & {"first"} or "each" in words or
                                              any(w in words for w in ("month", "week", "day")))):
                    # "The company produces 150 tons of iron ore each month": a supply
                    rr = "<="
                elif words & {"need", "needs", "require", "requires", "demand", "must",
                              "meet", "minimum"}:
                    rr = ">="
                else:
                    continue
            attr = _attr(toks, k, (s, e), toks, n == 0)
            lows = {t.low for t in toks[lo:hi]}
            near = toks[s:e]  # the number's own clause
            totalish = bool({t.low for t in near} & {"total", "combined", "altogether", "overall",
                                                     "sum", "both", "all", "together"}) or any(
                "generic" in t.tags and not (q > s and toks[q - 1].low == "to")  # "to transport"
                for q, t in enumerate(near, start=s))
            if rr in (">=", "<=") and ("both" in lows or " each of " in f" {text.lower()} ") \
                    and not lows & {
                    "total", "combined", "altogether", "overall", "sum", "together", "all"} and \
                    (toks[k].num or 0) <= 10:
                for v in range(nvars):
                    r.cons.append(LinCon({v: 1.0}, rr, toks[k].num or 0.0, ClauseKind.BOUND, text))
                toks[k].used = True
                continue
            after = toks[k + 1:k + 4]
            counts = any("generic" in u.tags for u in after[:3]) and not any(
                u.low in ("of",) for u in after[:1])
            r.limits.append(Limit(toks[k].num or 0.0, rr, attr, toks[k].money, sent, toks[k],
                                  text, totalish, counts))
            toks[k].used = True


def _pending_bound(toks: list[Token], text: str, r: Reading) -> bool:
    """The bound for an expression defined in the sentence before ("This ... at least 15")."""
    if r.pending is None:
        return False
    coefs, rel, words, problem = r.pending
    if any(t.var is not None and t.var >= 0 for t in toks):
        return False
    nums = [k for k, t in enumerate(toks) if t.is_num and not t.used]
    if len(nums) != 1:
        return False
    own = {t.stem for t in toks if t.var is None and not t.is_num}
    refers = toks[0].low in ("this", "it", "that", "these", "such", "the") and (
        toks[0].low != "the" or bool((own & words) - {stem(w) for w in GENERIC_BOUND_WORDS}))
    if not refers:
        return False
    rels = find_relations(toks)
    if len(rels) > 1:
        return False
    if rels:
        rel = rels[0][2]
    if rel is None:
        return False
    k = nums[0]
    r.cons.append(LinCon(dict(coefs), rel, toks[k].num or 0.0, ClauseKind.LINEAR, text))
    toks[k].used = True
    if 0 <= problem < len(r.problems):
        del r.problems[problem]
    r.pending = None
    return True


def close_pending(r: Reading) -> None:
    """Forget an expression waiting for a bound; one defined on its own is a doubt."""
    if r.pending is not None and r.pending.problem == -1:
        r.doubts.append(doubt(K.NEVER_BOUNDED, "an expression was defined but never bounded"))
    r.pending = None


def _definition(toks: list[Token], r: Reading, nvars: int) -> bool:
    """"This ROI is calculated as 5 times X plus 3 times Y." (no comparative): an expression
    whose bound comes in the next sentence."""
    at = next((k for k in range(len(toks) - 2) if toks[k].low in DEFINE_WORDS
               and toks[k + 1].low == "as"), None)
    if at is None:
        return False
    coefs, const, loose = linear_side(toks, at + 2, len(toks), nvars)
    if len([c for c in coefs.values() if abs(c) > 1e-12]) < 2 or const or loose:
        return False
    words = {t.stem for t in toks[:at] if t.var is None and not t.is_num
             and t.low not in STOP and re.match(r"[a-z]", t.low)}
    r.pending = Pending(dict(coefs), None, words, -1)
    mark_numbers_used(toks, at + 2, len(toks))
    return True


def _question_cut(toks: list[Token]) -> int | None:
    """Index of the comma before a trailing question ("..., how many X should ...")."""
    for k in range(2, len(toks) - 2):
        if toks[k].text == "," and toks[k + 1].low in QUESTION_WORDS and \
                any(t.is_num and not t.used for t in toks[:k]) and \
                not any(t.is_num for t in toks[k + 1:]) and \
                any(t.var is not None for t in toks[k + 1:]):
            return k
    return None


def _shared_supply(toks: list[Token], text: str, r: Reading) -> bool:
    """"A farm has 200 acres for wheat and corn": one supply shared by the listed variables."""
    nums = [k for k, t in enumerate(toks) if t.is_num and not t.used]
    if len(nums) != 1 or toks[nums[0]].money or toks[nums[0]].pct or find_relations(toks):
        return False
    k = nums[0]
    before = [t.var for t in toks[:k] if t.var is not None and t.var >= 0]
    if k >= 1 and toks[k - 1].low in ("on", "using") and len(set(before)) >= 2 and \
            all(t.var is None and t.num is None and re.match(r"[a-z]+$", t.low)
                for t in toks[k + 1:-1]) and len(toks) - k <= 4 and \
            toks[k + 1:k + 2] and toks[k + 1].stem in r.var_units | _MEASURES:
        # "A farmer grows tomatoes and peppers on 10 acres"
        r.cons.append(LinCon({v: 1.0 for v in dict.fromkeys(before)}, "<=",
                             toks[k].num or 0.0, ClauseKind.TOTAL, text))
        toks[k].used = True
        return True
    if not any(t.low in HAS_WORDS for t in toks[max(0, k - 3):k]):
        return False
    j = k + 1
    while j < len(toks) and j - k <= 3 and toks[j].var is None and toks[j].low not in (
            "for", "between", "among"):
        j += 1
    if j >= len(toks) or toks[j].low not in ("for", "between", "among"):
        return False
    vs: list[int] = []
    q = j + 1
    while q < len(toks) and (toks[q].var is not None or toks[q].low in (
            "and", "or", ",", "the", "growing", "planting", "both")):
        if toks[q].var is not None and toks[q].var >= 0 and toks[q].var not in vs:
            vs.append(toks[q].var)
        q += 1
    if len(vs) < 2 or (q < len(toks) and toks[q].low not in (".", "?", "!", ";")):
        return False
    r.cons.append(LinCon({v: 1.0 for v in vs}, "<=", toks[k].num or 0.0, ClauseKind.TOTAL, text))
    toks[k].used = True
    return True


def read_sentence(toks: list[Token], text: str, sent: int, nvars: int, r: Reading) -> None:
    """Read one sentence into ``r``: the SENTENCE rules, then, with its comparatives found,
    the CLAUSE rules (the order is :data:`optimus.offline.rules.ORDER`)."""
    _note_units(toks, r)
    _one_counts_the_item(toks)
    if sent == 0:
        for t in toks:
            t.tags.add("first")
    ctx = Sentence(toks, text, sent, nvars, r)
    if run_rules(RuleKind.SENTENCE, ctx):
        return
    ctx.rels = find_relations(toks, ctx.span)
    if ctx.span is not None:
        ctx.rels = [x for x in ctx.rels if not (ctx.span[0] - 3 <= x[0] < ctx.span[1])]
    run_rules(RuleKind.CLAUSE, ctx)


def _note_units(toks: list[Token], r: Reading) -> None:
    """What the variables are counted in ("an acre of strawberries", "$300 per trip")."""
    for a, b, c in zip(toks, toks[1:], toks[2:]):
        # "an acre of strawberries", "per kg of ham": what a variable is counted in
        if b.low == "of" and c.var is not None and c.var >= 0 and a.var is None and \
                a.num is None and a.low not in STOP:
            r.var_units.add(a.stem)
    for i in range(1, len(toks) - 1):
        # "costs $300 per trip", "takes 5 minutes per patient": the variables count those
        b, c = toks[i], toks[i + 1]
        if b.low == "per" and c.num is None and c.var is None and c.stem not in _TIME_UNITS \
                and re.match(r"[a-z]+$", c.low) and (toks[i - 1].num is not None or (
                    i >= 2 and toks[i - 2].num is not None and toks[i - 1].var is None)):
            r.var_units.add(c.stem)
        # "Compost costs $0.40 per kg": a price per measure of a variable counts it in kg
        elif b.low == "per" and c.stem in _MEASURES and c.var is None and \
                (i + 2 >= len(toks) or toks[i + 2].low != "of") and toks[i - 1].money and \
                any(t.var is not None and t.var >= 0 for t in toks[max(0, i - 6):i - 1]):
            r.var_units.add(c.stem)


def _one_counts_the_item(toks: list[Token]) -> None:
    """"One bag of fertilizer A contains ...": "one" counts the bag, it is not a figure."""
    for i in range(len(toks) - 3):
        if toks[i].num == 1 and not toks[i].money and not toks[i].pct and \
                toks[i].text.lower() in ("1", "one") and (i == 0 or toks[i - 1].low in (
                    ",", ";", "and", "while", "whereas", "but")) and \
                toks[i + 1].num is None and toks[i + 2].low == "of" and \
                any(t.var is not None and t.var >= 0 for t in toks[i + 3:i + 6]):
            toks[i].used = True


# ---------------------------------------------------------------- SENTENCE rules

@rule("pending_bound", kind=RuleKind.SENTENCE, examples=[
    Example("The score is calculated as 5 times X plus 3 times Y. This score must be at least 15.",
            ["linear: 5*X + 3*Y >= 15"], variables="X and Y")])
def pending_bound_rule(c: Sentence) -> bool:
    """The bound of an expression defined in the sentence before ("This ... at least 15")."""
    if _pending_bound(c.toks, c.text, c.r):
        return True
    close_pending(c.r)
    return False


@rule("shared_supply", kind=RuleKind.SENTENCE, examples=[
    Example("The farm has 200 acres for wheat and corn.", ["total: wheat + corn <= 200"],
            variables="wheat and corn")])
def shared_supply_rule(c: Sentence) -> bool:
    """"A farm has 200 acres for wheat and corn": one supply shared by the listed variables."""
    return _shared_supply(c.toks, c.text, c.r)


@rule("question_apart", kind=RuleKind.SENTENCE, examples=[
    Example("If at least 100 units must be made, how many tables and chairs should be made?",
            ["limit: >= 100"])])
def question_apart_rule(c: Sentence) -> bool:
    """"If at least 1000 units must be moved, minimize the number of trucks and trains": the
    condition and the question are read apart, so the variables named in the question do not
    enter the condition."""
    cut = _question_cut(c.toks)
    if cut is None:
        return False
    for part in (c.toks[:cut], c.toks[cut + 1:]):
        read_sentence(part, " ".join(t.text for t in part), c.sent, c.nvars, c.r)
    return True


@rule("rounding", kind=RuleKind.SENTENCE, examples=[
    Example("Round the answer to 2 decimal places.", [])])
def rounding_rule(c: Sentence) -> bool:
    """"... rounded to the nearest dollar": the figures of the rounding clause are no data."""
    toks = c.toks
    if not (any(t.low in ROUNDING for t in toks) and
            not any(t.low in ("at", "least", "most", "exceed") for t in toks)):
        return False
    if any(t.var is not None and t.var >= 0 for t in toks) and \
            sum(1 for t in toks if t.is_num and not t.used) >= 2:
        # "Given that X costs $5 and Y costs $3, ... rounded to the nearest dollar": the
        # rounding clause goes, the figures stay
        for k, t in enumerate(toks):
            if t.low in ROUNDING:
                for u in toks[k:k + 6]:
                    if u.is_num:
                        u.used = True
        return False
    for t in toks:
        t.used = True
    _objective(toks, c.text, c.r)
    return True


@rule("formula_aside", kind=RuleKind.SENTENCE, examples=[
    Example("The mix must be balanced (i.e., X - 0.5Y >= 30).", ["linear: X - 0.5*Y >= 30"],
            variables="X and Y")])
def formula_aside_rule(c: Sentence) -> bool:
    """"(i.e., x - 0.5y >= 3000)": the formula in brackets says it exactly."""
    toks = c.toks
    for a in range(len(toks)):
        if toks[a].low in ("i", "e") and a + 2 < len(toks) and toks[a + 1].text == "." and \
                toks[a + 2].low in ("e", "g"):
            b = a + 3
            while b < len(toks) and toks[b].text in (".", ","):
                b += 1
            end = b
            while end < len(toks) and toks[end].text != ")":
                end += 1
            inner = toks[b:end]
            if (any(t.text in ("<=", ">=", "<", ">", "=") for t in inner) or
                    len(find_relations(inner)) == 1) and any(t.var is not None for t in inner):
                for t in toks:
                    t.used = True
                sub = [Token(t.text, t.low, t.stem, t.num, t.money, t.pct, t.var) for t in inner]
                rels = find_relations(sub)
                if len(rels) == 1:
                    read_part(sub, 0, len(sub), rels[0][0], rels[0][1], rels[0][2], c.sent,
                              c.nvars, c.r)
                    return True
    return False


@rule("intervals", kind=RuleKind.SENTENCE, examples=[
    Example("Allowed production: X: [0, 300], Y: [10, 50].",
            ["bound: X <= 300", "bound: Y >= 10", "bound: Y <= 50"], variables="X and Y"),
    Example("The plan allows 0-15 units for X.", ["bound: X <= 15"], variables="X and Y")])
def intervals_rule(c: Sentence) -> bool:
    """"x1: [0, 3000]", "X1: 0-500", "0-15 units for project X1": two bounds (never ends)."""
    read_intervals(c.toks, c.r, c.text)
    return False


@rule("chained_bounds", kind=RuleKind.SENTENCE, examples=[
    Example("We need 10 <= X <= 40.", ["bound: X >= 10", "bound: X <= 40"], variables="X and Y")])
def chained_bounds_rule(c: Sentence) -> bool:
    """"1000 <= hydro <= 4000": a chained inequality, two bounds (never ends the chain)."""
    read_chained(c.toks, c.r, c.text)
    return False


@rule("from_to", kind=RuleKind.SENTENCE, examples=[
    Example("The number of tables can range from 10 to 40.",
            ["bound: table >= 10", "bound: table <= 40"])])
def from_to_rule(c: Sentence) -> bool:
    """"X can range from 0 to 1500", "between 10 and 40": two bounds (never ends the chain)."""
    read_from_to(c.toks, c.r, c.text)
    return False


@rule("objective", kind=RuleKind.SENTENCE, examples=[
    Example("How many tables and chairs should be made to maximize profit?",
            ["objective: maximize"])])
def objective_rule(c: Sentence) -> bool:
    """"... to maximize profit", "minimize the total cost": the goal (never ends the chain)."""
    c.span = _objective(c.toks, c.text, c.r)
    if c.span is not None:
        for k in range(c.span[0], c.span[1]):
            if c.toks[k].is_num and any(u.low in ROUNDING for u in c.toks):
                c.toks[k].used = True
    return False


# ---------------------------------------------------------------- CLAUSE rules

@rule("definition", kind=RuleKind.CLAUSE, examples=[
    Example("The score is calculated as 5 times X plus 3 times Y.", ["pending: 5*X + 3*Y"],
            variables="X and Y")])
def definition_rule(c: Sentence) -> bool:
    """"This ROI is calculated as 5 times X plus 3 times Y." (no comparative): an expression
    whose bound comes in the next sentence."""
    return not c.rels and _definition(c.toks, c.r, c.nvars)


@rule("multiple_as", kind=RuleKind.CLAUSE, examples=[
    Example("There must be 2 times as many chairs as tables.",
            ["multiple: chair - 2*table >= 0"])])
def multiple_as_rule(c: Sentence) -> bool:
    """"there must be 2 times as many A as B" (no comparative phrase): A >= 2 B."""
    return not c.rels and any(t.low == "as" for t in c.toks) and \
        read_multiple(c.toks, 0, len(c.toks), None, c.r, c.text)


@rule("sentence_limits", kind=RuleKind.CLAUSE, examples=[
    Example("There are 120 hours of labor available.", ["limit: <= 120"])])
def sentence_limits_rule(c: Sentence) -> bool:
    """"150 hours of labor are available" (no comparative, no variable): limits."""
    toks = c.toks
    if c.rels:
        return False
    generic_only = not any(t.var is not None and t.var >= 0 for t in toks) and any(
        "generic" in t.tags or t.low in ("both", "each", "either") for t in toks) and not (
        {t.low for t in toks} & ((AVAIL_WORDS - {"only", "spend"}) | SUPPLY_WORDS))
    if any(t.var is not None and t.var >= 0 for t in toks) or generic_only or \
            "respectively" in {t.low for t in toks} or _respective_list(toks, c.nvars):
        return False
    _limits(toks, 0, len(toks), None, c.sent, c.r, c.nvars, c.text)
    return True


@rule("sentence_facts", kind=RuleKind.CLAUSE, examples=[
    Example("Each table takes 3 hours of labor and each chair takes 2 hours of labor.",
            ["fact: table = 3", "fact: chair = 2"])])
def sentence_facts_rule(c: Sentence) -> bool:
    """"a table requires 8 hours of labor" (no comparative): numbers tied to variables."""
    if c.rels:
        return False
    _facts(c.toks, 0, len(c.toks), c.nvars, c.sent, c.r)
    return True


@rule("comparatives", kind=RuleKind.CLAUSE, examples=[
    Example("Each table needs 2 hours, and at most 30 chairs can be sold.",
            ["bound: chair <= 30", "fact: table = 2"]),
    Example("There are 40 workers and the shop must make at least 30 chairs.",
            ["bound: chair >= 30", "limit: <= 40"])])
def comparatives_rule(c: Sentence) -> bool:
    """A sentence with comparatives: cut into parts, one comparative each (the PART rules)."""
    toks, rels, sent, nvars, r = c.toks, c.rels, c.sent, c.nvars, c.r
    # "The minimum number of tours (X) they offer is at least 50", "Each channel requires a
    # minimum amount of budget: channel X requires at least $200": the noun "minimum" only
    # names the comparative that follows, with no number in between
    rels = [x for idx, x in enumerate(rels) if not (
        toks[x[0]].low in ("minimum", "maximum", "minimal", "maximal") and idx + 1 < len(rels)
        and not any(t.is_num for t in toks[x[1]:rels[idx + 1][0]]))]
    # "a minimum score, calculated as 2 X plus 3 Y, of at least 20": one comparative
    keep = []
    for idx, x in enumerate(rels):
        if idx + 1 < len(rels) and rels[idx + 1][2] == x[2]:
            nxt = rels[idx + 1]
            mid = toks[x[1]:nxt[0]]
            after = toks[nxt[1]:(rels[idx + 2][0] if idx + 2 < len(rels) else len(toks))]
            free = False
            for j in range(x[1], nxt[0]):
                if toks[j].is_num:
                    ahead = toks[j + 1:j + 10]
                    attached = False
                    for u in ahead:
                        if u.var is not None:
                            attached = True
                            break
                        if u.low in SEPARATORS or u.is_num:
                            break
                    if not attached:
                        free = True
            if any(t.var is not None for t in mid) and not any(t.var is not None for t in after) \
                    and not free:
                continue
            if not any(t.is_num or t.var is not None for t in mid) and len(mid) <= 4:
                continue
        keep.append(x)
    rels = keep
    # split into parts, one comparative each
    bounds = []
    for idx, (s, e, rel) in enumerate(rels):
        if idx == 0:
            continue
        cut = None
        prev_e = rels[idx - 1][1]
        seen_num = False
        for j in range(prev_e, s):
            if toks[j].is_num:
                seen_num = True
            elif seen_num and toks[j].low in (",", "and", "but", "while", "whereas", ";"):
                if toks[j].low == "and" and 0 < j < len(toks) - 1 and \
                        toks[j - 1].var is not None and toks[j + 1].var is not None and \
                        toks[j - 1].var != toks[j + 1].var:
                    continue  # "100 tons of salt and sand in total": one list, not two clauses
                cut = j
                break
        if cut is None:
            for j in range(s - 1, prev_e - 1, -1):
                if toks[j].low in (",", "and", "but", "while", "whereas", ";", "or"):
                    cut = j
                    break
        if cut is None:
            cut = s
        bounds.append(cut)
    # "needs to move 1000 units of product and must have at most 40% ...": the clause
    # before "and must" has no comparative of its own
    first = 0
    modals = ("must", "should", "can", "needs", "has", "have", "wants", "cannot")
    for j in range(1, rels[0][0]):
        if toks[j - 1].low == "and" and any(t.is_num for t in toks[:j]) and (
                toks[j].low in modals or (
                    toks[j].low in ("the", "a", "an", "they", "it", "he", "she", "we") and any(
                        t.low in modals for t in toks[j:min(j + 4, rels[0][0])]) and not any(
                        t.var is not None for t in toks[j:rels[0][0]]))):
            first = j  # "There are 435 employees and the manufacturer must meet ..."
    if first:
        if any(t.var is not None and t.var >= 0 for t in toks[:first - 1]):
            _facts(toks, 0, first - 1, nvars, sent, r)
        else:
            _limits(toks, 0, first - 1, None, sent, r, nvars,
                    " ".join(t.text for t in toks[:first - 1]))
    starts = [first] + [b + 1 for b in bounds]
    ends = bounds + [len(toks)]
    for (lo, hi), (s, e, rel) in zip(zip(starts, ends), rels):
        read_part(toks, lo, hi, s, e, rel, sent, nvars, r)
    return True


def _each_bound(toks: list[Token], lo: int, hi: int, e: int, rel: str, r: Reading, text: str,
                nvars: int, specific: set[int]) -> bool:
    """"at least 1 unit each must be built for both types (X and Y)": a bound per variable."""
    free = [k for k in range(lo, hi) if toks[k].is_num and not toks[k].used]
    if len(free) != 1 or free[0] < e:
        return False
    k = free[0]
    if not any(t.low in ("each", "apiece") for t in toks[k + 1:k + 4]) or \
            any(t.var is not None for t in toks[k + 1:k + 4]):
        return False
    lows = {t.low for t in toks[lo:hi]}
    if lows & {"total", "combined", "sum", "together", "plus", "times", "than", "%"}:
        return False
    targets = sorted(specific) if len(specific) >= 2 else (
        list(range(nvars)) if lows & {"both", "all", "every"} else [])
    if not targets:
        return False
    for v in targets:
        r.cons.append(LinCon({v: 1.0}, rel, toks[k].num or 0.0, ClauseKind.BOUND, text))
    toks[k].used = True
    return True


def _amounts_after(toks: list[Token], lo: int, hi: int, s: int, e: int,
                   specific: set[int]) -> bool:
    """Several variables named before the comparative, then "N units of <attribute>"."""
    if len(specific) < 2 or any(t.var is not None for t in toks[e:hi]) or \
            any(t.is_num for t in toks[lo:s]):
        return False
    if {t.low for t in toks[lo:hi]} & {"total", "combined", "sum", "together", "times", "plus",
                                      "than", "%", "each", "per"}:
        return False
    nums = [k for k in range(e, hi) if toks[k].is_num and not toks[k].used]
    if not nums:
        return False
    for k in nums:
        after = [t.low for t in toks[k + 1:k + 4]]
        if "of" not in after[:2] or toks[k].pct:
            return False
    return True


def read_part(toks: list[Token], lo: int, hi: int, s: int, e: int, rel: str, sent: int,
              nvars: int, r: Reading) -> None:
    """Read the comparative part ``toks[lo:hi]`` (comparative at ``toks[s:e]``) with the PART
    rules, in :data:`optimus.offline.rules.ORDER`."""
    for k in range(e, hi - 1):
        # "... by at least $1000, possibly due to ... project X": the reason is not the sum
        if toks[k].text == "," and toks[k + 1].low in EXPLAIN_WORDS and \
                any(t.is_num for t in toks[e:k]):
            hi = k
            break
    specific = {t.var for t in toks[lo:hi] if t.var is not None and t.var >= 0}
    part_text = " ".join(t.text for t in toks[lo:hi])
    if any(t.low in ("not", "no", "cannot") for t in toks[s:e]) and rel == ">=" and \
            toks[s].low in ("exceed", "exceeds"):
        rel = "<="
    run_rules(RuleKind.PART, Part(toks, lo, hi, s, e, rel, sent, nvars, r, part_text, specific))


# ---------------------------------------------------------------- PART rules

@rule("each_head_bound", kind=RuleKind.PART, examples=[
    Example("A type A press and a type B press are used. Each press can run at most 12 hours.",
            ["bound: A <= 12", "bound: B <= 12"], variables="A and B")])
def each_head_bound_rule(p: Part) -> bool:
    """"Each press can run at most 12 hours" (press names every variable): a bound on each."""
    toks, lo, hi, e, rel, r, part_text = p.toks, p.lo, p.hi, p.e, p.rel, p.r, p.text
    if p.specific:
        return False
    free = [k for k in range(e, hi) if toks[k].is_num and not toks[k].used]
    if not (rel in ("<=", ">=") and hi - lo > 3 and toks[lo].low in ("each", "every") and
            "each_head" in toks[lo + 1].tags and len(free) == 1 and
            not any(t.is_num and not t.used for t in toks[lo:e]) and not toks[free[0]].pct):
        return False
    for v in range(p.nvars):
        r.cons.append(LinCon({v: 1.0}, rel, toks[free[0]].num or 0.0, ClauseKind.BOUND, part_text))
    toks[free[0]].used = True
    return True


@rule("attribute_limit", kind=RuleKind.PART, examples=[
    Example("At most 120 hours of labor are available.", ["limit: <= 120"])])
def attribute_limit_rule(p: Part) -> bool:
    """"at most 150 hours of labor" (no variable named): a limit on an attribute total."""
    if p.specific:
        return False
    _limits(p.toks, p.lo, p.hi, p.rel, p.sent, p.r, p.nvars, p.text)
    return True


@rule("respectively_bounds", kind=RuleKind.PART, examples=[
    Example("The maximum for tables and chairs is 60 and 70 respectively.",
            ["bound: table <= 60", "bound: chair <= 70"])])
def respectively_bounds_rule(p: Part) -> bool:
    """"the maximum for X and Y being 60 and 70 respectively": one bound per variable."""
    return "respectively" in [t.low for t in p.toks[p.lo:p.hi]] and \
        read_resp_bounds(p.toks, p.lo, p.hi, p.rel, p.r, p.text)


@rule("respectively_facts", kind=RuleKind.PART, examples=[
    Example("X and Y yield 3 and 2 units respectively, at least 20 units.",
            ["fact: X = 3", "fact: Y = 2"], variables="X and Y")])
def respectively_facts_rule(p: Part) -> bool:
    """"tables and chairs take 3 and 2 hours respectively, at most ...": the facts before
    the comparative."""
    return "respectively" in [t.low for t in p.toks[p.lo:p.hi]] and \
        _respectively(p.toks, p.lo, p.s, p.nvars, p.sent, p.r, p.toks)


@rule("each_bound", kind=RuleKind.PART, examples=[
    Example("At least 5 units each must be built for both tables and chairs.",
            ["bound: table >= 5", "bound: chair >= 5"])])
def each_bound_rule(p: Part) -> bool:
    """"at least 1 unit each must be built for both types (X and Y)": a bound per variable."""
    return _each_bound(p.toks, p.lo, p.hi, p.e, p.rel, p.r, p.text, p.nvars, p.specific)


@rule("var_is_number", kind=RuleKind.PART, examples=[
    Example("The maximum for tables is 700 units and for chairs is 500 units.",
            ["bound: table <= 700", "bound: chair <= 500"])])
def var_is_number_rule(p: Part) -> bool:
    """"the maximum for X is 700 units and for Y is 500 units": bounds, one per variable."""
    return read_var_is_number(p.toks, p.lo, p.hi, p.rel, p.r, p.text)


@rule("ratio", kind=RuleKind.PART, examples=[
    Example("At least 30% of the total production must be tables.",
            ["ratio: 0.7*table - 0.3*chair >= 0"])])
def ratio_rule(p: Part) -> bool:
    """"at least 30% of the total must be X", "at most a third of the ads are B"."""
    return read_ratio(p.toks, p.lo, p.hi, p.rel, p.r, p.text, p.nvars, p.s)


@rule("more_than", kind=RuleKind.PART, examples=[
    Example("There must be at least 10 more tables than chairs.",
            ["linear: table - chair >= 10"])])
def more_than_rule(p: Part) -> bool:
    """"at least 10 more tours in X than in Y": X - Y >= 10."""
    return read_more_than(p.toks, p.e, p.hi, p.rel, p.r, p.text)


@rule("multiple", kind=RuleKind.PART, examples=[
    Example("There must be at least twice as many chairs as tables.",
            ["multiple: chair - 2*table >= 0"]),
    Example("At least 3 times as many chairs as tables must be made.",
            ["multiple: chair - 3*table >= 0"])])
def multiple_rule(p: Part) -> bool:
    """"at least 3 times as many A as B", "twice as many A than B", "more A than B"."""
    toks = p.toks
    lo = p.s if len({v for _, v in var_mentions(toks, p.s, p.hi)}) == 2 else p.lo
    return read_multiple(toks, lo, p.hi, p.rel, p.r, p.text)


@rule("limit_with_facts", kind=RuleKind.PART, examples=[
    Example("The load is limited to 1000 tons, with each table weighing 3 tons and each chair "
            "weighing 4 tons.", ["resource: 3*table + 4*chair <= 1000"])])
def limit_with_facts_rule(p: Part) -> bool:
    """"limited to 10000 tons, with each tank weighing 3 tons and each aircraft 4 tons"."""
    return read_limit_with_facts(p.toks, p.e, p.hi, p.rel, p.r, p.text)


@rule("number_of_any", kind=RuleKind.PART, examples=[
    Example("The shop must make at least 100 tables or chairs.",
            ["total: table + chair >= 100"])])
def number_of_any_rule(p: Part) -> bool:
    """"at least 1000 t-shirts or hoodies, in any combination": a total."""
    return read_number_of_any(p.toks, p.e, p.hi, p.rel, p.r, p.text, p.nvars)


@rule("bounds", kind=RuleKind.PART, examples=[
    Example("The shop can sell at most 50 tables and 30 chairs.",
            ["bound: table <= 50", "bound: chair <= 30"])])
def bounds_rule(p: Part) -> bool:
    """"at most 50 A and 30 B": bounds on single variables (numbers before it are facts)."""
    if not read_bounds(p.toks, p.s, p.hi, p.rel, p.r, p.text):
        return False
    _facts(p.toks, p.lo, p.s, p.nvars, p.sent, p.r)
    return True


@rule("single_bound", kind=RuleKind.PART, examples=[
    Example("A minimum of 40 units must be allocated to tables.", ["bound: table >= 40"])])
def single_bound_rule(p: Part) -> bool:
    """"a minimum of 400 vehicles must be allocated to route X": one variable, one number."""
    toks, lo, hi, s, rel, r, part_text = p.toks, p.lo, p.hi, p.s, p.rel, p.r, p.text
    specific = p.specific
    # "a minimum of 400 vehicles must be allocated to route X": one variable, one number
    free = [k for k in range(lo, hi) if toks[k].is_num and not toks[k].used]
    ms = var_mentions(toks, lo, hi)
    if len(specific) == 1 and len(free) == 1 and free[0] > s and not any(
            t.low in ("plus", "minus", "times", "difference", "sum", "combined", "total", "than",
                      "ratio", "%", "more", "less", "fewer", "per", "each", "every", "+", "-",
                      "both", "all", "twice", "half", "percent", "proportion", "fraction")
            or t.pct or "generic" in t.tags for t in toks[lo:hi]) and len(ms) == 1:
        v = next(iter(specific))
        r.cons.append(LinCon({v: 1.0}, rel, toks[free[0]].num or 0.0, ClauseKind.BOUND, part_text))
        toks[free[0]].used = True
        return True
    return False


@rule("count_must_be", kind=RuleKind.PART, examples=[
    Example("Each week, at least 25 must be assigned to making tables.", ["bound: table >= 25"])])
def count_must_be_rule(p: Part) -> bool:
    """"at least 25 must be boxes": a bound on the variable named after the number."""
    toks, hi, e, rel, r, part_text = p.toks, p.hi, p.e, p.rel, p.r, p.text
    specific = p.specific
    # "at least 25 must be boxes"
    nums_after = [k for k in range(e, hi) if toks[k].is_num and not toks[k].used]
    if len(specific) == 1 and len(nums_after) == 1:
        k = nums_after[0]
        after = [t.low for t in toks[k + 1:k + 4]]
        if after[:2] in (["must", "be"], ["should", "be"], ["have", "to"], ["are"], ["of"]) or after[:1] == ["are"]:
            v = next(iter(specific))
            vk = [j for j in range(k, hi) if toks[j].var == v]
            if vk:
                r.cons.append(LinCon({v: 1.0}, rel, toks[k].num or 0.0, ClauseKind.BOUND, part_text))
                toks[k].used = True
                return True
    return False


@rule("amounts_after", kind=RuleKind.PART, examples=[
    Example("A mix of tables and chairs must contain at least 130 units of wood.",
            ["limit: >= 130"])])
def amounts_after_rule(p: Part) -> bool:
    """"a paste made from peppers and tomatoes must contain at least 130 units of spice and
    90 units of flavor": amounts of attributes, not of the variables named before."""
    if not _amounts_after(p.toks, p.lo, p.hi, p.s, p.e, p.specific):
        return False
    _limits(p.toks, p.e, p.hi, p.rel, p.sent, p.r, p.nvars, p.text)
    return True


@rule("linear", kind=RuleKind.PART, examples=[
    Example("2 tables plus 3 chairs cannot exceed 50.", ["linear: 2*table + 3*chair <= 50"]),
    Example("The number of chairs must be at least 3 times the number of tables.",
            ["linear: chair - 3*table >= 0"])])
def linear_rule(p: Part) -> bool:
    """"2 units of X and 3 units of Y cannot exceed 50": a linear expression each side (the
    last resort: a part it cannot read is an abstention reason)."""
    toks, lo, hi, s, e, rel, r, part_text = p.toks, p.lo, p.hi, p.s, p.e, p.rel, p.r, p.text
    nvars = p.nvars
    # "Since drones cost more, the number of drones cannot exceed ...": the clause after
    # the last comma is the subject
    lo2 = lo
    intro = toks[lo].low in SUBORDINATE_WORDS
    for j in range(s - 1, lo - 1, -1):
        if intro and toks[j].text == ",":
            if any(toks[q].var is not None for q in range(j + 1, s)):
                lo2 = j + 1
            break
    lhs, c1, loose1 = linear_side(toks, lo2, s, nvars)
    rhs, c2, loose2 = linear_side(toks, e, hi, nvars)
    if not lhs and not rhs:
        r.problems.append(f"constraint sentence not understood: {part_text}")
        return True
    if not lhs:
        # "no more than 36 units of effort, calculated as 3 times X plus 4 times Y"
        free = [k for k in range(e, hi) if toks[k].is_num and not toks[k].used]
        if free and not any(toks[j].var is not None for j in range(e, free[0])):
            k0 = free[0]
            nxt = toks[k0 + 1].low if k0 + 1 < hi else ""
            expr, c3, loose3 = linear_side(toks, k0 + 1, hi, nvars)
            if nxt not in ("times", "%") and len(expr) >= 1 and not loose3 and c3 == 0 and (
                    len(expr) >= 2 or any(toks[j].num is not None and toks[j].var is None
                                          for j in range(k0 + 1, hi))):
                r.cons.append(LinCon(expr, rel, toks[k0].num or 0.0, ClauseKind.LINEAR, part_text))
                mark_numbers_used(toks, lo, hi)
                return True
        # "at least 100 X and Y in total": the comparative came first
        if any(t.low in ("total", "combined", "all", "together") or "generic" in t.tags
               for t in toks[lo:hi]) and len(rhs) >= 1 and c2:
            # nums attached to variables are coefficients; the constant is the limit
            coefs = {v: (c if c != 0 else 1.0) for v, c in rhs.items()}
            r.cons.append(LinCon(coefs, rel, c2, ClauseKind.TOTAL, part_text))
            mark_numbers_used(toks, lo, hi)
            return True
        if c2 and not any(toks[k].var is not None for k in range(lo, s)):
            # "must make at least 1000 t-shirts or hoodies"
            coefs = dict(rhs)
            r.cons.append(LinCon(coefs, rel, c2, ClauseKind.TOTAL, part_text))
            mark_numbers_used(toks, lo, hi)
            return True
        if rhs and not c2 and not loose2 and any(t.low in DEFINE_WORDS | {"given"}
                                                 for t in toks[e:hi]):
            # the bound may come in the next sentence ("This score must be at least 15")
            words = {t.stem for t in toks[lo:e] if t.var is None and not t.is_num
                     and t.low not in STOP and re.match(r"[a-z]", t.low)}
            r.pending = Pending(dict(rhs), rel, words, len(r.problems))
            mark_numbers_used(toks, lo, hi)
        r.problems.append(f"constraint sentence not understood: {part_text}")
        return True
    if loose1 or loose2:
        r.doubts.append(doubt(K.UNPLACED_NUMBERS, f"unplaced numbers in: {part_text}"))
    coefs = dict(lhs)
    for v, c in rhs.items():
        coefs[v] = coefs.get(v, 0.0) - c
    const = c2 - c1
    if all(abs(c) < 1e-12 for c in coefs.values()):
        r.problems.append(f"constraint sentence not understood: {part_text}")
        return True
    if rel != "==" and lhs and rhs and e < hi and toks[e].is_num and \
            toks[s].low in ("at", "more", "less", "fewer", "no", "not") and \
            any("offset_minus" in t.tags for t in toks[e:hi]):
        # "X needs at least 200 fewer than Y", "X gets no more than 10 less than Y": the
        # comparison bounds the gap below Y, so X <= Y - 200 and X >= Y - 10
        rel = "<=" if rel == ">=" else ">="
    r.cons.append(LinCon(coefs, rel, const, ClauseKind.LINEAR, part_text))
    if rel == "<=" and const >= 0 and "difference" in {t.low for t in toks[lo:hi]} and \
            sorted(coefs.values()) == [-1.0, 1.0]:
        # "the difference between X and Y should not exceed 20": either way round; a gap
        # between weighted or several quantities ("between twice X and Y") is written in
        # the order of the text, one-sided
        r.cons.append(LinCon({v: -c for v, c in coefs.items()}, rel, const, ClauseKind.LINEAR,
                             part_text))
    mark_numbers_used(toks, lo, hi)
    return True
