"""Readers for one constraint phrasing each: ratios, multiples, bounds, ranges, totals.

Each reader looks at tokens ``toks[lo:hi]`` of one comparative part of a sentence and either
records a :class:`~optimus.offline.reading.LinCon` (returning True) or leaves the part to the
next reader. :func:`linear_side` reads a linear expression ("2 times X plus 3 times Y").
"""

from __future__ import annotations

from optimus.offline.reading import (ClauseKind, LinCon, Reading, mark_numbers_used, segments,
                                     var_mentions)
from optimus.offline.lexicon import (MINUS_WORDS, OFFSET_MINUS_WORDS, OFFSET_WORDS, PLUS_WORDS,
                                     SHARED_WHOLE_NOUNS)
from optimus.offline.tokens import Token

def linear_side(toks: list[Token], lo: int, hi: int, nvars: int) -> tuple[dict[int, float], float, list[int]]:
    """Linear expression in toks[lo:hi]: coefficients, constant, unexplained numbers."""
    coefs: dict[int, float] = {}
    const = 0.0
    loose: list[int] = []
    sign = 1.0
    pending: tuple[int, float] | None = None  # number waiting for its variable
    pending_sign = 1.0
    difference = 0
    k = lo
    pct_total: float | None = None
    plain: dict[int, list[float]] = {}  # each variable's mentions without a figure
    scaled: dict[int, list[float]] = {}  # ... and with one
    while k < hi:
        t = toks[k]
        low = t.low
        if low in ("difference",):
            difference = 1
        dash_ok = low != "-" or (k + 1 < hi and (toks[k + 1].is_num or toks[k + 1].var is not None))
        if low in MINUS_WORDS and \
                not any(f.startswith("offset") for f in t.tags) and dash_ok:
            sign = -1.0
        if low in PLUS_WORDS and not difference:
            sign = 1.0
        if difference >= 2 and low in ("plus", "+", "add", "added", "adding", "along"):
            # "the difference between X and Y added with (along with, plus) Z": X - Y + Z;
            # "the difference between X, plus Z, minus Y": X + Z - Y
            difference = 0 if difference == 3 else 4
            sign = 1.0
        if t.is_num and (t.used or (k > lo and toks[k - 1].low in ("first", "last", "these",
                                                                     "both", "all"))):
            k += 1  # "the first 2 projects (x1 and x2)": a count, not a coefficient
            continue
        if t.is_num and "by" in [u.low for u in toks[max(lo, k - 4):k]] and not (
                k + 1 < hi and toks[k + 1].low in ("times", "%")):
            const += t.num or 0.0  # "... by more than 4": the difference allowed
            k += 1
            continue
        if t.is_num:
            if pending is not None:
                loose.append(pending[0])
            pending = (k, t.num or 0.0)
            pending_sign = sign
            # "10 more than" / "5 less than" / "200 more units than": an offset
            nxt = toks[k + 1:k + 4]
            for j2 in range(k + 1, min(k + 4, hi)):
                w = toks[j2].low
                if w in OFFSET_WORDS and any(u.low == "than" for u in toks[j2 + 1:j2 + 6]) and not any(
                             u.var is not None or u.is_num for u in toks[j2 + 1:j2 + 6]
                             [:[x.low for x in toks[j2 + 1:j2 + 6]].index("than")]):
                    toks[j2].tags.add("offset_" + ("minus" if w in OFFSET_MINUS_WORDS else "plus"))
                    break
                if toks[j2].is_num or toks[j2].var is not None:
                    break
            for u in nxt:
                if "offset_plus" in u.tags:
                    const += sign * (t.num or 0.0)
                    pending = None
                    break
                if "offset_minus" in u.tags:
                    const -= sign * (t.num or 0.0)
                    pending = None
                    break
            if pending and t.pct or (pending and (t.num or 0) < 1 and k + 1 < hi and toks[k + 1].low == "of"):
                # "30% of the total"
                rest = [u for u in toks[k + 1:hi]]
                if not any(u.var is not None and u.var >= 0 for u in rest[:6]) and any(
                        u.low in ("total", "all", "combined", "sum") or "generic" in u.tags
                        for u in rest[:6]):
                    pct_total = (pct_total or 0) + sign * (t.num or 0.0)
                    pending = None
            k += 1
            continue
        if t.var is not None:
            v = t.var
            j = k
            while j < hi and toks[j].var == v:
                j += 1
            coef = 1.0
            if pending is not None:
                # the number must be close: only filler words in between
                between = toks[pending[0] + 1:k]
                if len(between) <= 9 and all(u.low not in (",", "and", "plus", "minus", "+", "-")
                                             and not u.is_num for u in between):
                    coef = pending[1]
                else:
                    loose.append(pending[0])
                pending = None
            s = sign
            if difference == 4:
                difference = 2  # the term added to the first: the next one is subtracted
            elif difference >= 2:
                s = -1.0
                difference = 3
            if difference == 1:
                difference = 2
            # "X (counted as 2 times)", "x1 (multiplied by a factor of 3 ...)"
            if j < hi and toks[j].text == "(":
                close = next((q for q in range(j, min(hi, j + 16)) if toks[q].text == ")"), None)
                inner = toks[j + 1:close] if close else []
                lows_in = [u.low for u in inner]
                nums_in = [u for u in inner if u.is_num]
                if close and len(nums_in) == 1 and any(w in lows_in for w in (
                        "times", "factor", "multiplied", "weight", "weighted", "counted")):
                    coef = nums_in[0].num or 0.0
                    nums_in[0].used = True
                    j = close + 1
            targets = range(nvars) if v == -1 else [v]
            for tv in targets:
                coefs[tv] = coefs.get(tv, 0.0) + s * coef
                (plain if coef == 1.0 else scaled).setdefault(tv, []).append(s * coef)
            k = j
            continue
        k += 1
    if len(scaled) >= 2 and set(scaled) <= set(plain) and all(
            len(plain[v]) == 1 and len(scaled[v]) == 1 and plain[v][0] > 0 for v in scaled):
        # "the number of X and Y (1.5 times X plus twice Y)": the figures restate the
        # plain mentions, they do not add to them
        for v, (c,) in plain.items():
            if v in scaled:
                coefs[v] -= c
    for v, cs in plain.items():
        if len(cs) >= 2 and v not in scaled and len(set(cs)) == 1:
            # "X gets enough promotion so the difference between X and Z": one X, named twice
            coefs[v] = cs[0]
    if pending is not None:
        const_tok = toks[pending[0]]
        const += pending_sign * (const_tok.num or 0.0)
        loose_const = pending[0]
        toks[loose_const].tags.add("const")
    if pct_total is not None:
        for v in range(nvars):
            coefs[v] = coefs.get(v, 0.0) + pct_total
    return coefs, const, loose


