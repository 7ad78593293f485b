"""Number grounding: which numbers of the problem text the formulation never uses.

:func:`read_numbers` reads every number of a text the way the text writes it, with the
sentence (or table row) it stands in and what kind of number it is
(:class:`NumberKind`): data ("1,000", "30%", "$5", "2.5", the words "twice", "double",
"triple", "half") or a number that is not data: a table, figure or section label
("Table 3.1", "Table 1-18"), a year ("in 1959"), a date, a clock time ("18:00-22:00"),
an ordinal or a list enumerator, a number inside an identifier ("x1", "Type 2", "Plant 3").

Inside a CSV or Markdown table each cell is read on its own, so neighbouring cells are
never joined through a thousands separator (``Diamond 1,12000`` is the cells
``Diamond 1`` and ``12000``); numbers in a table's header row and in a label cell
("Plant 3") are labels.

:func:`text_numbers` keeps the data numbers; :func:`formulation_numbers` collects the
numbers of a formulation (parameter values, bounds, numeric literals in expressions, set
elements, set sizes and assumptions); :func:`unexplained_numbers` compares them with a
tolerance. A percentage ``p%`` counts as used when ``p``, ``p/100``, ``1 - p/100`` or
``1 + p/100`` appears; a count equal to a set's size counts as used.

    >>> from optimus.formulation import Formulation
    >>> f = Formulation.model_validate({"variables": [{"name": "x", "upper": 40}],
    ...     "objective": {"sense": "maximize", "expression": "3*x"}})
    >>> unexplained_numbers("Each x earns $3; at most 40 fit; costs rise 12%.", f)
    [12.0]
    >>> unexplained_numbers("Table 3.1 (from 1959) lists shifts 18:00-22:00; x earns $3, "
    ...                     "at most 40 fit.", f)
    []
"""

from __future__ import annotations

import ast
import csv
import math
import re
from dataclasses import dataclass

from optimus._compat import StrEnum
from optimus.formulation import Formulation


class NumberKind(StrEnum):
    """What a number of the text is."""

    DATA = "data"
    LABEL = "label"  # Table 3.1, Figure 2, Section 4, a table's header row
    YEAR = "year"
    DATE = "date"
    TIME = "time"  # 18:00, 9 am
    ENUMERATOR = "enumerator"  # "1." "(2)" "3rd"
    IDENTIFIER = "identifier"  # x1, Type 2, Plant 3


@dataclass(frozen=True)
class TextNumber:
    """A number found in the text: its value, as written, the alternatives that count as
    using it, the sentence or table row it stands in, and its kind.

    ``parts`` is another reading of a number written with thousands separators in
    prose ("4,120" may be 4 and 120): when every part is used, the number is used."""

    value: float
    text: str
    alternatives: tuple[float, ...]
    sentence: str = ""
    kind: NumberKind = NumberKind.DATA
    parts: tuple[float, ...] = ()


_NUM = r"\d{1,3}(?:,\d{3}(?!\d))+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_NUMBER = re.compile(
    r"(?<![\w.])(?P<cur>[$€£¥])?\s?(?P<num>" + _NUM + r")(?![\d])"
    r"(?P<suffix>\s?(?:%|percent\b|per\s?cent\b|k\b|K\b|thousand\b|million\b|billion\b))?",
)
_WORDS = {"twice": 2.0, "double": 2.0, "doubles": 2.0, "triple": 3.0, "thrice": 3.0,
          "half": 0.5}
