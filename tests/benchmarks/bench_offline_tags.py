"""Check the offline formulator's answers against NL4Opt's gold entity tags (no answers needed).

Run: ``python tests/benchmarks/bench_offline_tags.py [--min-confidence 0.7] [--list] [PATH]``
(PATH defaults to ../shared/benchmarks/nl4opt_train_texts.jsonl).

The train split has no objective values, but every text carries the competition's gold
entity tags: which figures are limits (LIMIT), which are coefficients (PARAM), and the
objective's direction (OBJ_DIR). An answered reading *disagrees with the tags* when

* its objective sense is not the one the OBJ_DIR words say;
* a LIMIT figure appears nowhere on the constant side of a constraint or in a bound
  (a percentage, fraction or multiple may become a coefficient, as in ``x - 0.4*(x + y) >= 0``);
* a PARAM figure other than 1 appears nowhere in the reading (1 is written implicitly);
* a LIMIT figure is used only with senses other than the one its sentence's CONST_DIR
  words state ("at least" >=; "at most", "available", "cannot exceed" <=).

A reading that agrees may still be wrong (a ``<=`` for a ``>=``), so the agreement rate is
an upper bound of precision on texts the rules were not written for, and each disagreement
is a likely wrong answer to look at (``--list``).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from optimus.offline import DEFAULT_MIN_CONFIDENCE, formulate_offline

DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "nl4opt_train_texts.jsonl"

WORD_VALUES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10, "fifteen": 15, "twenty": 20, "twice": 2,
               "thrice": 3, "double": 2, "triple": 3, "half": 0.5, "third": 1 / 3,
               "quarter": 0.25, "fourth": 0.25, "fifth": 0.2}
MAX_WORDS = ("max", "most", "high", "great", "large", "more", "best")
MIN_WORDS = ("min", "least", "low", "few", "small", "less", "reduc", "cheap")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
COMPARE = re.compile(r"<=|>=|==|=|<|>")


@dataclass
class Entity:
    """One gold LIMIT or PARAM figure: its value, whether it is a share (%, a third, twice)
    and, for a LIMIT, the direction of the nearest CONST_DIR words of its sentence."""

    kind: str
    value: float
    share: bool
    text: str
    direction: str | None = None


def direction(words: str) -> str | None:
    """The sense that CONST_DIR words state, or None when they do not settle it.

    >>> direction("can not exceed"), direction("minimum"), direction("available"), direction("total")
    ('<=', '>=', '<=', None)
    """
    if re.search(r"\b(not|n't|no)\b.*\b(more|exceed|greater)", words):
        return "<="
    if re.search(r"least|lest|minimum|requirement|\b(no|not) less", words):
        return ">="
    if re.search(r"most|maximum|available|budget|only|up to|below|limit|capacity|stock|"
                 r"inventory|\bha(s|ve)\b|exceed|less than", words):
        return "<="
    return None


@dataclass
class Gold:
    sense: str | None
    entities: list[Entity] = field(default_factory=list)


def gold(meta: dict) -> Gold:
    """The gold objective sense and LIMIT/PARAM figures of one tagged text.

    >>> g = gold({"tokens": ["at", "most", "40", "%", "of", "it", "to", "maximize", "profit"],
    ...           "ner_tags": ["B-CONST_DIR", "I-CONST_DIR", "B-LIMIT", "I-LIMIT", "O", "O", "O",
    ...                        "B-OBJ_DIR", "B-OBJ_NAME"]})
    >>> g.sense, [(e.kind, e.value, e.share) for e in g.entities]
    ('maximize', [('LIMIT', 40.0, True)])
    """
    toks, tags = meta["tokens"], meta["ner_tags"]
    spans: list[tuple[str, list[str], int, int]] = []  # kind, words, position, sentence
    sentence = 0
    for i, (tok, tag) in enumerate(zip(toks, tags)):
        sentence += tok in (".", "?", "!")
        if tag.startswith("B-"):
            spans.append((tag[2:], [tok], i, sentence))
        elif tag.startswith("I-") and spans and spans[-1][0] == tag[2:]:
            spans[-1][1].append(tok)
        else:
            continue
        if i + 1 < len(toks) and toks[i + 1] == "%" and tags[i + 1] == "O":
            spans[-1][1].append("%")  # "25 %" tagged as LIMIT "25"
    sense = None
    out = []
    dirs = [(pos, sent, direction(" ".join(w).lower())) for k, w, pos, sent in spans
            if k == "CONST_DIR"]
    for kind, words, pos, sent in spans:
        text = " ".join(words).lower()
        if kind == "OBJ_DIR" and sense is None:
            if any(w in text for w in MIN_WORDS):
                sense = "minimize"
            elif any(w in text for w in MAX_WORDS):
                sense = "maximize"
        if kind not in ("LIMIT", "PARAM"):
            continue
        first = words[0].lower().replace(",", "").replace("$", "").rstrip(".")
        try:
            value = float(first)
        except ValueError:
            if first not in WORD_VALUES:
                continue
            value = float(WORD_VALUES[first])
        share = "%" in text or "times" in text or first in (
            "half", "third", "quarter", "fourth", "fifth", "twice", "thrice", "double", "triple")
        near = sorted((abs(p - pos) + 0.5 * (p > pos), d) for p, st, d in dirs if st == sent)
        out.append(Entity(kind, value, share, text,
                          near[0][1] if near and kind == "LIMIT" and not share else None))
    return Gold(sense, out)


def reading_numbers(formulation) -> tuple[list[float], list[float], list[tuple[float, str]]]:
    """The coefficients (left of each comparison, and of the objective), the constants
    (right of each comparison, and the variables' nonzero bounds) of a formulation, and
    each constant with the sense it is used with."""
    coefs: list[float] = [float(n) for n in NUMBER.findall(formulation.objective.expression)]
    consts: list[float] = []
    senses: list[tuple[float, str]] = []
    for c in formulation.constraints:
        parts = COMPARE.split(c.expression)
        ops = COMPARE.findall(c.expression)
        for p in parts[:-1]:
            coefs += [float(n) for n in NUMBER.findall(p)]
        for n in NUMBER.findall(parts[-1]):
            consts.append(float(n))
            senses.append((float(n), {"<": "<=", ">": ">=", "==": "="}.get(ops[-1], ops[-1])))
    for v in formulation.variables:
        for b, op in ((v.lower, ">="), (v.upper, "<=")):
            if b not in (None, 0.0):
                consts.append(b)
                senses.append((b, op))
    return coefs, consts, senses


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _found(e: Entity, numbers: list[float]) -> bool:
    if _near(e.value, 1.0):
        return True  # a coefficient of 1 is written implicitly: "x + y <= 4"
    cands = [e.value]
    if e.share:
        frac = e.value / 100 if e.value > 1 else e.value
        cands += [frac, 1 - frac, 1 + frac, 1 / frac if frac else 0.0]
    return any(_near(abs(n), abs(c)) for n in numbers for c in cands)


def disagreements(g: Gold, formulation) -> list[str]:
    """Why a reading disagrees with the gold tags (empty when it agrees)."""
    why = []
    sense = str(formulation.objective.sense)
    if g.sense and sense != g.sense:
        why.append(f"sense {sense}, tags say {g.sense}")
    coefs, consts, senses = reading_numbers(formulation)
    for e in g.entities:
        used = {op for n, op in senses if _near(n, e.value)}
        if e.direction and used and e.direction not in used:
            why.append(f"LIMIT {e.text!r} used with {'/'.join(sorted(used))}, tags say {e.direction}")
        where = consts + coefs if (e.kind == "PARAM" or e.share) else consts
        if not _found(e, where):
            why.append(f"{e.kind} {e.text!r} unused" if e.kind == "PARAM" or not _found(e, coefs)
                       else f"LIMIT {e.text!r} used as a coefficient")
    return why


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    ap.add_argument("--list", action="store_true", help="list each disagreeing answer and why")
    args = ap.parse_args()
    path = Path(args.path)
    if not path.exists():
        raise SystemExit(f"{path} not found: pass the path of nl4opt_train_texts.jsonl")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    answered = agree = 0
    bands: dict[str, list[int]] = {}
    listing = []
    for r in rows:
        res = formulate_offline(r["question"])
        if res.formulation is None:
            continue
        why = disagreements(gold(r["meta"]), res.formulation)
        band = ("[0.9,1]" if res.confidence >= 0.9 else "[0.7,0.9)" if res.confidence >= 0.7
                else "[0.5,0.7)" if res.confidence >= 0.5 else "<0.5")
        b = bands.setdefault(band, [0, 0])
        b[0] += not why
        b[1] += 1
        if res.confidence >= args.min_confidence:
            answered += 1
            agree += not why
            if why:
                listing.append((r["id"], res.confidence, why))
    n = len(rows)
    print(f"{path.name}: {n} texts, answered {answered} ({answered / max(n, 1):.1%}) at min "
          f"confidence {args.min_confidence}; agree with the gold tags: {agree}/{answered} "
          f"({agree / max(answered, 1):.1%})")
    print("  agreement per confidence band (all readings, before the floor):")
    for band in ["[0.9,1]", "[0.7,0.9)", "[0.5,0.7)", "<0.5"]:
        ok, k = bands.get(band, [0, 0])
        print(f"  {band:>10}: {ok}/{k} agree" + (f" ({ok / k:.0%})" if k else ""))
    if args.list:
        for rid, conf, why in listing:
            print(f"  {rid} ({conf:.2f}): " + "; ".join(why))


if __name__ == "__main__":
    main()
