"""Problems that come with data, through the agent: the request carries each table's
summary and not its rows, the model's formulation reads the attached files, and only
those files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import optimus
from optimus.testing import ScriptedChatModel

TEXT = ("Ship from our plants to our markets at least cost. Each plant can ship at most its "
        "supply, each market needs its demand; unit costs are in the cost table.")


def write_transport(d: Path, n: int, m: int, seed: int = 3) -> tuple[float, dict]:
    """Files for an n x m transportation problem; its optimum by raw highspy on a matrix
    built here with numpy (independently of optimus' build)."""
    import highspy

    rng = np.random.default_rng(seed)
    demand = rng.integers(5, 50, size=m).astype(float)
    supply = rng.integers(5, 50, size=n).astype(float)
    supply *= 1.2 * demand.sum() / supply.sum()
    supply = np.ceil(supply)
    cost = np.round(rng.uniform(1, 20, size=(n, m)), 2)
    P = [f"p{i}" for i in range(n)]
    M = [f"m{j}" for j in range(m)]
    pd.DataFrame({"plant": P, "supply": supply}).to_csv(d / "supply.csv", index=False)
    pd.DataFrame({"market": M, "demand": demand}).to_csv(d / "demand.csv", index=False)
    pd.DataFrame({"plant": np.repeat(P, m), "market": np.tile(M, n),
                  "cost": cost.ravel()}).to_csv(d / "cost.csv", index=False)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    nc = n * m
    lp.num_col_, lp.num_row_ = nc, n + m
    lp.col_cost_ = cost.ravel()
    lp.col_lower_ = np.zeros(nc)
    lp.col_upper_ = np.full(nc, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([np.full(n, -highspy.kHighsInf), demand])
    lp.row_upper_ = np.concatenate([supply, np.full(m, highspy.kHighsInf)])
    k = np.arange(nc)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * nc + 1, 2, dtype=np.int32)
    lp.a_matrix_.index_ = np.stack([k // m, n + k % m], axis=1).ravel().astype(np.int32)
    lp.a_matrix_.value_ = np.ones(2 * nc)
    h.passModel(lp)
    h.run()
    return h.getInfo().objective_function_value, {"cost": cost, "supply": supply}


FORMULATION = {
    "name": "transport",
    "sets": [{"name": "Plants", "data": {"path": "supply.csv", "column": "plant"}},
             {"name": "Markets", "data": {"path": "demand.csv", "column": "market"}}],
    "parameters": [
        {"name": "supply", "index": ["Plants"], "data": {"path": "supply.csv", "column": "supply",
                                                        "index_columns": ["plant"]}},
        {"name": "demand", "index": ["Markets"], "data": {"path": "demand.csv", "column": "demand",
                                                         "index_columns": ["market"]}},
        {"name": "cost", "index": ["Plants", "Markets"],
         "data": {"path": "cost.csv", "column": "cost", "index_columns": ["plant", "market"]}}],
    "variables": [{"name": "ship", "index": ["Plants", "Markets"]}],
    "constraints": [
        {"name": "cap", "forall": "p in Plants", "expression": "sum(ship[p, m] for m in Markets) <= supply[p]"},
        {"name": "need", "forall": "m in Markets", "expression": "sum(ship[p, m] for p in Plants) >= demand[m]"}],
    "objective": {"sense": "minimize",
                  "expression": "sum(cost[p, m] * ship[p, m] for p in Plants for m in Markets)"},
}


def request_text(fake: ScriptedChatModel, call: int = 0) -> str:
    return "\n".join(m.content if isinstance(m.content, str) else json.dumps(m.content)
                     for m in fake.received[call])


def test_request_carries_the_summary_not_the_rows_and_the_model_reads_the_files(tmp_path: Path) -> None:
    expected, data = write_transport(tmp_path, 40, 50)
    fake = ScriptedChatModel(responses=[FORMULATION])
    files = [str(tmp_path / n) for n in ("supply.csv", "demand.csv", "cost.csv")]
    answer = optimus.solve(TEXT, chat_model=fake, data=files)
    assert answer.status == "optimal"
    assert answer.objective == pytest.approx(expected, rel=1e-9)
    sent = request_text(fake)
    assert 'Table "cost.csv": 2000 rows, 3 columns' in sent
    assert "cost: number" in sent and "min " in sent and "50 distinct" in sent
    # a few sample rows of the large table, never all of them
    rows = [f"p{i},m{j},{data['cost'][i, j]:.10g}" for i in range(40) for j in range(50)]
    shown = [r for r in rows if r in sent]
    assert 1 <= len(shown) <= 5
    # the small tables are shown whole
    assert 'Table "supply.csv": 40 rows' in sent  # 40 rows: a summary, not every row
    assert answer.formulation is not None and answer.formulation.sets[0].data is not None
    assert not answer.unexplained_numbers  # attached data is not grounded as text numbers


def test_prompt_does_not_grow_with_rows(tmp_path: Path) -> None:
    small, big = tmp_path / "small", tmp_path / "big"
    small.mkdir()
    big.mkdir()
    write_transport(small, 5, 5)      # 25 cost rows
    write_transport(big, 300, 300)    # 90,000 cost rows
    sizes = []
    for d in (small, big):
        fake = ScriptedChatModel(responses=[FORMULATION])
        optimus.solve(TEXT, chat_model=fake, data=[str(d / "cost.csv"), str(d / "supply.csv"),
                                                   str(d / "demand.csv")], ground_numbers=False)
        sizes.append(len(request_text(fake)))
    assert abs(sizes[1] - sizes[0]) <= 0.10 * sizes[0], sizes


def test_small_key_value_table_is_shown_whole(tmp_path: Path) -> None:
    (tmp_path / "params.csv").write_text("Parameter_Name,Value,Unit,Description\n"
                                         "budget,1234.5,USD,total budget\nrate,0.07,,interest\n")
    f = {"parameters": [{"name": "budget", "data": {"path": "params.csv", "key": "budget"}}],
         "variables": [{"name": "x"}],
         "constraints": [{"name": "c", "expression": "x <= budget"}],
         "objective": {"sense": "maximize", "expression": "x"}}
    fake = ScriptedChatModel(responses=[f])
    answer = optimus.solve("Spend as much of the budget as possible.", chat_model=fake,
                           data=[str(tmp_path / "params.csv")])
    assert answer.objective == pytest.approx(1234.5)
    sent = request_text(fake)
    assert "All rows:" in sent and "budget,1234.5,USD,total budget" in sent


def test_dataframes_and_names(tmp_path: Path) -> None:
    expected, _ = write_transport(tmp_path, 4, 6)
    frames = {"supply.csv": pd.read_csv(tmp_path / "supply.csv"),
              "demand.csv": pd.read_csv(tmp_path / "demand.csv")}
    fake = ScriptedChatModel(responses=[FORMULATION])
    answer = optimus.solve(TEXT, chat_model=fake,
                           data={**frames, "cost.csv": tmp_path / "cost.csv"})
    assert answer.objective == pytest.approx(expected)
    # NAME=FILE: the model refers to the given name
    named = json.loads(json.dumps(FORMULATION).replace('"cost.csv"', '"costs"'))
    fake = ScriptedChatModel(responses=[named])
    answer = optimus.solve(TEXT, chat_model=fake, data=[
        str(tmp_path / "supply.csv"), str(tmp_path / "demand.csv"), f"costs={tmp_path / 'cost.csv'}"])
    assert answer.objective == pytest.approx(expected)
    assert 'Table "costs"' in request_text(fake)


def test_only_attached_files_may_be_read(tmp_path: Path) -> None:
    write_transport(tmp_path, 3, 3)
    (tmp_path / "secret.csv").write_text("plant,market,cost\np0,m0,424242\n")
    sneaky = json.loads(json.dumps(FORMULATION).replace('"cost.csv"', json.dumps(str(tmp_path / "secret.csv"))))
    fake = ScriptedChatModel(responses=[sneaky, sneaky])
    answer = optimus.solve(TEXT, chat_model=fake, max_attempts=2,
                           data=[str(tmp_path / n) for n in ("supply.csv", "demand.csv", "cost.csv")])
    assert answer.status == "invalid_formulation"
    assert "is not an attached table" in answer.diagnosis.text()
    assert "424242" not in json.dumps(answer.to_json_dict())
    # the repair request names the attached tables
    assert "'cost.csv'" in request_text(fake, 1)


def test_bad_attachment_is_bad_input(tmp_path: Path) -> None:
    from optimus.errors import UserError

    with pytest.raises(UserError, match="not found"):
        optimus.solve(TEXT, chat_model=ScriptedChatModel(responses=[]), data=[str(tmp_path / "no.csv")])
