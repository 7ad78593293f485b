"""Calls and tokens per problem of the agent loop on ``problems/word``, scripted model.

The scripted chat model plays a perfect modeller: every request (formulate, repair,
grounding) is answered with the problem's reference model (``problems/word/models``).
For the three texts that are infeasible as written, the reply says so in ``reason`` (and
sets ``as_stated`` when the reply schema has that field). Tokens are the scripted
model's estimate (characters / 4 of what is sent and returned), so the figures compare
runs of the loop, not providers.

    python tests/benchmarks/bench_word_calls.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2] / "problems"


def rows() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for line in (ROOT / "word" / "problems.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        data = yaml.safe_load((ROOT / row["meta"]["model"]).read_text(encoding="utf-8"))
        data.pop("expected", None)
        out.append((row, data))
    return out


def perfect_reply(row: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    from optimus.agent.schema import ModelReply

    infeasible = row["answer"] is None
    reply: dict[str, Any] = {
        "is_optimization_problem": True,
        "reason": ("The text itself is infeasible: its requirements cannot all hold at once."
                   if infeasible else None),
        "formulation": data,
    }
    if "as_stated" in ModelReply.model_fields:
        reply["as_stated"] = infeasible
    return reply


def measure() -> list[dict[str, Any]]:
    import optimus
    from optimus.testing import ScriptedChatModel

    out = []
    for row, data in rows():
        payload = perfect_reply(row, data)
        fake = ScriptedChatModel(responses=[lambda _m, p=payload: p] * 10)
        answer = optimus.solve(row["question"], chat_model=fake)
        u = answer.usage
        out.append({"id": row["id"], "status": str(answer.status), "calls": u.calls,
                    "input_tokens": u.input_tokens, "output_tokens": u.output_tokens})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="one JSON object per problem")
    args = ap.parse_args(argv)
    records = measure()
    if args.json:
        for r in records:
            print(json.dumps(r))
    n = len(records)
    calls = sum(r["calls"] for r in records)
    tin = sum(r["input_tokens"] for r in records)
    tout = sum(r["output_tokens"] for r in records)
    extra = [r for r in records if r["calls"] > 1]
    print(f"problems {n}; calls {calls} ({calls / n:.3f} per problem); tokens in {tin} "
          f"({tin / n:.0f} per problem), out {tout} ({tout / n:.0f} per problem)")
    for r in extra:
        print(f"  {r['id']}: {r['calls']} calls, {r['input_tokens']}+{r['output_tokens']} tokens, "
              f"status {r['status']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
