"""Our data-backed problems (problems/data/): each model solves to its independently
computed optimum with both backends, ``optimus eval`` runs the set through its ``data``
rows, and what the model is sent carries each table's summary, never its rows."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import REPO
from optimus.cli import main
from optimus.formulation import load_formulation
from optimus.pipeline import solve_formulation

DATA = REPO / "problems" / "data"
ROWS = [json.loads(line) for line in (DATA / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
IDS = [r["id"] for r in ROWS]


def reference_module():
    sys.path.insert(0, str(DATA))
    try:
        import reference
    finally:
        sys.path.remove(str(DATA))
    return reference


def model_dict(pid: str) -> dict:
    data = yaml.safe_load((DATA / pid / "model.yaml").read_text(encoding="utf-8"))
    data.pop("expected")
    return data


def test_the_set() -> None:
    assert len(ROWS) >= 12 and len(set(IDS)) == len(IDS)
    suffixes = {Path(f).suffix for r in ROWS for f in r["data"]}
    assert {".csv", ".tsv", ".xlsx", ".json", ".parquet"} <= suffixes
    size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert size < 1_000_000, size
    for r in ROWS:
        assert r["question"] == (DATA / r["id"] / "problem.txt").read_text(encoding="utf-8").strip()
        attached = {Path(f).name for f in r["data"]}
        assert all((DATA / f).is_file() for f in r["data"]), r["id"]
        # the model reads exactly the attached files, by their file names
        m = model_dict(r["id"])
        read = {s["data"]["path"] for part in ("sets", "parameters") for s in m.get(part, []) if s.get("data")}
        assert read == attached, (r["id"], read, attached)
        assert len(r["question"]) < 1_000  # a short text: the numbers are in the tables
        expected = yaml.safe_load((DATA / r["id"] / "model.yaml").read_text())["expected"]
        assert expected["objective"] == r["answer"] and expected["status"] == "optimal"
        assert r["meta"]["method"] in expected["source"]


def test_references_do_not_use_optimus() -> None:
    tree = ast.parse((DATA / "reference.py").read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(n.split(".")[0] == "optimus" for n in names), names
    assert set(reference_module().OPTIMA) == set(IDS)


@pytest.mark.parametrize("pid", IDS)
def test_reference_matches_the_committed_answer(pid: str) -> None:
    answer = next(r["answer"] for r in ROWS if r["id"] == pid)
    opt, how = reference_module().OPTIMA[pid](DATA / pid)
    assert opt == pytest.approx(answer, rel=1e-9, abs=1e-9), how


@pytest.mark.parametrize("backend", ["highs", "pulp"])
@pytest.mark.parametrize("pid", IDS)
def test_model_solves_to_the_reference(pid: str, backend: str) -> None:
    answer = next(r["answer"] for r in ROWS if r["id"] == pid)
    r = solve_formulation(load_formulation(DATA / pid / "model.yaml"), backend=backend, mip_gap=0.0)
    assert r.status == "optimal", (r.status, r.message if hasattr(r, "message") else "")
    assert r.objective == pytest.approx(answer, rel=1e-6)


def test_eval_runs_the_set_with_the_scripted_model(script, capsys, tmp_path: Path) -> None:
    import re

    by_tables = {frozenset(Path(f).name for f in r["data"]): model_dict(r["id"]) for r in ROWS}

    def formulate(messages):  # the scripted model answers the problem whose tables it was sent
        sent = "\n".join(m.content if isinstance(m.content, str) else json.dumps(m.content)
                         for m in messages)
        return by_tables[frozenset(re.findall(r'^Table "([^"]+?)(?:\[[^"]*\])?"', sent, flags=re.M))]

    fake = script(*[formulate] * (4 * len(IDS)))
    out = tmp_path / "run"
    code = main(["eval", str(DATA / "problems.jsonl"), "--model", "fake:model", "--out", str(out),
                 "-j", "1"])
    err = capsys.readouterr().err
    recs = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in recs] == IDS, err
    wrong = [(r["id"], r.get("status"), r.get("objective")) for r in recs if r["correct"] is not True]
    assert not wrong, (code, err)
    summary = json.loads((out / "summary.json").read_text())
    assert json.dumps(summary).count(str(len(IDS))) >= 1
    assert len(fake.received) >= len(IDS)
    # each request names every attached table with its size, and carries at most a few
    # of a large table's rows
    texts = ["\n".join(m.content if isinstance(m.content, str) else json.dumps(m.content) for m in ms)
             for ms in fake.received]
    for row in ROWS:
        sent = next(t for t in texts if row["question"] in t)  # the problem's first request
        for f in row["data"]:
            assert f'Table "{Path(f).name}' in sent, (row["id"], f)
        assert len(sent) < 40_000, (row["id"], len(sent))


def _rows_shown(sent: str, frame: pd.DataFrame) -> int:
    lines = {",".join(f"{v:.10g}" if isinstance(v, float) else str(v) for v in r)
             for r in frame.itertuples(index=False, name=None)}
    return sum(1 for line in sent.splitlines() if line.strip() in lines)


def test_request_carries_summaries_not_rows(script, capsys, tmp_path: Path) -> None:
    row = next(r for r in ROWS if r["id"] == "transportation")
    fake = script(model_dict("transportation"))
    code = main(["solve", row["question"], "--model", "fake:model", "--json",
                 *[f"--data={DATA / f}" for f in row["data"]]])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert json.loads(out.out)["objective"] == pytest.approx(row["answer"], rel=1e-6)
    sent = "\n".join(m.content if isinstance(m.content, str) else json.dumps(m.content)
                     for m in fake.received[0])
    freight = pd.read_csv(DATA / "transportation" / "freight.tsv", sep="\t")
    assert 'Table "freight.tsv": 4000 rows, 3 columns' in sent
    assert "usd_per_t: number" in sent and "50 distinct" in sent and "80 distinct" in sent
    assert 1 <= _rows_shown(sent, freight) <= 5  # a sample, never the table
    assert len(sent) < 20_000
    plants = pd.read_csv(DATA / "transportation" / "plants.csv")
    assert _rows_shown(sent, plants) <= 5  # 50 rows: more than a small table, summarized


def test_counts_and_values_of_attached_tables_are_grounded(tmp_path: Path) -> None:
    """"We make 50 products" is explained by the 50 rows of products.csv; a number that is
    in no table nor in the formulation is still reported."""
    from optimus.agent.grounding import unexplained_numbers
    from optimus.datafiles import Attachments
    from optimus.formulation import Formulation

    pd.DataFrame({"product": [f"p{k}" for k in range(50)], "limit": [4] * 50}).to_csv(
        tmp_path / "products.csv", index=False)
    f = Formulation.model_validate({
        "sets": [{"name": "P", "data": {"path": "products.csv", "column": "product"}}],
        "parameters": [{"name": "limit", "index": ["P"], "data": {"path": "products.csv", "column": "limit"}}],
        "variables": [{"name": "x", "index": ["P"]}],
        "constraints": [{"name": "c", "forall": "p in P", "expression": "x[p] <= limit[p]"}],
        "objective": {"sense": "maximize", "expression": "sum(x[p] for p in P)"}})
    f = f.with_attachments(Attachments.from_items([str(tmp_path / "products.csv")]))
    assert unexplained_numbers("We make 50 products, at most 4 of each. Each costs $37.", f) == [37.0]


@pytest.mark.parametrize("fmt, where", [
    ("csv", "freight.csv, line 4, column 'usd_per_t'"),
    ("tsv", "freight.tsv, line 4, column 'usd_per_t'"),
    ("xlsx", "freight.xlsx[Sheet1], row 4, column 'usd_per_t'"),
    ("json", "freight.json, record 3, column 'usd_per_t'"),
    ("parquet", "freight.parquet, row 3, column 'usd_per_t'"),
])
def test_a_bad_cell_is_located_in_every_format(tmp_path: Path, fmt: str, where: str) -> None:
    """The same wrong cell (row 3 of the freight table) named by file, row and column in
    each format's own terms; nothing is solved."""
    from optimus.checks import check

    src = DATA / "transportation"
    for name in ("plants.csv", "markets.csv"):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    frame = pd.read_csv(src / "freight.tsv", sep="\t").astype({"usd_per_t": object})
    frame.loc[2, "usd_per_t"] = "twelve"
    path = tmp_path / f"freight.{fmt}"
    if fmt in ("csv", "tsv"):
        frame.to_csv(path, sep="\t" if fmt == "tsv" else ",", index=False)
    elif fmt == "xlsx":
        frame.to_excel(path, index=False)
    elif fmt == "json":
        path.write_text(frame.to_json(orient="records"))
    else:  # a Parquet column has one type: numbers written as text, one of them wrong
        frame.astype({"usd_per_t": str}).to_parquet(path, index=False)
    m = model_dict("transportation")
    m["parameters"][2]["data"]["path"] = path.name
    f = load_formulation_dict(m, tmp_path)
    text = "\n".join(i.message for i in check(f))
    assert where in text and "not a number" in text, text
    r = solve_formulation(f)
    assert r.status == "error" and not r.variables


def load_formulation_dict(m: dict, base: Path):
    from optimus.formulation import Formulation

    return Formulation.model_validate(m).with_base_dir(base)
