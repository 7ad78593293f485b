"""Readers for benchmark files: normalized, en_question/en_answer, Question/Answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimus.errors import UserError
from optimus.evaluate.formats import load_problems, parse_answer, select

NORMALIZED = [
    {"id": "n1", "source": "x", "question": "Q one", "answer": 880.0,
     "meta": {"alt_answers": [888.888889]}},
    {"id": "n2", "source": "x", "question": "Q two", "answer": None,
     "meta": {"answer_unknown": True, "alt_answers": []}},
]
ORLM = [{"en_question": "Maximize profit ...", "en_answer": "1200.5"},
        {"en_question": "Minimize cost ...", "en_answer": "No Best Solution"},
        {"en_question": "Plan ...", "en_answer": -99999}]
QA = [{"Question": "How many chairs ...", "Answer": 42, "Type": "ILP"},
      {"Question": "Blend ...", "Answer": "3,150.25"}]


def _write(tmp_path: Path, name: str, rows: list, jsonl: bool) -> Path:
    p = tmp_path / name
    if jsonl:
        p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    else:
        p.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return p


@pytest.mark.parametrize("jsonl", [True, False])
def test_normalized(tmp_path: Path, jsonl: bool) -> None:
    probs = load_problems(_write(tmp_path, "norm.jsonl" if jsonl else "norm.json",
                                 NORMALIZED, jsonl))
    assert [p.id for p in probs] == ["n1", "n2"]
    assert probs[0].answer == 880.0 and probs[0].alt_answers == [888.888889]
    assert probs[0].meta["source"] == "x"
    assert probs[1].answer is None and probs[1].answer_unknown
    assert not probs[0].answer_unknown


@pytest.mark.parametrize("jsonl", [True, False])
def test_en_question_answer(tmp_path: Path, jsonl: bool) -> None:
    probs = load_problems(_write(tmp_path, "orlm.jsonl", ORLM, jsonl))
    assert [p.id for p in probs] == ["orlm-0", "orlm-1", "orlm-2"]
    assert probs[0].question.startswith("Maximize") and probs[0].answer == 1200.5
    assert probs[1].answer is None and probs[1].meta["answer_raw"] == "No Best Solution"
    assert probs[2].answer is None and probs[2].meta["answer_raw"] == -99999
    assert not probs[1].answer_unknown  # a null reference, expected infeasible


@pytest.mark.parametrize("jsonl", [True, False])
def test_question_answer(tmp_path: Path, jsonl: bool) -> None:
    probs = load_problems(_write(tmp_path, "qa.json", QA, jsonl))
    assert [p.answer for p in probs] == [42.0, 3150.25]
    assert probs[0].meta["Type"] == "ILP"


def test_object_of_records(tmp_path: Path) -> None:
    p = tmp_path / "obj.json"
    p.write_text(json.dumps({"7": {"question": "Q", "answer": 1}, "9": {"question": "R",
                                                                       "answer": 2}}, indent=1))
    probs = load_problems(p)
    assert [(x.id, x.answer) for x in probs] == [("7", 1.0), ("9", 2.0)]


def test_row_without_answer_is_unknown(tmp_path: Path) -> None:
    probs = load_problems(_write(tmp_path, "t.jsonl", [{"question": "Q"}], True))
    assert probs[0].answer_unknown


def test_duplicate_ids_get_suffix(tmp_path: Path) -> None:
    rows = [{"id": "a", "question": "Q", "answer": 1}, {"id": "a", "question": "R", "answer": 2}]
    assert [p.id for p in load_problems(_write(tmp_path, "d.jsonl", rows, True))] == ["a", "a#2"]


def test_parse_answer() -> None:
    assert parse_answer("12") == 12.0 and parse_answer("$1,000") == 1000.0
    assert parse_answer("infeasible") is None and parse_answer("") is None
    assert parse_answer(None) is None and parse_answer(float("inf")) is None
    assert parse_answer(True) is None


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="No such file"):
        load_problems(tmp_path / "nope.jsonl")


def test_bad_json_line_is_named(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"question": "Q", "answer": 1}\n\n{"question": oops}\n')
    # issue 15: a bad line is its own "bad input" row (the run goes on), naming the line
    good, bad = load_problems(p)
    assert good.bad_input is None and "line 3" in (bad.bad_input or "")


def test_no_usable_rows(tmp_path: Path) -> None:
    p = _write(tmp_path, "empty.jsonl", [{"text": "no question key"}, [1, 2]], True)
    with pytest.raises(UserError, match="no usable rows"):
        load_problems(p)
    (tmp_path / "blank.jsonl").write_text("\n\n")
    with pytest.raises(UserError, match="no usable rows"):
        load_problems(tmp_path / "blank.jsonl")


def test_select_ids_and_limit(tmp_path: Path) -> None:
    probs = load_problems(_write(tmp_path, "orlm.jsonl", ORLM, True))
    assert [p.id for p in select(probs, ["orlm-2", "orlm-0"])] == ["orlm-0", "orlm-2"]
    assert [p.id for p in select(probs, None, 2)] == ["orlm-0", "orlm-1"]
    with pytest.raises(UserError, match="Unknown id"):
        select(probs, ["zzz"])


def test_shared_nl4opt_dev_reads() -> None:
    path = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "nl4opt_dev.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not available")
    probs = load_problems(path)
    assert len(probs) == 99
    assert sum(p.answer_unknown for p in probs) == 10
    assert sum(1 for p in probs if p.alt_answers) > 0