def read_bounds(toks: list[Token], lo: int, hi: int, rel: str, r: Reading, text: str) -> bool:
    """"at most 50 A and 30 B", "at least 25 must be boxes": bounds on single variables."""
    found = []
    for k in range(lo, hi):
        t = toks[k]
        if not t.is_num or t.used or t.pct:
            continue
        if (t.num or 0) < 1 and k + 1 < hi and toks[k + 1].low == "of":
            continue  # "not less than 0.5 of Y": a fraction of Y, not a bound on Y
        j = k + 1
        while j < hi and j - k <= 4 and toks[j].var is None and not toks[j].is_num and \
                toks[j].low not in (",", "and", "or", "than", "times", "more", "less", "%"):
            j += 1
        if j < hi and toks[j].var is not None and toks[j].var >= 0:
            found.append((k, toks[j].var))
    if not found:
        return False
    others = [k for k in range(lo, hi) if toks[k].is_num and not toks[k].used
              and k not in {f[0] for f in found}]
    if others:
        return False
    specific = {t.var for t in toks[lo:hi] if t.var is not None and t.var >= 0}
    if len(specific) != len({v for _, v in found}):
        return False
    for k, v in found:
        r.cons.append(LinCon({v: 1.0}, rel, toks[k].num or 0.0, ClauseKind.BOUND, text))
        toks[k].used = True
    return True