_SCALE = {"k": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_TRIVIAL = {0.0, 1.0}

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_ORD = r"(?:st|nd|rd|th)?"
# spans that are not data, found before numbers are read (order matters only for overlap)
_NOT_DATA: list[tuple[NumberKind, re.Pattern[str]]] = [
    (NumberKind.TIME, re.compile(
        r"(?<![\w.:])\d{1,2}:\d{2}(?::\d{2})?(?:\s?[aApP]\.?[mM]\.?)?"
        r"(?:\s?(?:-|–|to|until)\s?\d{1,2}:\d{2}(?:\s?[aApP]\.?[mM]\.?)?)?(?![\d:])")),
    (NumberKind.TIME, re.compile(r"(?<![\w.])\d{1,2}(?:\s?(?:-|–|to)\s?\d{1,2})?\s?"
                                 r"(?:[aApP]\.[mM]\.|[aApP][mM]\b|o'clock\b|noon\b)")),
    (NumberKind.DATE, re.compile(r"(?<![\w.])\d{4}-\d{1,2}-\d{1,2}(?!\d)|"
                                 r"(?<![\w.])\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?![\d])")),
    (NumberKind.DATE, re.compile(r"\b" + _MONTH + r"\s+\d{1,2}" + _ORD + r"(?:,?\s+\d{4})?(?!\d)"
                                 r"|(?<![\w.])\d{1,2}" + _ORD + r"\s+(?:of\s+)?" + _MONTH +
                                 r"(?:,?\s+\d{4})?(?!\d)|\b" + _MONTH + r",?\s+\d{4}(?!\d)")),
    (NumberKind.LABEL, re.compile(
        r"\b(?:Table|Tab\.|Figure|Fig\.|Section|Sec\.|Chapter|Ch\.|Exhibit|Appendix|Annex|"
        r"Example|Problem|Exercise|Question|Case|Part|Equation|Eq\.|Step|Article|Clause|"
        r"Schedule|Lemma|Theorem|Page|p\.|pp\.|No\.|Nr\.)\s*\(?\d+(?:[.\-–]\d+)*[a-z]?\)?"
        r"|(?<!\w)#\s?\d+", re.I)),
    (NumberKind.ENUMERATOR, re.compile(r"(?<![\w.])\d+(?:st|nd|rd|th)\b")),
    (NumberKind.IDENTIFIER, re.compile(r"\b[A-Za-z]+[-_]\d+\b")),
]
_LIST_MARKER = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|[-*•])\s+")
_YEAR_CUE = re.compile(r"\b(?:in|since|until|till|from|by|during|before|after|circa|around|"
                       r"year|years|fiscal|FY|early|late|mid|summer|winter|spring|autumn|"
                       r"fall)\s*$", re.I)
_INLINE_ENUM = re.compile(r"(?:(?<=\s)|^)\((\d{1,2})\)(?=\s)|(?:(?<=\s)|^)(\d{1,2})\)(?=\s)")
_AFTER_YEAR = {"and", "the", "when", "by", "with", "as", "it", "they", "he", "she", "we",
               "which", "that", "for", "was", "were", "is", "are", "a", "an", "in", "on", "at",
               "there", "our", "its", "their", "this", "of", "but", "or"}
# words naming things numbered one by one: "Plant 3", "product 2", "Type 1"
_HEADS = {
    "type", "model", "class", "grade", "category", "kind", "product", "item", "plant", "factory",
    "mill", "mine", "warehouse", "depot", "store", "shop", "outlet", "market", "customer",
    "client", "supplier", "vendor", "project", "option", "plan", "portfolio", "fund", "asset",
    "machine", "line", "shift", "period", "month", "week", "day", "quarter", "phase", "stage",
    "route", "path", "arc", "node", "zone", "region", "area", "site", "location", "city", "town",
    "center", "centre", "team", "group", "crew", "batch", "job", "task", "order", "truck",
    "vehicle", "ship", "vessel", "plane", "aircraft", "worker", "employee", "nurse", "course",
    "room", "field", "farm", "tank", "reactor", "well", "generator", "scenario", "level",
    "component", "material", "ingredient", "food", "crop", "resource", "process", "source",
    "destination", "terminal", "port", "station", "facility", "candidate", "player", "student",
    "operator", "bus", "train", "mix", "blend", "alloy", "feed", "raw", "variable", "constraint",
    "formula", "recipe", "menu", "package", "bundle", "strategy", "alternative", "activity",
    "department", "division", "branch", "office", "hospital", "school", "building", "block",
    "lot", "plot", "parcel", "section", "segment", "sector", "channel", "medium", "media",
    "investment", "bond", "stock", "loan", "account", "contract", "offer", "bid", "tender",
}
# heads that are verbs too: "Ship 300 cases" is data
_VERBS = {"order", "ship", "plan", "mix", "blend", "feed", "supply", "stock", "process", "source",
          "train", "field", "bid", "offer", "contract", "line", "plot", "model", "crew", "batch",
          "package", "bundle", "loan", "fund", "bond", "store", "shop", "market", "plant", "farm",
          "room", "tank", "group", "route", "staff", "schedule", "book", "well", "task", "lot",
          "block", "class", "grade", "stage", "center", "centre", "team", "job", "account",
          "ferry", "truck", "level", "option", "material", "investment", "path", "area"}
