"""Train the offline formulator's small learned word lists from NL4Opt's gold entity tags.

Run: ``python -m optimus.offline.train [PATH]`` (PATH defaults to
../shared/benchmarks/nl4opt_train_texts.jsonl). It writes ``lexicon_learned.json`` next to
this file:

* ``before_var``: lowercase words seen at least twice right before a VAR entity (skipping
  articles) and (almost) never inside one ("builds", "sells", "between"): they end a
  listed item when finding decision variables;
* ``obj_names``: stems seen in OBJ_NAME entities (what objectives talk about);
* ``after_var``: lowercase words seen at least twice right after a VAR entity and (almost)
  never inside one ("costs", "takes", "examines", "work"): they end the subject noun phrase
  when variables are found as the subjects of figures ("A shuttle bus costs $20").

The output is deterministic (sorted) and a few kilobytes.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


DEFAULT = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "nl4opt_train_texts.jsonl"
OUT = Path(__file__).with_name("lexicon_learned.json")


def train(path: Path) -> dict[str, list[str]]:
    """Word lists learned from the BIO tags in ``path``."""
    total: Counter[str] = Counter()
    in_var: Counter[str] = Counter()
    obj: Counter[str] = Counter()
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        meta = json.loads(line)["meta"]
        toks, tags = meta["tokens"], meta["ner_tags"]
        for i, tag in enumerate(tags):
            if tag == "B-VAR":
                j = i - 1
                while j >= 0 and toks[j].lower() in ("a", "an", "the", "of", "their", "his", "her"):
                    j -= 1
                if j >= 0 and toks[j].isalpha():
                    before[toks[j].lower()] += 1
            if tag.endswith("VAR") and (i + 1 >= len(tags) or not tags[i + 1].endswith("VAR")):
                if i + 1 < len(toks) and toks[i + 1].isalpha():
                    after[toks[i + 1].lower()] += 1
        for tok, tag in zip(toks, tags):
            if not tok.isalpha():
                continue
            s = tok.lower()
            total[s] += 1
            if tag.endswith("VAR"):
                in_var[s] += 1
            if tag.endswith("OBJ_NAME"):
                obj[s] += 1
    never = sorted(s for s, n in before.items() if n >= 2 and in_var[s] <= 0.01 * total[s])
    after_never = sorted(s for s, n in after.items() if n >= 2 and in_var[s] <= 0.01 * total[s])
    return {"after_var": after_never, "before_var": never,
            "obj_names": sorted(s for s, n in obj.items() if n >= 3)}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        raise SystemExit(f"{path} not found: pass the path of nl4opt_train_texts.jsonl")
    data = train(path)
    OUT.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): "
          + ", ".join(f"{k}: {len(v)}" for k, v in data.items()))


if __name__ == "__main__":
    main()
