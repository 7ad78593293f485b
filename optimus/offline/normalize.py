"""Normalize a word problem before parsing.

Benchmark texts keep LaTeX escapes (``\\$``, ``$X$``, ``\\%``, ``x_{1}``) and a literal
two-character ``\\n``; people write thousands separators (``10,000``) and number words
(``twice``, ``three``, ``a third``). :func:`normalize` turns all of that into plain text
with digits, so later stages only deal with one spelling.

Example::

    >>> normalize(r"Each unit of $X$ costs \\$1,500.\\nAt least twice as many")
    'Each unit of X costs $1500.\\nAt least 2 times as many'
"""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_FRACTIONS = {
    "half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25,
    "quarters": 0.25, "fourth": 0.25, "fourths": 0.25, "fifth": 0.2, "fifths": 0.2,
    "tenth": 0.1, "tenths": 0.1,
}
_MULTIPLES = {"twice": 2, "double": 2, "thrice": 3, "triple": 3, "quadruple": 4}

_LATEX = [
    (r"\\(?:leq|le)\b", " <= "), (r"\\(?:geq|ge)\b", " >= "), (r"\\times\b", " * "),
    (r"\\cdot\b", " * "), (r"\\neq\b", " != "), (r"\\(?:text|mathrm|mathbf|textbf|emph)\s*", ""),
    (r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1/\2)"), (r"\\[,;!: ]", " "),
    (r"\\left|\\right", ""), (r"\\%", "%"), (r"\\&", "and"), (r"\\_", "_"),
]
_NOT_ONE_BEFORE = {"each", "every", "any", "no", "which", "this", "that", "the", "a", "one",
                   "regular", "premium", "only", "per", "another", "single"}


def _fix_latex(text: str) -> str:
    text = text.replace("\\n", "\n").replace("\\\\", " ")
    text = text.replace("\\$", "$")
    for pat, rep in _LATEX:
        text = re.sub(pat, rep, text)
    # subscripts: x_{1} / x_1 -> x1
    text = re.sub(r"([A-Za-z])_\{?(\d+)\}?", r"\1\2", text)
    text = re.sub(r"([A-Za-z])_\{([A-Za-z0-9]+)\}", r"\1\2", text)
    # math delimiters: a $ that is not money (not followed by a digit) goes; so does a
    # closing $ after a digit ("$25$")
    text = re.sub(r"\$(?=\s*[A-Za-z\\({])", " ", text)
    text = re.sub(r"(?<=[\d.%])\$", " ", text)
    text = re.sub(r"\$\s*\$", "$", text)
    text = re.sub(r"\$\s+(?=\d)", "$", text)
    text = re.sub(r"\$(?!\d)", " ", text)
    text = text.replace("{", " ").replace("}", " ")
    text = re.sub(r"\\(?=[A-Za-z0-9])", "", text)
    return text


def _fix_numbers(text: str) -> str:
    # thousands separators (1,000,000) and spaced ones ("10 000" is rare; leave it)
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"(?<![\d.])(\d{1,3}),(\d{3})(?![\d])", r"\1\2", text)
    text = re.sub(r"(\d+(?:\.\d+)?)\s*(?:percent|per cent)\b", r"\1%", text, flags=re.I)
    text = re.sub(r"(\d)\s+%", r"\1%", text)
    # $2k / 5 million
    text = re.sub(r"(?<=\$)(\d+(?:\.\d+)?)\s*[kK]\b", lambda m: _fmt(float(m.group(1)) * 1e3), text)
    # the answer is asked "in millions of dollars": keep amounts in millions
    for word, factor in (("million", 1e6), ("thousand", 1e3)):
        scale = 1.0 if re.search(rf"\bin {word}s\b", text, re.I) else factor
        text = re.sub(rf"(\d+(?:\.\d+)?)\s*{word}\b",
                      lambda m, f=scale: _fmt(float(m.group(1)) * f), text, flags=re.I)
    return text


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else repr(v)


