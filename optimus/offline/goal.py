"""Plain-English goals rewritten into the reader's canonical objective phrases.

People rarely write "maximize" or "minimize": they ask for "the cheapest way", want costs
"as low as possible" or "kept to a minimum", want "as much profit as possible", "the most
money", or ask "how should ... to earn the most". :func:`rewrite_goal` turns such phrases
into "minimize <goal>" / "maximize <goal>" (or "the lowest cost") so the sentence reader
can take the direction and the goal words from them. It is only applied when the text has
no explicit objective phrase, so texts that already say "maximize" are read unchanged.

Example::

    >>> rewrite_goal("How many bags should it buy to keep the daily cost as low as possible?")[0]
    'How many bags should it buy to minimize the daily cost?'
"""

from __future__ import annotations

import re

from optimus.offline.doubts import DoubtKind as K, doubt

# nouns that name what is optimized ("the most profit", "the fewest vehicles")
GOAL_NOUNS = {
    "profit", "profits", "money", "revenue", "revenues", "return", "returns", "income",
    "earnings", "value", "cost", "costs", "spending", "expense", "expenses", "total",
    "number", "amount", "output", "yield", "production", "sales", "savings", "gain",
    "gains", "people", "customers", "visitors", "viewers", "pollution", "waste", "time",
    "energy", "calories", "protein", "distance", "emissions",
}
_GAIN = re.compile(r"\b(profit|profits|revenue|earn|earns|earned|earning|earnings|income|"
                   r"return|returns|sells? for|brings? in|makes? \$)\b", re.I)
_COST = re.compile(r"\b(cost|costs|costing|price|priced|expense|expenses|spend|spending|"
                   r"charges?|fee|fees|pays?|paid)\b", re.I)

# verbs that only carry the goal ("keep the cost ...", "make as much money ...")
_CARRY = {"keep", "keeps", "kept", "make", "makes", "get", "gets", "have", "has", "hold",
          "holds"}
# words between the goal and the phrase ("the cost should be kept as low as possible")
_AUX = {"is", "are", "be", "being", "been", "kept", "keep", "stays", "stay", "remains",
        "remain", "should", "must", "can", "will", "would", "needs", "need", "to", "has",
        "have", "gets", "get"}
# words that end the goal noun phrase going back
_STOP = _CARRY | _AUX | {"so", "that", "to", "while", "where", "which", "and", "or", "with",
                         "wants", "want", "wishes", "hopes", "like", "likes", "in", "order",
                         "for", "how", "what", "it", "he", "she", "they", "we", "you", "i",
                         "would", "could", "if", "when", "then", "also", "but"}

_LOW = r"(?:low|small|little|cheap|short)"
_HIGH = r"(?:high|large|great|big|much|many|long)"
_AS_POSSIBLE = re.compile(
    rf"\b(?:as ({_LOW}|{_HIGH}) as (?:possible|it can be|they can be|can be)|to an? "
    rf"(minimum|maximum|bare minimum))\b", re.I)
_AS_NOUN_POSSIBLE = re.compile(
    r"\bas (much|many|few|little) ((?:[a-z]+ ){0,2}?[a-z]+) as (?:possible|it can|they can|"
    r"can be)\b", re.I)
_ADJ_COST = re.compile(
    r"\b(?:the )?(cheapest|least[- ]expensive|least[- ]costly|lowest[- ](?:cost|costing|"
    r"priced)|most (?:economical|affordable)|least amount of money)\b", re.I)
_SUPERLATIVE = re.compile(
    r"\b(?:the )?(most|highest|greatest|largest|biggest|maximum|max|lowest|least|smallest|"
    r"fewest|minimum|min)( possible)? ([a-z]+)\b", re.I)
_FOR_MAX = re.compile(r"\b(?:for|with|at|to get|to reach) (?:a |the )?(maximum|minimum|"
                      r"maximal|minimal|max|min|optimal|best) ([a-z]+)\b", re.I)
_EARN_MOST = re.compile(r"\b(earn|earns|make|makes|gain|gains|bring in|brings in|get|"
                        r"gets)(?: them| it| him| her| us| you)? (?:the most|as much as "
                        r"(?:possible|it can|they can|he can|she can|we can)|the largest "
                        r"amount|the greatest amount)(?! \w+ (?:of|as)\b)( money)?", re.I)