def read_multiple(toks: list[Token], lo: int, hi: int, rel: str | None, r: Reading, text: str) -> bool:
    """"at least 3 times as many A as B", "twice as many A than B", "more A than B"."""
    lows = [t.low for t in toks[lo:hi]]
    has_as = any(lows[i:i + 2] in (["as", "many"], ["as", "much"]) for i in range(len(lows)))
    has_than = "than" in lows
    if not (has_as or has_than):
        return False
    mentions = []
    for k in range(lo, hi):
        if toks[k].var is not None and toks[k].var >= 0 and (k == lo or toks[k - 1].var != toks[k].var):
            mentions.append((k, toks[k].var))
    if len({v for _, v in mentions}) != 2 or len(mentions) != 2:
        return False
    (ka, a), (kb, b) = mentions
    nums = [k for k in range(lo, ka) if toks[k].is_num and not toks[k].used]
    between = [t.low for t in toks[ka:kb]]
    if not ("as" in between or "than" in between):
        return False
    if any(toks[k].is_num and not toks[k].used and (k + 1 >= hi or toks[k + 1].low != "times")
           for k in range(ka, kb)):
        return False
    mult = 1.0
    if not nums:
        # "trains must be at least 2 times as many as pipelines"
        nums = [k for k in range(ka, kb) if toks[k].is_num and not toks[k].used
                and k + 1 < hi and toks[k + 1].low == "times"]
    if nums:
        if len(nums) > 1:
            return False
        k = nums[0]
        nxt = toks[k + 1].low if k + 1 < hi else ""
        if nxt not in ("times", "x") and not toks[k].pct:
            return False
        mult = toks[k].num or 0.0
        toks[k].used = True
    if rel is None:
        rel = ">="
    r.cons.append(LinCon({a: 1.0, b: -mult}, rel, 0.0, ClauseKind.MULTIPLE, text))
    return True


def read_ratio(toks: list[Token], lo: int, hi: int, rel: str, r: Reading, text: str,
           nvars: int, s: int | None = None) -> bool:
    """"at least 30% of the total must be X", "at most a third of the ads are B"."""
    lo0 = lo
    if s is not None and len({v for _, v in var_mentions(toks, lo, hi)}) > 1:
        lo = s
    nums = [k for k in range(lo, hi) if toks[k].is_num and not toks[k].used]
    if len(nums) != 1:
        return False
    k = nums[0]
    t = toks[k]
    frac = t.pct or ((t.num or 0) < 1 and k + 1 < hi and toks[k + 1].low == "of")
    if not frac:
        return False
    specific = [toks[j].var for j in range(lo, hi) if toks[j].var is not None and toks[j].var >= 0]
    vs = set(specific)
    rest = toks[k + 1:hi]
    totalish = (k + 1 < hi and toks[k + 1].low == "of") or any(
        u.low in ("total", "all", "combined", "overall", "sum") or "generic" in u.tags
        or (u.var == -1) for u in rest) or any(
        u.low in SHARED_WHOLE_NOUNS for u in rest)
    if len(vs) != 1 or not totalish:
        return False  # "A must be at least 30% of B": the linear reader's
    subject_before = any(toks[j].var is not None and toks[j].var >= 0 for j in range(lo0, k))
    if k + 1 < hi and toks[k + 1].low == "of" and subject_before:
        for u in toks[k + 2:k + 6]:
            if "generic" in u.tags or u.var == -1 or u.low in ("total", "all", "combined"):
                break
            if u.var is not None and u.var >= 0:
                return False  # "half of Y": a linear relation between two variables
    v = vs.pop()
    p = t.num or 0.0
    coefs = {j: -p for j in range(nvars)}
    coefs[v] = coefs[v] + 1.0
    r.cons.append(LinCon(coefs, rel, 0.0, ClauseKind.RATIO, text))
    t.used = True
    return True


def read_resp_bounds(toks, lo, hi, rel, r, text) -> bool:
    """"the maximum for X and Y being 60 and 70 respectively"."""
    ms = var_mentions(toks, lo, hi)
    nums = [k for k in range(lo, hi) if toks[k].is_num and not toks[k].used]
    if len(ms) < 2 or len(ms) != len(nums) or len({v for _, v in ms}) != len(ms):
        return False
    if nums[0] < ms[-1][0]:
        return False
    if any(t.low in ("times", "plus", "minus", "difference", "sum", "combined", "total")
           for t in toks[lo:hi]):
        return False
    for (_, v), k in zip(ms, nums):
        r.cons.append(LinCon({v: 1.0}, rel, toks[k].num or 0.0, ClauseKind.BOUND, text))
        toks[k].used = True
    return True


