"""Our own word problems (problems/word): format, coverage, and every answer re-solved.

Each problem's reference answer must be reproduced by its typed model with both backends
(HiGHS and PuLP/CBC); a null answer means both backends report the model infeasible.
"""

from __future__ import annotations

import json
import math
from importlib.resources import as_file, files

import pytest
import yaml

from optimus.build import build
from optimus.formulation import load_formulation
from optimus.pipeline import solve_formulation

ROOT = files("optimus.problems")
JSONL = ROOT / "word" / "problems.jsonl"
CATEGORIES = {"production", "blending", "diet", "transport", "scheduling", "staffing",
              "investment"}
META_KEYS = {"source", "category", "integrality", "num_variables", "sense", "model"}


def _load() -> list[dict]:
    return [json.loads(line) for line in JSONL.read_text(encoding="utf-8").splitlines()
            if line.strip()]


PROBLEMS = _load()


def _model_path(problem: dict):
    return ROOT.joinpath(*problem["meta"]["model"].split("/"))


def test_file_is_packaged_and_large_enough():
    assert JSONL.is_file()
    assert len(PROBLEMS) >= 40


def test_normalized_fields_and_unique_ids():
    ids = [p["id"] for p in PROBLEMS]
    assert len(ids) == len(set(ids))
    for p in PROBLEMS:
        assert set(p) == {"id", "source", "question", "answer", "meta"}, p["id"]
        assert isinstance(p["id"], str) and isinstance(p["question"], str)
        assert len(p["question"]) > 80, p["id"]
        assert p["source"] == "optimus/problems/word"
        assert p["answer"] is None or (isinstance(p["answer"], float)
                                       and math.isfinite(p["answer"])), p["id"]
        meta = p["meta"]
        assert META_KEYS <= set(meta), p["id"]
        assert meta["source"] == "optimus"
        assert meta["integrality"] in {"stated", "implied", "none"}
        assert meta["sense"] in {"minimize", "maximize"}
        assert meta["model"] == f"word/models/{p['id']}.yaml"
        assert bool(meta.get("infeasible")) == (p["answer"] is None), p["id"]


def test_the_eval_loader_reads_the_file():
    from optimus.evaluate.formats import load_problems

    with as_file(JSONL) as path:
        problems = load_problems(path)
    assert [p.id for p in problems] == [p["id"] for p in PROBLEMS]
    assert [p.answer for p in problems] == [p["answer"] for p in PROBLEMS]


def test_coverage_of_the_set():
    cats = {p["meta"]["category"] for p in PROBLEMS}
    assert CATEGORIES <= cats, CATEGORIES - cats
    assert sum(p["meta"]["num_variables"] >= 5 for p in PROBLEMS) >= 8
    assert sum(p["meta"]["num_variables"] == 2 for p in PROBLEMS) >= 15
    integ = [p["meta"]["integrality"] for p in PROBLEMS]
    assert integ.count("stated") >= 3 and integ.count("implied") >= 3
    assert integ.count("none") >= 10
    senses = {p["meta"]["sense"] for p in PROBLEMS}
    assert senses == {"minimize", "maximize"}
    nulls = sum(p["answer"] is None for p in PROBLEMS)
    assert 2 <= nulls <= 3


@pytest.mark.parametrize("problem", PROBLEMS, ids=[p["id"] for p in PROBLEMS])
def test_model_file_matches_meta(problem):
    with as_file(_model_path(problem)) as path:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        f = load_formulation(path)
    expected = raw["expected"]
    assert expected["objective"] == problem["answer"]
    assert expected["status"] == ("infeasible" if problem["answer"] is None else "optimal")
    lp = build(f)
    meta = problem["meta"]
    assert lp.num_cols == meta["num_variables"]
    assert f.objective.sense == meta["sense"]
    # integer variables exactly when the text states or implies whole units
    assert lp.is_mip == (meta["integrality"] in {"stated", "implied"}), problem["id"]


@pytest.mark.parametrize("backend", ["highs", "pulp"])
@pytest.mark.parametrize("problem", PROBLEMS, ids=[p["id"] for p in PROBLEMS])
def test_answer_reproduced_by_backend(problem, backend):
    with as_file(_model_path(problem)) as path:
        f = load_formulation(path)
    result = solve_formulation(f, backend=backend, diagnose=False)
    if problem["answer"] is None:
        assert result.status == "infeasible", (problem["id"], result.status)
    else:
        assert result.status == "optimal", (problem["id"], result.status, result.message)
        assert result.objective == pytest.approx(problem["answer"], rel=1e-6, abs=1e-9)
