"""Find the decision variables of a word problem and mark where each is mentioned.

Two kinds of texts: symbolic ones name the variables ("routes x1, x2 and x3", "units X
and Y"), and stories list the things to decide on ("makes tables and chairs", "either
rickshaws or ox carts"). A candidate list is kept when each item is mentioned again
elsewhere in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from optimus.offline.lexicon import (BE_WORDS, BOUNDARY, COMMIT_WORDS, GENERIC_HEAD_WORDS, IE_NOUNS,
                                     INTRO_WORDS, MEASURE_NOUNS, NOT_NUMBERED_WORDS,
                                     NOT_VARIABLE_WORDS, PRONOUNS, VERBISH_WORDS, VES_PLURALS,
                                     learned)
from optimus.offline.tokens import Token, stem

_LEARNED_BEFORE = set(learned().get("before_var", []))
_LEARNED_AFTER = set(learned().get("after_var", []))
GENERIC_HEADS = {stem(w) for w in GENERIC_HEAD_WORDS}
NOT_VARIABLE = {stem(w) for w in NOT_VARIABLE_WORDS}


@dataclass
class Var:
    """A decision variable: its display phrase, the stems that name it, an identifier."""

    phrase: str
    stems: list[str]
    symbol: bool = False
    distinct: set[str] = field(default_factory=set)
    alias: list[str] = field(default_factory=list)  # "patient care (X)": stems of the name
    alias_distinct: set[str] = field(default_factory=set)
    ident: str = ""


_SYMBOL = re.compile(r"^(?:[xX]\d+|[A-Z]|[A-Z]\d+|[a-zA-Z]{1,4}\d+|[a-z]{5,12}[1-9])$")

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def numbered_names(text: str) -> str:
    """"type 1 and type 2", "supplier 1 ... supplier 2", "the first mix and the second mix":
    numbered options become one word each ("type1", "mix2") so they read as variables.

    Only when the same noun comes with the numbers 1 and 2 (and maybe 3, 4, 5).
    """
    found: dict[str, set[int]] = {}
    for m in re.finditer(r"\b([A-Za-z]{3,12}) ([1-9])\b(?![.,]\d|%| ?(?:percent|%))", text):
        w = m.group(1).lower()
        if w not in NOT_NUMBERED_WORDS and not w.endswith("s"):  # "generates 2": a verb
            found.setdefault(w, set()).add(int(m.group(2)))
    out = text
    for w, nums in found.items():
        if {1, 2} <= nums and nums <= set(range(1, 6)):
            out = re.sub(rf"\b({w}) ([1-9])\b(?![.,]\d)", lambda m: m.group(1).lower() + m.group(2),
                         out, flags=re.I)
    ords: dict[str, set[int]] = {}
    for m in re.finditer(r"\b(first|second|third|fourth) ([a-z]{3,12})\b", text, re.I):
        ords.setdefault(m.group(2).lower(), set()).add(_ORDINALS[m.group(1).lower()])
    for w, nums in ords.items():
        if {1, 2} <= nums and w not in NOT_NUMBERED_WORDS and w not in ("one", "time", "half"):
            out = re.sub(rf"\b(first|second|third|fourth) ({w})\b",
                         lambda m: m.group(2).lower() + str(_ORDINALS[m.group(1).lower()]), out,
                         flags=re.I)
    return out


def _symbol_vars(sents: list[list[Token]]) -> list[Var]:
    found: list[str] = []
    counts: dict[str, int] = {}
    for toks in sents:
        for i, t in enumerate(toks):
            if not _SYMBOL.match(t.text) or t.text == "I":
                continue
            if t.text == "A" and (i == 0 or toks[i - 1].text in (".", ":", "\n")):
                continue  # the article
            if re.match(r"^[xX]\d+$", t.text):
                name = "x" + t.text[1:]
            else:
                name = t.text
            counts[name] = counts.get(name, 0) + 1
            if name not in found:
                found.append(name)
    xs = [f for f in found if re.match(r"^x\d+$", f)]
    if len(xs) >= 2:
        vs = [Var(phrase=f, stems=[f.lower()], symbol=True, distinct={f.lower()})
              for f in sorted(set(xs), key=lambda s: int(s[1:]))]
        _set_aliases(vs, _aliases(sents))
        return vs
    coded = [f for f in found if re.match(r"^[A-Za-z]{1,4}\d+$", f) and counts[f] >= 2
             or re.match(r"^[a-z]{5,12}[1-9]$", f)]  # joined by numbered_names
    prefixes = {re.sub(r"\d+$", "", f).lower() for f in coded}
    if 2 <= len(coded) <= 6 and len(prefixes) == 1:
        if len(prefixes) == 1:
            coded.sort(key=lambda s: int(re.sub(r"^\D+", "", s)))
        return [Var(phrase=f, stems=[f.lower()], symbol=True, distinct={f.lower()}) for f in coded]
    aliases = _aliases(sents)
    letters = [f for f in found if len(f) == 1 and (counts[f] >= 2 or f in aliases)]
    if not letters and len(aliases) >= 2:
        letters = list(aliases)  # lowercase symbols named in parentheses: "(x)", "(y)"
    if len(letters) >= 2:
        # order of first appearance: "costs of 30, 20 and 40 respectively" follows it
        vs = [Var(phrase=f, stems=[f.lower()], symbol=True, distinct={f.lower()}) for f in letters]
        _set_aliases(vs, aliases)
        return vs
    return []


def _set_aliases(vs: list[Var], aliases: dict[str, list[str]]) -> None:
    """The words naming each symbol, and those that tell it apart from the others."""
    for v in vs:
        v.alias = aliases.get(v.phrase, [])
    others = [set(v.alias) for v in vs]
    for i, v in enumerate(vs):
        rest = set().union(*(o for j, o in enumerate(others) if j != i)) if len(vs) > 1 else set()
        v.alias_distinct = {s for s in v.alias if s not in rest and s not in GENERIC_HEADS}


def _aliases(sents: list[list[Token]]) -> dict[str, list[str]]:
    """"patient care (X), medical research (Y)": the words that name each symbol."""
    out: dict[str, list[str]] = {}
    for toks in sents:
        for i in range(1, len(toks) - 2):
            if toks[i].text != "(":
                continue
            # "(X)", and "(for route X)", "(group X)", "(represented by X)", "(x1)"
            close = next((j for j in range(i + 2, min(len(toks), i + 6)) if toks[j].text == ")"),
                         None)
            if close is None:
                continue
            sym = toks[close - 1]
            filler = toks[i + 1:close - 1]
            if (len(sym.text) == 1 and sym.text.isalpha() and sym.low not in ("a", "i")
                    or re.match(r"^[xX]\d+$", sym.text)) and all(
                    re.match(r"[a-z]+$", u.low) and u.num is None for u in filler):
                words = []
                j = i - 1
                while j >= 0 and len(words) < 3 and toks[j].num is None and \
                        toks[j].low not in BOUNDARY and re.match(r"[A-Za-z]", toks[j].text):
                    words.insert(0, toks[j].stem)
                    j -= 1
                if words:
                    key = sym.text.upper() if len(sym.text) == 1 else "x" + sym.text[1:]
                    out.setdefault(key, words)  # "residential (x)", "inventory (x1)"
    return out


def _item_back(toks: list[Token], end: int) -> tuple[list[Token], int]:
    """Tokens of a list item ending at ``end`` (exclusive), going back; and its start."""
    j = end
    while j > 0 and end - j < 4:
        t = toks[j - 1]
        if j >= 2 and t.low.endswith("ed") and toks[j - 2].low in BE_WORDS:
            break  # "must be moved and ...": a verb, not a listed item
        if t.num is not None or t.low in BOUNDARY or t.low in _LEARNED_BEFORE or \
                (j < end and len(t.low) > 4 and t.low.endswith("s") and (
                    t.low[:-1] in BOUNDARY or (t.low.endswith("es") and t.low[:-2] in BOUNDARY))) \
                or not re.match(r"[A-Za-z0-9]", t.text):
            break
        j -= 1
    return toks[j:end], j


def _item_fwd(toks: list[Token], start: int) -> list[Token]:
    j = start
    if j < len(toks) and toks[j].low in ("by", "using", "through", "via", "with", "in", "on"):
        j += 1
    while j < len(toks) and toks[j].low in ("a", "an", "the"):
        j += 1
    k = j
    while k < len(toks) and k - j < 4:
        t = toks[k]
        if t.num is not None or t.low in BOUNDARY or not re.match(r"[A-Za-z0-9]", t.text):
            break
        k += 1
    return toks[j:k]


def _lists(toks: list[Token]) -> list[list[list[Token]]]:
    out = []
    for i, t in enumerate(toks):
        if t.low not in ("and", "or") or i == 0:
            continue
        right = _item_fwd(toks, i + 1)
        if not right:
            continue
        j = i - 1 if toks[i - 1].text == "," else i
        items = []
        first, start = _item_back(toks, j)
        if not first:
            continue
        items.append(first)
        while start > 1 and toks[start - 1].text == ",":
            prev, s2 = _item_back(toks, start - 1)
            if not prev:
                break
            if s2 >= 2 and toks[s2 - 1].low == "of" and toks[s2 - 2].low in ("types", "type", "kinds", "kind"):
                break  # "two types of paint, gel and acrylic": the category, not an item
            items.insert(0, prev)
            start = s2
        items.append(right)
        for k in range(len(items) - 1):
            cand = items[k:]
            if 2 <= len(cand) <= 5:
                out.append(cand)
    return out


def _count(stems: list[str], sents: list[list[Token]]) -> int:
    key = stems[-1] if len(stems) == 1 else None
    n = 0
    for toks in sents:
        ss = [t.stem for t in toks]
        if key is not None:
            n += key in ss
        else:
            n += any(ss[i:i + len(stems)] == stems for i in range(len(ss)))
    return n


def _trim(item: list[Token], sents: list[list[Token]]) -> list[Token]:
    """"shipper loads crates": drop leading words that never come back with the rest."""
    if len(item) > 1 and _count([t.stem for t in item], sents) <= 1:
        for k in range(1, len(item)):
            if _count([t.stem for t in item[k:]], sents) >= 2:
                return item[k:]
    return item


def _distribute(items: list[list[Token]], sents: list[list[Token]]) -> list[list[Token]]:
    """"small and large production lines" -> both get the head "production line"."""
    last = items[-1]
    first = items[0]
    st = lambda it: [t.stem for t in it]  # noqa: E731
    if len(first) >= 2 and all(len(it) == 1 for it in items[1:]):
        mod = first[:-1]
        if all(_count(st(mod + it), sents) >= 1 for it in items[1:]):
            return [first] + [mod + it for it in items[1:]]
    if len(last) < 2 or any(len(it) != 1 for it in items[:-1]):
        return items
    head = last[1:]
    if all(_count(st(it + head), sents) >= 1 for it in items[:-1]):
        return [it + head for it in items[:-1]] + [last]
    return items


def _named_vars(sents: list[list[Token]]) -> list[Var]:
    best: tuple[float, list[list[str]]] | None = None
    seen = set()
    for si, toks in enumerate(sents):
        for cand in _lists(toks):
            stems_list = [[t.stem for t in it] for it in cand]
            key = tuple(tuple(s) for s in stems_list)
            if key in seen:
                continue
            seen.add(key)
            if any(all(s in NOT_VARIABLE for s in it) for it in stems_list):
                continue
            cand = [_trim(it, sents) for it in cand]
            cand = _distribute(cand, sents)
            stems_list = [[t.stem for t in it] for it in cand]
            if len({tuple(s) for s in stems_list}) < len(stems_list):
                continue
            vs = _make_vars([" ".join(t.text for t in it) for it in cand], stems_list)
            if vs is None:
                continue
            counts = [sum(_mentions_in(v, vs, toks) for toks in sents) for v in vs]
            score = min(min(counts), 3) - 0.01 * si
            if not all(it[0].text[:1].isupper() for it in cand):
                score += 0.005  # "John and William ... sell lemonade and brownies": not names
            if min(counts) >= 2 and (best is None or score > best[0]):
                best = (score, [list(map(str, s)) for s in stems_list])
                best_vars = vs
    if best is None:
        return []
    return best_vars


def _make_vars(phrases: list[str], stems_list: list[list[str]]) -> list[Var] | None:
    vs = []
    for phrase, stems in zip(phrases, stems_list):
        others = {s for o in stems_list if o is not stems for s in o}
        distinct = {s for s in stems if s not in others and s not in GENERIC_HEADS}
        if not distinct:
            return None
        vs.append(Var(phrase=phrase, stems=stems, distinct=distinct))
    return vs


def _mentions_in(v: Var, vs: list[Var], toks: list[Token]) -> int:
    n = 0
    i = 0
    while i < len(toks):
        j = i
        while j < len(toks) and toks[j].stem in v.stems:
            j += 1
        if j > i:
            window = {t.stem for t in toks[i:j]}
            if window & v.distinct and not any(window & o.distinct for o in vs if o is not v):
                n += 1
            i = j
        else:
            i += 1
    return n


def _prune_distinct(vs: list[Var], sents: list[list[Token]]) -> None:
    """"solar power" in the text: "power" does not tell "wind power ..." apart."""
    for v in vs:
        others = {s for o in vs if o is not v for s in o.distinct}
        drop = set()
        for toks in sents:
            for a, b in zip(toks, toks[1:]):
                if a.stem in others and b.stem in v.distinct:
                    drop.add(b.stem)
        if v.distinct - drop:
            v.distinct -= drop


def _singular(word: str) -> str:
    """English singular of a plural noun, for identifiers ("pies" -> "pie", "boxes" -> "box")."""
    w = word
    low = w.lower()
    if low in VES_PLURALS:
        return VES_PLURALS[low]
    if low.endswith("ies") and (low[:-1] in IE_NOUNS or len(low) <= 4):
        return w[:-1]
    for suf, rep in (("atoes", "ato"), ("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("xes", "x"), ("sses", "ss"),
                     ("uses", "us")):
        if low.endswith(suf) and len(low) >= len(suf) + 1:
            return w[: -len(suf)] + rep
    if low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3:
        return w[:-1]
    return w


_CATEGORIES: set[str] = set()


def _subject_phrase(toks: list[Token], s: int, e: int) -> tuple[list[Token], int] | None:
    """The noun phrase opening a clause ("Each serving of juice | contains 7 units")."""
    j = s
    while j < e and toks[j].low in INTRO_WORDS:
        j += 1
    k = j
    while k < e and k - j < 4:
        t = toks[k]
        if t.low == "of" and k == j + 1 and _singular(toks[j].low) in MEASURE_NOUNS:
            j = k + 1
            while j < e and toks[j].low in ("a", "an", "the"):
                j += 1
            k = j
            continue
        if t.num is not None or not re.match(r"[A-Za-z]", t.text) or t.low in BOUNDARY or \
                t.low in _LEARNED_AFTER or t.low in _LEARNED_BEFORE:
            break
        k += 1
        if len(t.low) > 3 and t.low.endswith("s") and t.stem != t.low and k - j >= 1 and \
                k < e and toks[k].num is None and toks[k].low not in ("of",):
            break  # "assistant tutors | work 4 hours": a plural noun ends the phrase
    if k == j or k >= e or toks[j].low in PRONOUNS:
        return None
    return toks[j:k], k


def _subject_vars(sents: list[list[Token]]) -> list[Var]:
    """Variables as the subjects of parallel figures, when no listed phrase names them.

    "A shuttle bus costs $20 and carries 7 workers, whereas a taxi service costs $50 and
    carries 5 workers": the clause subjects that come with a number and share what the
    number measures (here "$" and "workers") are the things to decide on.
    """
    subj: dict[tuple[str, ...], tuple[list[Token], set[str]]] = {}
    order: list[tuple[str, ...]] = []
    for toks in sents:
        cuts = [i for i, t in enumerate(toks) if t.low in (",", ";", "while", "whereas", "but")]
        bounds = [-1] + cuts + [len(toks)]
        for s, e in zip(bounds, bounds[1:]):
            s += 1
            if e - s < 3 or {t.low for t in toks[s:e]} & COMMIT_WORDS:
                continue
            got = _subject_phrase(toks, s, e)
            if got is None:
                continue
            phrase, k = got
            nums = [q for q in range(k, e) if toks[q].num is not None]
            if not nums:
                continue
            stems = tuple(t.stem for t in phrase)
            if all(x in NOT_VARIABLE for x in stems):
                continue
            attr = {"$"} if any(toks[q].money for q in nums) else set()
            for q in nums:
                for t in toks[q + 1:q + 4]:
                    if t.num is not None or t.low in ("and", ","):
                        break
                    if re.match(r"[a-z]", t.low) and t.low not in BOUNDARY:
                        attr.add(t.stem)
            if stems not in subj:
                subj[stems] = (phrase, set())
                order.append(stems)
            subj[stems][1].update(attr)
    # keep the subjects that share what their numbers measure with another subject
    keep = [k for k in order if any(subj[k][1] & subj[o][1] for o in order if o != k)]
    if not 2 <= len(keep) <= 5:
        return []
    stems_list = [list(k) for k in keep]
    vs = _make_vars([" ".join(t.text for t in subj[k][0]) for k in keep], stems_list)
    if vs is None:
        return []
    counts = [sum(_mentions_in(v, vs, toks) for toks in sents) for v in vs]
    if min(counts) < 2:
        return []
    return vs


def find_variables(sents: list[list[Token]]) -> list[Var]:
    """The decision variables, symbolic (x1, X) first, else named from a listed phrase."""
    _CATEGORIES.clear()
    for toks in sents:
        for a, b, c in zip(toks, toks[1:], toks[2:]):
            if a.low in ("types", "type", "kinds", "kind", "sizes") and b.low == "of" and c.num is None:
                _CATEGORIES.add(c.stem)
        for a, b, c in zip(toks, toks[1:], toks[2:]):
            if a.low == "of" and b.low == "each" and c.num is None and c.low not in BOUNDARY:
                _CATEGORIES.add(c.stem)
        for i, t in enumerate(toks):
            if t.num is not None and 2 <= t.num <= 4 and not t.money and not t.pct and \
                    toks is sents[0]:
                nxt = toks[i + 1:i + 4]
                if any(u.text in (",", ":") or u.low in ("by", "using") for u in nxt[1:]):
                    for u in nxt:
                        if u.text in (",", ":") or u.low in BOUNDARY:
                            break
                        if u.low not in ("different", "distinct", "separate", "main"):
                            _CATEGORIES.add(u.stem)
    vs = _symbol_vars(sents)
    if not vs:
        vs = _named_vars(sents)
        if not vs:
            vs = _subject_vars(sents)
        _prune_distinct(vs, sents)
    used: set[str] = set()
    for v in vs:
        words = v.phrase.split() if v.symbol else [_singular(w) for w in v.phrase.split()]
        base = v.phrase if v.symbol else re.sub(r"[^a-z0-9]+", "_", " ".join(words).lower()).strip("_") or "x"
        if base[0].isdigit():
            base = "n" + base
        name = base
        k = 2
        while name in used:
            name = f"{base}_{k}"
            k += 1
        used.add(name)
        v.ident = name
    return vs


def _mark_aliases(toks: list[Token], vs: list[Var]) -> None:
    i = 0
    while i < len(toks):
        hit = None
        for k, v in enumerate(vs):
            if not v.alias_distinct:
                continue
            j = i
            while j < len(toks) and toks[j].stem in v.alias and toks[j].var is None:
                j += 1
            if j > i and {t.stem for t in toks[i:j]} & v.alias_distinct:
                hit = (k, j)
                break
        if hit:
            for t in toks[i:hit[1]]:
                t.var = hit[0]
            i = hit[1]
        else:
            i += 1


# nouns that own the things decided on, never one of them ("the logging company")
_OWNERS = NOT_VARIABLE | {stem(w) for w in ("firm", "manager", "owner", "business", "shop",
                                              "industry", "corporation", "organization")}


def _article(toks: list[Token], i: int) -> bool:
    """"A bag of brand A": the first "A" is the article, not the variable A."""
    t = toks[i]
    if t.text != "A" or i + 1 >= len(toks):
        return False
    if i > 0 and toks[i - 1].text not in (".", ":", "\n", ";", '"', "(") and not (
            toks[i - 1].low in ("and", "while", "whereas", "but") and i >= 2
            and toks[i - 2].text == ","):
        return False
    nxt = toks[i + 1]
    return bool(re.match(r"[a-z]+$", nxt.text)) and nxt.low not in VERBISH_WORDS


def mark_mentions(toks: list[Token], vs: list[Var]) -> None:
    """Set ``Token.var`` on tokens that mention a variable (-1: all of them)."""
    if not vs:
        return
    if vs[0].symbol:
        names = {v.phrase.lower(): k for k, v in enumerate(vs)}
        names.update({v.phrase: k for k, v in enumerate(vs)})
        for ti, t in enumerate(toks):
            key = t.text.lower() if t.text[:1] in "xX" and t.text[1:].isdigit() else t.text
            key = key[:-2] if key.endswith("'s") else key
            k = names.get(key if key[:1] in "x" else key, names.get(key.lower()) if key[:1] in "xX" else None)
            if k is None and key in [v.phrase for v in vs]:
                k = [v.phrase for v in vs].index(key)
            if k is None and len(t.text) == 1 and t.text.upper() in names and \
                    t.text.lower() not in ("a", "i") and t.text.islower():
                k = names[t.text.upper()]
            if k is not None and _article(toks, ti):
                k = None
            if k is not None:
                t.var = k
        _mark_aliases(toks, vs)
        # "cardio (X)", "stamina building (group X)": one mention, not two
        for i in range(1, len(toks) - 2):
            if toks[i].text != "(":
                continue
            # the mention before: "clothing (x1)", "clothing category (x1)"
            prev = next((j for j in range(i - 1, max(-1, i - 4), -1)
                         if toks[j].var is not None or toks[j].num is not None
                         or toks[j].low in (",", "and", "or", ")")), None)
            if prev is None or toks[prev].var is None:
                continue
            close = next((j for j in range(i + 1, min(len(toks), i + 5)) if toks[j].text == ")"),
                         None)
            if close is None:
                continue
            inner = [t for t in toks[i + 1:close] if t.var is not None]
            if inner and all(t.var == toks[prev].var for t in inner) and \
                    all(t.var is not None or t.num is None for t in toks[i + 1:close]):
                for t in inner:
                    t.var = None
                    t.used = True
        return
    shared = set(vs[0].stems)
    for v in vs[1:]:
        shared &= set(v.stems)
    shared |= _CATEGORIES
    i = 0
    while i < len(toks):
        hit = None
        for k, v in enumerate(vs):
            j = i
            while j < len(toks) and toks[j].stem in v.stems and toks[j].var is None:
                j += 1
            if j > i:
                window = {t.stem for t in toks[i:j]}
                if window & v.distinct and not any(window & o.distinct for o in vs if o is not v):
                    if toks[i].stem == "plus" and toks[i].text == "plus":
                        continue
                    if len(window) < len(set(v.stems)) and i > 0 and toks[i - 1].low == "of" \
                            and len(v.stems) > 1 and not window >= v.distinct:
                        continue  # "85 units of protein" is not "protein shakes"
                    if hit is None or j > hit[1]:
                        hit = (k, j)
        if hit and hit[1] < len(toks):
            # "diced carrots" when "diced" names onions too: the modifier goes with the noun
            nxt = toks[hit[1]].stem
            for k2, o in enumerate(vs):
                if k2 != hit[0] and nxt in o.distinct:
                    hit = None
                    break
        if hit and hit[1] < len(toks) and len(vs[hit[0]].stems) > 1:
            # "the logging company" is not "logging trucks": a modifier before another noun
            v = vs[hit[0]]
            window = {t.stem for t in toks[i:hit[1]]}
            nt = toks[hit[1]]
            if v.stems[-1] not in window and nt.stem in _OWNERS and \
                    not any(nt.stem in o.stems for o in vs):
                hit = None
        if hit:
            for t in toks[i:hit[1]]:
                t.var = hit[0]
            i = hit[1]
        else:
            if toks[i].stem in shared or toks[i].stem in ("both", "either"):
                toks[i].tags.add("generic")
            i += 1


__all__ = ["Var", "find_variables", "mark_mentions", "numbered_names"]