def read_var_is_number(toks, lo, hi, rel, r, text) -> bool:
    """"the maximum for X is 700 units and for Y is 500 units": bounds, one per variable."""
    ms = var_mentions(toks, lo, hi)
    nums = [k for k in range(lo, hi) if toks[k].is_num and not toks[k].used]
    if len(ms) < 2 or len(ms) != len(nums) or len({v for _, v in ms}) != len(ms):
        return False
    if any(t.low in ("times", "plus", "minus", "difference", "sum", "combined", "total", "than",
                     "between")
           for t in toks[lo:hi]):
        return False
    for i, (k, v) in enumerate(ms):
        nk = nums[i]
        nxt_m = ms[i + 1][0] if i + 1 < len(ms) else hi
        if not (k < nk < nxt_m) or not any(t.low in ("is", "are", "be", "being", "at", "of", "to")
                                          for t in toks[k:nk]):
            return False
    for (_, v), k in zip(ms, nums):
        r.cons.append(LinCon({v: 1.0}, rel, toks[k].num or 0.0, ClauseKind.BOUND, text))
        toks[k].used = True
    return True


def read_limit_with_facts(toks, e, hi, rel, r, text) -> bool:
    """"limited to 10000 tons, with each tank weighing 3 tons and each aircraft 4 tons"."""
    nums = [k for k in range(e, hi) if toks[k].is_num and not toks[k].used]
    if len(nums) < 2 or any(toks[k].var is not None for k in range(e, nums[0])):
        return False
    k0 = nums[0]
    tail = [t.low for t in toks[k0 + 1:k0 + 6]]
    if not any(w in ("with", "where", "while", "given") for w in tail):
        return False
    coefs: dict[int, float] = {}
    for (s2, e2) in segments(toks, k0 + 1, hi):
        vs = {t.var for t in toks[s2:e2] if t.var is not None and t.var >= 0}
        ns = [k for k in range(s2, e2) if toks[k].is_num and not toks[k].used]
        if not ns and not vs:
            continue
        if len(vs) != 1 or len(ns) != 1:
            return False
        coefs[vs.pop()] = toks[ns[0]].num or 0.0
    if len(coefs) < 2:
        return False
    r.cons.append(LinCon(coefs, rel, toks[k0].num or 0.0, ClauseKind.RESOURCE, text))
    mark_numbers_used(toks, e, hi)
    return True


def read_number_of_any(toks, e, hi, rel, r, text, nvars) -> bool:
    """"at least 1000 t-shirts or hoodies, in any combination": a total."""
    nums = [k for k in range(e, hi) if toks[k].is_num and not toks[k].used]
    if len(nums) != 1:
        return False
    k = nums[0]
    ms = var_mentions(toks, k + 1, hi)
    if len(ms) < 2 or len({v for _, v in ms}) != len(ms):
        return False
    between = [t.low for t in toks[k + 1:ms[-1][0]] if t.var is None]
    if not between or any(w not in ("or", "and", ",", "the", "a") for w in between):
        return False
    r.cons.append(LinCon({v: 1.0 for _, v in ms}, rel, toks[k].num or 0.0, ClauseKind.TOTAL, text))
    toks[k].used = True
    return True


def read_more_than(toks, e, hi, rel, r, text) -> bool:
    """"at least 10 more tours in X than in Y": X - Y >= 10."""
    ms = var_mentions(toks, e, hi)
    nums = [k for k in range(e, hi) if toks[k].is_num and not toks[k].used]
    if len(ms) != 2 or len(nums) != 1 or ms[0][1] == ms[1][1]:
        return False
    k = nums[0]
    (ka, a), (kb, b) = ms
    if not k < ka:
        return False
    mid = [t.low for t in toks[k + 1:ka]]
    between = [t.low for t in toks[ka:kb]]
    if "than" not in between or not any(w in ("more", "fewer", "less") for w in mid):
        return False
    if any(w == "times" for w in mid):
        return False
    sign = 1.0 if "more" in mid else -1.0
    r.cons.append(LinCon({a: sign, b: -sign}, rel, toks[k].num or 0.0, ClauseKind.LINEAR, text))
    toks[k].used = True
    return True


def _pair(toks: list[Token], i: int) -> tuple[int, int, int] | None:
    """"[0, 3000]", "(0, 400)", "0-500", "0 - 500" at ``i``: (low index, high index, end)."""
    j = i
    close = None
    if j < len(toks) and toks[j].text in ("[", "("):
        close = "]" if toks[j].text == "[" else ")"
        j += 1
    if j + 2 < len(toks) and toks[j].is_num and toks[j + 1].text in (",", "-", "to") and \
            toks[j + 2].is_num and not toks[j].pct and not toks[j + 2].pct:
        end = j + 3
        if close:
            if end >= len(toks) or toks[end].text != close:
                return None
            end += 1
        if (toks[j].num or 0) <= (toks[j + 2].num or 0):
            return j, j + 2, end
    return None