_PROFITABLE = re.compile(r"\b(?:the )?most (profitable|lucrative)\b", re.I)
_BEST = re.compile(r"\b(best|optimal|optimum|ideal|most efficient)\b", re.I)

_MAX_WORDS = {"high", "large", "great", "big", "much", "many", "long", "maximum", "most",
              "highest", "greatest", "largest", "biggest", "max", "maximal"}


def _sense(word: str) -> str:
    return "maximize" if word.lower() in _MAX_WORDS else "minimize"


def _goal_back(text: str, end: int) -> tuple[int, str]:
    """The noun phrase ending before ``end`` ("the daily cost"), and where it starts."""
    words = list(re.finditer(r"[A-Za-z$'-]+|[^\sA-Za-z]", text[:end]))
    k = len(words) - 1
    while k >= 0 and words[k].group(0).lower() in _AUX:
        k -= 1
    np_end = k
    while k >= 0 and np_end - k < 5:
        w = words[k].group(0)
        if not re.match(r"[A-Za-z]", w) or w.lower() in _STOP:
            break
        k -= 1
    if k == np_end:
        return end, ""
    start = words[k + 1].start()
    phrase = text[start:words[np_end].end()]
    if k >= 0 and words[k].group(0).lower() in _CARRY:
        start = words[k].start()  # "keep the cost as low as possible": "keep" goes too
    return start, phrase


def rewrite_goal(text: str) -> tuple[str, list[str]]:
    """Rewrite plain-English goal phrases into "maximize X"/"minimize X" (and notes)."""
    notes: list[str] = []
    out = text

    def noun_phrase(m: re.Match[str]) -> str:
        word, noun = m.group(1).lower(), m.group(2)
        if word in ("much", "many"):
            sense = "maximize"
        else:
            sense = "minimize"
        if word in ("many", "few"):
            return f"{sense} the number of {noun}"
        return f"{sense} {noun}"

    out = _AS_NOUN_POSSIBLE.sub(noun_phrase, out)
    out = _ADJ_COST.sub("the lowest cost", out)
    out = _PROFITABLE.sub("the maximum profit", out)

    def earn_most(m: re.Match[str]) -> str:
        return "maximize " + ("profit" if m.group(2) else "earnings")  # money made: profit

    out = _EARN_MOST.sub(earn_most, out)

    # "the cost should be kept as low as possible", "keep its spending to a minimum"
    while True:
        m = _AS_POSSIBLE.search(out)
        if not m:
            break
        word = (m.group(1) or m.group(2) or "").split()[-1]
        start, phrase = _goal_back(out, m.start())
        if not phrase:
            # "earn as much as possible" is handled above; anything else is left alone
            out = out[:m.start()] + _sense(word) + out[m.end():]
            continue
        out = out[:start] + f"{_sense(word)} {phrase}" + out[m.end():]

    def superlative(m: re.Match[str]) -> str:
        word, noun = m.group(1), m.group(3)
        if noun.lower() not in GOAL_NOUNS:
            return m.group(0)
        before = out[max(0, m.start() - 4):m.start()].lower()
        if before.endswith("at ") and not m.group(0).lower().startswith("the"):
            return m.group(0)  # "at most 20 units"
        if noun.lower() == "money":
            noun = "profit" if _sense(word) == "maximize" else "cost"
        return f"{_sense(word)} {noun}"

    out = _SUPERLATIVE.sub(superlative, out)
    out = _FOR_MAX.sub(lambda m: (("maximize" if m.group(1).lower() in _MAX_WORDS
                                   or m.group(1).lower() in ("optimal", "best") and
                                   m.group(2).lower() not in ("cost", "costs") else
                                   "minimize") + " " + m.group(2)), out)
    if out == text and _BEST.search(text):
        # "What is the best number of laptops and tablets to stock?": the direction comes
        # from what the figures are (money earned or money spent)
        gain, cost = bool(_GAIN.search(text)), bool(_COST.search(text))
        if gain and not cost:
            out = text.rstrip() + " Maximize profit."
            notes.append(doubt(K.DIRECTION_INFERRED, "objective direction inferred from 'best' and the profit figures"))
        elif cost and not gain:
            out = text.rstrip() + " Minimize cost."
            notes.append(doubt(K.DIRECTION_INFERRED, "objective direction inferred from 'best' and the cost figures"))
    return out, notes


__all__ = ["rewrite_goal"]