_STRONG_YEAR_CUES = {"since", "until", "till", "during", "circa", "year", "fiscal", "fy"}
# after "Plant 3" comes a verb, a function word or punctuation, not a unit
_AFTER_ID = {"and", "or", "to", "through", "is", "are", "has", "have", "had", "needs", "need",
             "requires", "require", "can", "could", "must", "should", "will", "would", "may",
             "costs", "cost", "makes", "make", "produces", "produce", "takes", "take", "uses",
             "use", "earns", "earn", "yields", "yield", "gives", "give", "contains", "contain",
             "supplies", "supply", "sells", "sell", "ships", "ship", "demands", "demand",
             "gets", "get", "holds", "hold", "was", "were", "in", "on", "at", "of", "for", "with",
             "from", "the", "a", "an", "but", "which", "that", "only", "also", "each", "per",
             "yet", "if", "while", "whereas", "then", "returns", "return", "pays", "pay",
             "offers", "offer", "provides", "provide", "consumes", "consume", "generates",
             "generate", "handles", "handle", "processes", "process", "serves", "serve"}


def _sentences(line: str) -> list[tuple[int, str]]:
    """The sentences of a line with their start offsets (a period inside a number or an
    abbreviation such as "Fig." does not end a sentence)."""
    out, start = [], 0
    for m in re.finditer(r"(?<=[.!?;])\s+(?=[A-Z(\"'\[$€£\d])", line):
        before = line[max(0, m.start() - 5):m.start()]
        if re.search(r"\b(?:Fig|Tab|Sec|Ch|Eq|No|Nr|pp?|e\.g|i\.e|vs|etc|approx|Mr|Ms|Dr|St)\.$",
                     before):
            continue
        out.append((start, line[start:m.start()]))
        start = m.end()
    out.append((start, line[start:]))
    return out


def _quote(sentence: str, limit: int = 240) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= limit else s[:limit - 3] + "..."