def _number_words(text: str) -> str:
    # "two-and-a-half times" -> 2.5 times; "three-quarters" -> 0.75; "a third" -> 0.3333
    def unit(word: str) -> float | None:
        return _UNITS.get(word.lower())

    def rep_and_half(m: re.Match[str]) -> str:
        v = unit(m.group(1))
        return m.group(0) if v is None else _fmt(v + 0.5)
    text = re.sub(r"\b([A-Za-z]+)[- ]and[- ]a[- ]half\b", rep_and_half, text)

    def rep_frac(m: re.Match[str]) -> str:
        num = unit(m.group(1)) if m.group(1).lower() not in ("a", "an") else 1
        den = _FRACTIONS.get(m.group(2).lower())
        if num is None or den is None:
            return m.group(0)
        return _fmt(round(num * den, 10))
    text = re.sub(r"\b(a|an|one|two|three|four|five|six|seven|eight|nine)[- ]"
                  r"(half|halves|third|thirds|quarter|quarters|fourth|fourths|fifth|fifths|"
                  r"tenth|tenths)\b", rep_frac, text, flags=re.I)
    text = re.sub(r"\b(\d+)-tenths?\b", lambda m: _fmt(int(m.group(1)) / 10), text)
    text = re.sub(r"\bhalf\b(?= (?:of|the|as|that|those|what))", "0.5", text, flags=re.I)

    def rep_mult(m: re.Match[str]) -> str:
        return f"{_MULTIPLES[m.group(1).lower()]} times"
    text = re.sub(r"\(\s*(doubled|tripled)\s*\)", lambda m: "(counted 2 times)"
                  if m.group(1).lower() == "doubled" else "(counted 3 times)", text, flags=re.I)
    text = re.sub(r"\b(twice|thrice|double|triple|quadruple)\b(?!-)", rep_mult, text, flags=re.I)

    # compound tens: twenty-five
    def rep_compound(m: re.Match[str]) -> str:
        a, b = unit(m.group(1)), unit(m.group(2))
        if a is None or b is None or a < 20 or b >= 10:
            return m.group(0)
        return _fmt(a + b)
    text = re.sub(r"\b([A-Za-z]+)-([A-Za-z]+)\b", rep_compound, text)

    def rep_unit(m: re.Match[str]) -> str:
        word = m.group(2)
        v = unit(word)
        if v is None:
            return m.group(0)
        before = (m.group(1) or "").strip().lower()
        if word.lower() == "one":
            after = text[m.end():m.end() + 12].lower()
            if before in _NOT_ONE_BEFORE or re.match(r"\s*(of|another|-|\.|,|or|and|day)\b", after):
                return m.group(0)
        return (m.group(1) or "") + _fmt(v)
    text = re.sub(r"(\b[A-Za-z]+\s+)?\b(" + "|".join(_UNITS) + r")\b(?![- ]?(?:piece|way|"
                  r"dimensional|third|half|quarter))", rep_unit, text, flags=re.I)
    text = re.sub(r"\ba (hundred|thousand)\b", lambda m: "100" if m.group(1) == "hundred"
                  else "1000", text, flags=re.I)
    # "5 hundred"
    text = re.sub(r"\b(\d+)\s+hundred\b", lambda m: _fmt(int(m.group(1)) * 100), text)
    return text


def normalize(text: str) -> str:
    """Plain text with digits: LaTeX escapes, ``\\n``, ``$``, separators and words fixed."""
    text = _fix_latex(text)
    text = text.replace("\u2019", "'")
    # "for Y it's 8": a pronoun's "is", not a possessive
    text = re.sub(r"\b(it|that|there|what|here)'s\b", r"\1 is", text, flags=re.I)
    text = _fix_numbers(text)
    text = _number_words(text)
    # "seventy percent": the number word is a digit only now
    text = re.sub(r"(\d+(?:\.\d+)?)\s*(?:percent|per cent)\b", r"\1%", text, flags=re.I)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" ([.,;:?!])(?=\s|$)", r"\1", text)
    text = re.sub(r"(?<=[A-Za-z0-9)])([.?!])(?=[A-Z][a-z])", r"\1 ", text)
    text = re.sub(r"(?<=[A-Za-z0-9)]) ([.?!])(?=[A-Z][a-z])", r"\1 ", text)  # "Y .Each"
    text = re.sub(r" *\n *", "\n", text)
    return text.strip()