def read_intervals(toks: list[Token], r: Reading, text: str) -> None:
    """"x1: [0, 3000]", "X1: 0-500", "0-15 units for project X1": lower and upper bounds."""
    for i, t in enumerate(toks):
        if t.var is None or t.var < 0:
            continue
        # "x1: [0, 3000]" / "x1:0-500"
        if i + 1 < len(toks) and toks[i + 1].text in (":", "("):
            got = _pair(toks, i + 2 if toks[i + 1].text == ":" else i + 1)
            if got and not toks[got[0]].used and not toks[got[1]].used:
                _two_bounds(toks, got, t.var, r, text)
                continue
        # "0-15 units for project X1", "between 0-10 for X"
        for back in range(i - 1, max(-1, i - 6), -1):
            if toks[back].low == "for":
                k = back - 1
                while k >= 0 and toks[k].low in ("units", "unit", "hours", "hour", "acres"):
                    k -= 1
                start = k - 2
                if k >= 2 and toks[k].is_num and toks[k - 1].text == "-" and toks[start].is_num \
                        and not toks[k].used and not toks[start].used and \
                        (toks[start].num or 0) <= (toks[k].num or 0) and \
                        all(u.var is None for u in toks[back + 1:i]):
                    _two_bounds(toks, (start, k, k + 1), t.var, r, text)
                break
            if toks[back].var is not None or toks[back].is_num:
                break


def _two_bounds(toks: list[Token], got: tuple[int, int, int], v: int, r: Reading,
                text: str) -> None:
    lo_k, hi_k, _ = got
    if (toks[lo_k].num or 0) > 0:
        r.cons.append(LinCon({v: 1.0}, ">=", toks[lo_k].num or 0.0, ClauseKind.BOUND, text))
    r.cons.append(LinCon({v: 1.0}, "<=", toks[hi_k].num or 0.0, ClauseKind.BOUND, text))
    toks[lo_k].used = toks[hi_k].used = True
    toks[lo_k + 1].tags.add("chained")


def read_chained(toks: list[Token], r: Reading, text: str) -> None:
    """"1000 <= hydro <= 4000", "-100 <= x4 <= 300": a chained inequality, two bounds."""
    for i in range(len(toks) - 4):
        a, op1, v, op2, b = toks[i:i + 5]
        if a.is_num and b.is_num and v.var is not None and v.var >= 0 and not a.used and \
                not b.used and op1.text == op2.text and op1.text in ("<=", "<", ">=", ">") and \
                (i + 5 >= len(toks) or toks[i + 5].var is None):
            lo_rel, hi_rel = (">=", "<=") if op1.text in ("<=", "<") else ("<=", ">=")
            first = a.num or 0.0
            if i > 0 and toks[i - 1].text == "-" and (i < 2 or toks[i - 2].num is None):
                first = -first  # "-100 <= x4 <= 300"
            r.cons.append(LinCon({v.var: 1.0}, lo_rel, first, ClauseKind.BOUND, text))
            r.cons.append(LinCon({v.var: 1.0}, hi_rel, b.num or 0.0, ClauseKind.BOUND, text))
            a.used = b.used = True
            for t in toks[i:i + 5]:
                t.tags.add("chained")


def read_from_to(toks: list[Token], r: Reading, text: str) -> None:
    """"X can range from 0 to 1500", "Y must be between 10 and 40": two bounds."""
    lows = [t.low for t in toks]
    for i in range(len(toks) - 3):
        if lows[i] in ("from", "between") and toks[i + 1].is_num and not toks[i + 1].used and \
                lows[i + 2] in ("to", "and", "-") and i + 3 < len(toks) and toks[i + 3].is_num:
            k = i + 3
            if k + 1 < len(toks) and toks[k + 1].low in ("times", "%"):
                continue
            before = [toks[j].var for j in range(i - 1, max(-1, i - 8), -1)
                      if toks[j].var is not None and toks[j].var >= 0]
            if not before or lows[i - 1] in ("difference",) or "difference" in lows[max(0, i - 8):i]:
                continue
            v = before[0]
            r.cons.append(LinCon({v: 1.0}, ">=", toks[i + 1].num or 0.0, ClauseKind.BOUND, text))
            r.cons.append(LinCon({v: 1.0}, "<=", toks[k].num or 0.0, ClauseKind.BOUND, text))
            toks[i + 1].used = toks[k].used = True