def _table_blocks(lines: list[str]) -> dict[int, tuple[str, list[str], bool]]:
    """Lines that are rows of a table: line number -> (delimiter, cells, is_header)."""
    rows: dict[int, tuple[str, list[str], bool]] = {}
    # Markdown tables: lines with at least two pipes (or starting with one)
    i = 0
    while i < len(lines):
        if lines[i].count("|") >= 2 or lines[i].lstrip().startswith("|"):
            j = i
            while j < len(lines) and (lines[j].count("|") >= 2 or lines[j].lstrip().startswith("|")):
                j += 1
            if j - i >= 2:
                block = range(i, j)
                sep = [k for k in block if re.fullmatch(r"[\s|:\-+=]+", lines[k])]
                header = i if sep and sep[0] == i + 1 else None
                for k in block:
                    if k in sep:
                        rows[k] = ("|", [], False)
                        continue
                    cells = [c for c in lines[k].strip().strip("|").split("|")]
                    rows[k] = ("|", cells, k == header)
            i = max(j, i + 1)
            continue
        i += 1
    # CSV / TSV: runs of >= 2 consecutive lines with the same number (>= 2) of fields
    for delim in (",", "\t", ";"):
        counts: list[int] = []
        parsed: list[list[str]] = []
        for k, line in enumerate(lines):
            if k in rows or delim not in line or len(line) > 2000:
                counts.append(0)
                parsed.append([])
                continue
            try:
                cells = next(csv.reader([line], delimiter=delim, skipinitialspace=True))
            except (csv.Error, StopIteration):
                cells = []
            ok = len(cells) >= 2 and all(len(c) <= 40 and len(c.split()) <= 5 for c in cells) \
                and not any(re.search(r"[a-z]{2,}\.\s+[A-Z]", c) for c in cells)
            counts.append(len(cells) if ok else 0)
            parsed.append(cells)
        k = 0
        while k < len(lines):
            n = counts[k]
            if n < 2:
                k += 1
                continue
            j = k
            while j < len(lines) and counts[j] == n:
                j += 1
            numeric_rows = sum(any(_is_number_cell(c) for c in parsed[r]) for r in range(k, j))
            first_numeric = any(_is_number_cell(c) for c in parsed[k])
            # rows that read as well as prose numbers ("Budget: 1,500") are not a table,
            # unless a header row names the columns
            prose_like = delim == "," and all(_thousands_only(lines[r]) for r in range(k, j))
            if j - k >= 2 and numeric_rows >= max(1, (j - k) // 2) \
                    and (not prose_like or not first_numeric and n >= 2 and j - k >= 3):
                for r in range(k, j):
                    rows[r] = (delim, parsed[r], r == k and not first_numeric)
            k = j
    return rows


def _thousands_only(line: str) -> bool:
    """Every comma of ``line`` sits inside a number as a thousands separator."""
    commas = [i for i, ch in enumerate(line) if ch == ","]
    return bool(commas) and all(i > 0 and line[i - 1].isdigit()
                                and re.match(r"\d{3}(?!\d)", line[i + 1:]) for i in commas)


_CELL_NUMBER = re.compile(r"\s*[-+]?[$€£¥]?\s?(?:" + _NUM + r")\s?%?\s*")


def _is_number_cell(cell: str) -> bool:
    return bool(_CELL_NUMBER.fullmatch(cell)) and any(ch.isdigit() for ch in cell)


class _Reader:
    def __init__(self) -> None:
        self.found: list[TextNumber] = []

    def add(self, value: float, shown: str, alts: set[float], sentence: str,
            kind: NumberKind, parts: tuple[float, ...] = ()) -> None:
        self.found.append(TextNumber(value, shown, tuple(sorted(alts)), _quote(sentence), kind,
                                     parts))

    def prose(self, segment: str, sentence: str, *, in_table: bool = False,
              heads: set[str] | None = None, enumerated: bool = False) -> None:
        """The numbers of one sentence (or table cell)."""
        spans: list[tuple[int, int, NumberKind]] = []
        for kind, pattern in _NOT_DATA:
            for m in pattern.finditer(segment):
                spans.append((m.start(), m.end(), kind))
        if enumerated:  # the text numbers its items "(1) ... (2) ..." or "1) ... 2) ..."
            for m in _INLINE_ENUM.finditer(segment):
                spans.append((m.start(), m.end(), NumberKind.ENUMERATOR))
        for m in _NUMBER.finditer(segment):
            raw = m.group("num")
            value = float(raw.replace(",", ""))
            start, end = m.start("num"), m.end("num")
            kind = next((k for s, e, k in spans if s <= start and end <= e), NumberKind.DATA)
            if kind == NumberKind.DATA and segment[max(0, start - 1):start] == "-" \
                    and re.search(r"[A-Za-z]-$", segment[:start]):
                kind = NumberKind.IDENTIFIER
            if kind == NumberKind.DATA and not m.group("cur") and not m.group("suffix"):
                kind = self._context_kind(segment, start, end, raw, value, heads or set())
            suffix = (m.group("suffix") or "").strip().lower().replace(" ", "")
            alts = {value}
            if suffix in ("%", "percent", "percent"):
                alts |= {value / 100, 1 - value / 100, 1 + value / 100}
            elif suffix in _SCALE:
                alts.add(value * _SCALE[suffix])
            parts: tuple[float, ...] = ()
            if "," in raw and not in_table:
                parts = tuple(float(p) for p in raw.split(".")[0].split(","))
            self.add(value, m.group(0).strip(), alts, sentence, kind, parts)
        for wm in re.finditer(r"[A-Za-z]+", segment):
            value = _WORDS.get(wm.group(0).lower())
            if value is not None:
                self.add(value, wm.group(0), {value}, sentence, NumberKind.DATA)

    @staticmethod
    def _context_kind(segment: str, start: int, end: int, raw: str, value: float,
                      heads: set[str]) -> NumberKind:
        before = segment[:start]
        after = segment[end:]
        nxt = re.match(r"\s*([A-Za-z']+)", after)
        next_word = nxt.group(1) if nxt else None
        # a year: 1800-2100, written without separators, after a cue and not before a unit
        cue = _YEAR_CUE.search(before)
        if re.fullmatch(r"\d{4}", raw) and 1800 <= value <= 2100 and cue \
                and (next_word is None or next_word.lower() in _AFTER_YEAR
                     or not re.match(r"\s", after) or not next_word.lower().endswith("s")
                     or cue.group(0).strip().lower() in _STRONG_YEAR_CUES):
            return NumberKind.YEAR
        # a number inside an identifier: "Plant 3", "Type 2", "product 1 and product 2"
        prev = re.search(r"([A-Za-z]+)\s*$", before)
        if prev and re.fullmatch(r"\d{1,3}", raw):
            word = prev.group(1)
            low = word.lower()
            if low in _HEADS or low in heads or word in heads:
                if next_word is None or next_word.lower() in _AFTER_ID or next_word[0].isupper():
                    return NumberKind.IDENTIFIER
                if word[0].isupper() and (low in heads or word in heads or low not in _VERBS):
                    return NumberKind.IDENTIFIER  # "the Type 2 machines", "Route 2 takes"
        return NumberKind.DATA


def _numbered_heads(text: str) -> set[str]:
    """Words that number things: from 1 ("route 1 ... route 2"), or a capitalised word with
    two or more numbers, one of them mid-sentence ("Route 3 and Route 4")."""
    seen: dict[str, set[str]] = {}
    mid: set[str] = set()
    for m in re.finditer(r"\b([A-Za-z]{2,})\s+(\d{1,3})\b(?![.,]\d)", text):
        word = m.group(1)
        seen.setdefault(word.lower(), set()).add(m.group(2))
        if word[0].isupper():
            seen.setdefault(word, set()).add(m.group(2))
            if re.search(r"[\w,]\s*$", text[max(0, m.start() - 3):m.start()]):
                mid.add(word)
    return {w for w, nums in seen.items() if w.lower() not in _AFTER_ID and
            (w.islower() and {"1", "2"} <= nums or w in mid and len(nums) >= 2)}


def _enumerated(text: str) -> bool:
    """True when the text numbers its items inline: "(1) ... (2) ..." or "1) ... 2) ..."."""
    found = {m.group(1) or m.group(2) for m in _INLINE_ENUM.finditer(text)}
    return {"1", "2"} <= found


def read_numbers(text: str) -> list[TextNumber]:
    """Every number of ``text`` in order, each with its sentence and :class:`NumberKind`."""
    reader = _Reader()
    lines = text.splitlines()
    tables = _table_blocks(lines)
    heads = _numbered_heads(text)
    enumerated = _enumerated(text)
    fenced = False
    for k, line in enumerate(lines):
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        if k in tables:
            delim, cells, header = tables[k]
            row = _quote(line)
            for c, cell in enumerate(cells):
                if header:
                    for tn in _cell_numbers(cell, row, heads):
                        reader.found.append(TextNumber(tn.value, tn.text, tn.alternatives,
                                                       tn.sentence, NumberKind.LABEL))
                    continue
                if re.fullmatch(r"\s*[A-Za-z][\w\s\-/&']*?\s+#?\d{1,4}\s*", cell):
                    # a label cell: "Plant 3", "Diamond 1", "Week 12"
                    for tn in _cell_numbers(cell, row, heads):
                        reader.found.append(TextNumber(tn.value, tn.text, tn.alternatives,
                                                       tn.sentence, NumberKind.IDENTIFIER))
                    continue
                reader.found.extend(_cell_numbers(cell, row, heads))
            continue
        body = _LIST_MARKER.sub(lambda m: " " * len(m.group(0)), line)
        for _, sentence in _sentences(body):
            reader.prose(sentence, sentence, heads=heads, enumerated=enumerated)
    return reader.found


def _cell_numbers(cell: str, row: str, heads: set[str]) -> list[TextNumber]:
    r = _Reader()
    r.prose(cell, row, in_table=True, heads=heads)
    return r.found


def text_numbers(text: str, *, every_kind: bool = False) -> list[TextNumber]:
    """The data numbers stated in ``text`` (0 and 1 left out: they are implicit
    everywhere); with ``every_kind`` also labels, years, dates, times, enumerators and
    identifiers.

    A value stated twice ("10 tonnes ... at least 10%") is listed once, with the
    alternatives of every occurrence and the sentence of the first.
    """
    found: dict[float, TextNumber] = {}
    for tn in read_numbers(text):
        if tn.value in _TRIVIAL or (tn.kind != NumberKind.DATA and not every_kind):
            continue
        old = found.get(tn.value)
        if old is not None:
            alts = set(old.alternatives) | set(tn.alternatives)
            kind = old.kind if old.kind == NumberKind.DATA else tn.kind
            parts = old.parts if old.parts or not tn.parts else tn.parts
            found[tn.value] = TextNumber(old.value, old.text, tuple(sorted(alts)), old.sentence,
                                         kind, parts)
        else:
            found[tn.value] = tn
    return list(found.values())


def _expr_numbers(src: str | None) -> set[float]:
    if not src:
        return set()
    try:
        tree = ast.parse(src.replace("\n", " "), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return {float(x) for x in re.findall(r"\d+(?:\.\d+)?", src)}
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            out.add(float(node.value))
    return out


#: a numeric column of a data table with at most this many distinct values counts its
#: values as stated (a scalar in a key-value sheet, a maximum of 4 servings, a premium of 1.25)
_DATA_DISTINCT = 200


def _data_numbers(f: Formulation) -> set[float]:
    """Numbers the formulation's data tables state: the size of each set read from a
    table ("50 products" in the text, 50 rows in products.csv) and the values of each
    numeric column with few distinct values. Unreadable tables add nothing (the check
    reports them)."""
    refs = [x.data for x in [*f.sets, *f.parameters] if x.data is not None]
    if not refs:
        return set()
    from optimus.data import set_elements
    from optimus.datafiles import TableStore

    store = TableStore(f.base_dir, f.attachments)
    out: set[float] = set()
    for s in f.sets:
        if s.data is not None:
            try:
                out.add(float(len(set_elements(s, store))))
            except Exception:  # noqa: BLE001 - a bad table is the check's to report
                pass
    seen: set[tuple[str, str | None]] = set()
    for ref in refs:
        if (ref.path, ref.sheet) in seen:
            continue
        seen.add((ref.path, ref.sheet))
        try:
            frame = store.table(ref.path, ref.sheet).frame
        except Exception:  # noqa: BLE001
            continue
        for name in frame.columns:
            col = frame[name]
            if col.dtype.kind in "iuf":
                distinct = col.dropna().unique()
                if len(distinct) <= _DATA_DISTINCT:
                    out |= {float(v) for v in distinct}
    return out


def formulation_numbers(f: Formulation) -> set[float]:
    """Every number a formulation states, including simple products and quotients of two,
    and the sizes of its sets (a count of things equal to a set's size is used)."""
    nums: set[float] = set()
    for s in f.sets:
        if s.elements:
            nums.add(float(len(s.elements)))
        elif s.range and len(s.range) == 2:
            nums.add(float(s.range[1] - s.range[0] + 1))
        for e in (s.elements or []) + list(s.range or [])[:2]:
            for part in (e if isinstance(e, list) else [e]):
                if isinstance(part, (int, float)):
                    nums.add(float(part))
                else:
                    nums |= {float(x) for x in re.findall(r"\d+(?:\.\d+)?", str(part))}
    if len(f.variables) >= 2:
        nums.add(float(len(f.variables)))
    for p in f.parameters:
        for v in (p.value, p.default):
            if v is not None:
                nums.add(float(v))
        for e in p.values or []:
            nums.add(float(e.value))
    for v in f.variables:
        for b in (v.lower, v.upper):
            if b is not None:
                nums.add(float(b))
    for c in f.constraints:
        nums |= _expr_numbers(c.expression) | _expr_numbers(c.forall)
    nums |= _expr_numbers(f.objective.expression)
    for a in f.assumptions:
        nums |= {float(x.replace(",", "")) for x in re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", a)}
    nums |= _data_numbers(f)
    finite = {n for n in nums if math.isfinite(n)}
    small = sorted(finite)[:200]
    derived = {a * b for a in small for b in small} | {a / b for a in small for b in small if b}
    return finite | {abs(n) for n in finite} | derived


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _used(values: tuple[float, ...] | list[float], have: list[float]) -> bool:
    return any(_close(alt, h) for alt in values for h in have)


def unexplained(text: str, f: Formulation) -> list[TextNumber]:
    """The data numbers of ``text`` that appear nowhere in ``f`` (in the order of the text)."""
    have = sorted(formulation_numbers(f))
    out = []
    for tn in text_numbers(text):
        if _used(tn.alternatives, have):
            continue
        if len(tn.parts) >= 2 and all(p not in _TRIVIAL and _used((p,), have) for p in tn.parts):
            continue  # "4,120" read as the numbers 4 and 120, both used
        out.append(tn)
    return out


def unexplained_numbers(text: str, f: Formulation) -> list[float]:
    """Values of :func:`unexplained` (in the order of the text)."""
    return [tn.value for tn in unexplained(text, f)]


def quoted_list(numbers: list[TextNumber]) -> str:
    """One line per number with the sentence it stands in, for a repair message."""
    return "\n".join(f'- {tn.text}: "{tn.sentence}"' for tn in numbers)
