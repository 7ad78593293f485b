"""Tokens and sentences of a normalized word problem."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from optimus.offline.lexicon import VES_PLURALS

_TOKEN = re.compile(
    r"\$?\d+(?:\.\d+)?%?"           # numbers, money, percentages
    r"|[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*"  # words (hyphens kept, 2-piece below)
    r"|<=|>=|!=|[^\sA-Za-z0-9]"
)
_PIECE = re.compile(r"\d+-[A-Za-z]+(?:-[A-Za-z]+)*")


@dataclass
class Token:
    """One word, number or symbol; ``var`` is set where a variable is mentioned."""

    text: str
    low: str
    stem: str
    num: float | None = None
    money: bool = False
    pct: bool = False
    var: int | None = None  # index of the variable mentioned here, -1 for "all of them"
    used: bool = False
    tags: set[str] = field(default_factory=set)

    @property
    def is_num(self) -> bool:
        return self.num is not None and self.var is None


def stem(word: str) -> str:
    """A crude stem so that watering/water, hours/hour, buses/bus, tables/table match."""
    w = _stem(word)
    if len(w) > 3 and w.endswith("ie"):
        w = w[:-2] + "y"  # cookie / cookies -> cooky
    if len(w) > 3 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]
    return w


def _stem(word: str) -> str:
    w = word.lower().rstrip("'")
    if w.endswith("'s"):
        w = w[:-2]
    w = VES_PLURALS.get(w, w)
    for suf, rep in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"),
                     ("shes", "sh"), ("oes", "o")):
        if w.endswith(suf) and len(w) > len(suf) + 2:
            return w[: -len(suf)] + rep
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        if len(w) > 2 and w[-1] == w[-2]:
            w = w[:-1]
        return w
    if w.endswith("ed") and len(w) > 4 and not w.endswith("eed"):
        return w[:-2] if not w.endswith("ied") else w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and not w.endswith("us") and len(w) > 3:
        w = w[:-1]
        if w.endswith("ing") and len(w) > 5:
            return _stem(w)  # "earnings" / "earning", "servings" / "serving": one stem
        return w
    return w


def tokenize(text: str) -> list[Token]:
    """Split a sentence into tokens; numbers carry their value and $/% flags."""
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        m = _PIECE.match(text, pos) if text[pos].isdigit() else None
        if m and (pos == 0 or not text[pos - 1].isalnum()):
            word = m.group(0)
            out.append(Token(word, word.lower(), word.lower()))
            pos = m.end()
            continue
        m = _TOKEN.search(text, pos)
        if not m:
            break
        tok = m.group(0)
        pos = m.end()
        if tok[0].isdigit() or (tok[0] == "$" and len(tok) > 1):
            money = tok.startswith("$")
            pct = tok.endswith("%")
            core = tok.strip("$%")
            value = float(core)
            out.append(Token(tok, tok.lower(), "<num>", num=value / 100 if pct else value,
                             money=money, pct=pct))
            continue
        out.append(Token(tok, tok.lower(), stem(tok)))
    # "$ 5" split by normalization; "5 dollars"
    for i, t in enumerate(out):
        if t.num is not None and i + 1 < len(out) and out[i + 1].low in ("dollars", "dollar", "usd"):
            t.money = True
        if t.low == "$" and i + 1 < len(out) and out[i + 1].num is not None:
            out[i + 1].money = True
    return out


_SPLIT = re.compile(r"(?<=[a-zA-Z0-9)%\]])[.?!]+(?=\s|$)|\n+|;|(?<=[.:])\s*-\s+|(?<=\s)-\s(?=[A-Z])")


def sentences(text: str) -> list[str]:
    """Sentences (and bullet items) of normalized text."""
    # a leading "- " is a bullet, "-100" a negative number
    parts = [re.sub(r"^[\s-]+(?!\d)", "", p).rstrip(" -\t") for p in _SPLIT.split(text)]
    return [p for p in parts if p and re.search(r"[A-Za-z0-9]", p)]
