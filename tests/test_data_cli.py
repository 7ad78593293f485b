"""``--data`` on solve and chat, ``--solution`` on run and solve, ``/export`` in chat,
``to_frames()`` in Python, and eval rows with ``"data"``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from optimus.agent import langchain_model as llm_module
from optimus.cli import main
from optimus.testing import ScriptedChatModel
from test_data_agent import FORMULATION, TEXT, write_transport


def cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.split())


def files(d: Path) -> list[str]:
    return [f"--data={d / n}" for n in ("supply.csv", "demand.csv", "cost.csv")]


def test_solve_with_data_and_solution_csv(script, capsys, tmp_path: Path) -> None:
    expected, _ = write_transport(tmp_path, 6, 7)
    fake = script(FORMULATION)
    out_csv = tmp_path / "solution.csv"
    code, out, err = cli(capsys, "solve", TEXT, "--model", "fake:model", *files(tmp_path),
                         "--solution", str(out_csv), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["objective"] == pytest.approx(expected)
    sent = "\n".join(m.content for m in fake.received[0] if isinstance(m.content, str))
    assert 'Table "cost.csv": 42 rows' in sent
    table = pd.read_csv(out_csv)
    assert list(table.columns) == ["variable", "index_1", "index_2", "value"]
    assert len(table) == 42 and set(table["variable"]) == {"ship"}
    ship = {(r.index_1, r.index_2): r.value for r in table.itertuples()}
    cost = pd.read_csv(tmp_path / "cost.csv").set_index(["plant", "market"])["cost"]
    assert sum(cost[k] * v for k, v in ship.items()) == pytest.approx(expected)


def test_solve_data_name_and_bad_data(script, capsys, tmp_path: Path) -> None:
    write_transport(tmp_path, 3, 3)
    script()
    code, _, err = cli(capsys, "solve", TEXT, "--model", "fake:model", f"--data={tmp_path / 'nope.csv'}")
    assert code == 2 and "not found" in err
    (tmp_path / "bad.bin").write_bytes(b"x")
    code, _, err = cli(capsys, "solve", TEXT, "--model", "fake:model", "--data", str(tmp_path / "bad.bin"))
    assert code == 2 and "unknown format" in err
    code, _, err = cli(capsys, "solve", TEXT, "--offline", "--data", str(tmp_path / "cost.csv"))
    assert code == 2 and "needs a language model" in err
    code, _, err = cli(capsys, "solve", TEXT, "--model", "fake:model", "--data", str(tmp_path / "cost.csv"),
                       "--solution", str(tmp_path / "cost.csv"))
    assert code == 2 and "attached data file" in err
    code, _, err = cli(capsys, "solve", TEXT, "--model", "fake:model", "--solution", str(tmp_path / "s.txt"))
    assert code == 2 and ".csv or .xlsx" in err


def test_run_solution_xlsx_has_a_sheet_per_variable_and_a_pivot(capsys, tmp_path: Path) -> None:
    expected, _ = write_transport(tmp_path, 4, 5)
    model = dict(FORMULATION)
    model["variables"] = FORMULATION["variables"] + [{"name": "total"}]
    model["constraints"] = FORMULATION["constraints"] + [
        {"name": "tot", "expression": "total == sum(ship[p, m] for p in Plants for m in Markets)"}]
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(model))
    out = tmp_path / "sol.xlsx"
    code, _, err = cli(capsys, "run", str(path), "--solution", str(out))
    assert code == 0, err
    book = pd.read_excel(out, sheet_name=None)
    assert list(book) == ["ship", "ship_pivot", "total"]
    assert list(book["ship"].columns) == ["Plants", "Markets", "value"]
    pivot = book["ship_pivot"].set_index("Plants")
    assert pivot.shape == (4, 5) and list(pivot.index) == [f"p{i}" for i in range(4)]
    assert float(book["total"]["value"][0]) == pytest.approx(book["ship"]["value"].sum())
    # writing over a data file is refused
    code, _, err = cli(capsys, "run", str(path), "--solution", str(tmp_path / "cost.csv"))
    assert code == 2 and "data file" in err


def test_to_frames(tmp_path: Path) -> None:
    import optimus
    from optimus.formulation import load_formulation
    from optimus.pipeline import solve_formulation

    expected, _ = write_transport(tmp_path, 3, 4)
    (tmp_path / "m.json").write_text(json.dumps(FORMULATION))
    f = load_formulation(tmp_path / "m.json")
    r = solve_formulation(f)
    frames = r.to_frames(f)
    assert list(frames) == ["ship"] and list(frames["ship"].columns) == ["Plants", "Markets", "value"]
    assert list(r.to_frames()["ship"].columns) == ["index_1", "index_2", "value"]
    answer = optimus.solve(TEXT, chat_model=ScriptedChatModel(responses=[FORMULATION]),
                           data=[str(tmp_path / n) for n in ("supply.csv", "demand.csv", "cost.csv")])
    df = answer.to_frames()["ship"]
    assert len(df) == 12 and df["value"].sum() == pytest.approx(frames["ship"]["value"].sum())


def test_chat_with_data_and_export(tmp_path: Path) -> None:
    from optimus.agent.langchain_model import LangChainModel
    from optimus.agent.session import ChatSession
    from optimus.datafiles import Attachments

    expected, _ = write_transport(tmp_path, 3, 3)
    att = Attachments.from_items([str(tmp_path / n) for n in ("supply.csv", "demand.csv", "cost.csv")])
    fake = ScriptedChatModel(responses=[FORMULATION])
    s = ChatSession(LangChainModel(fake), attachments=att)
    turn = s.handle(TEXT)
    assert turn.kind == "solved" and turn.answer.objective == pytest.approx(expected)
    turn = s.handle(f"/export {tmp_path / 'out.xlsx'}")
    assert turn.kind == "info", turn.text
    assert list(pd.read_excel(tmp_path / "out.xlsx", sheet_name=None)) == ["ship", "ship_pivot"]
    turn = s.handle(f"/export {tmp_path / 'cost.csv'}")
    assert turn.kind == "error" and "attached data file" in turn.text
    turn = s.handle(f"/export {tmp_path / 'x.txt'}")
    assert turn.kind == "error" and ".csv or .xlsx" in turn.text


def test_chat_cli_data(script, capsys, tmp_path: Path, monkeypatch) -> None:
    expected, _ = write_transport(tmp_path, 3, 3)
    script(FORMULATION)
    monkeypatch.setattr("sys.stdin", io.StringIO(TEXT + f"\n/export {tmp_path / 's.csv'}\n"))
    code, out, err = cli(capsys, "chat", "--model", "fake:model", *files(tmp_path))
    assert code == 0, err
    assert pd.read_csv(tmp_path / "s.csv")["value"].sum() > 0


def test_eval_rows_with_data(tmp_path: Path, capsys, monkeypatch) -> None:
    from optimus.evaluate.formats import load_problems

    (tmp_path / "data").mkdir()
    expected, _ = write_transport(tmp_path / "data", 3, 4)
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"id": "t1", "question": TEXT, "answer": expected,
                                 "data": ["data/supply.csv", "data/demand.csv", "data/cost.csv"]}) + "\n")
    probs = load_problems(bench)
    assert probs[0].data == [str(tmp_path / "data" / n) for n in ("supply.csv", "demand.csv", "cost.csv")]
    assert "data" not in probs[0].meta
    fake = ScriptedChatModel(responses=[FORMULATION])
    monkeypatch.setattr(llm_module, "load_chat_model", lambda *a, **k: (fake, "scripted", "unknown"))
    code, out, err = cli(capsys, "eval", str(bench), "--model", "fake:model", "--out", str(tmp_path / "run"),
                         "-j", "1")
    rec = json.loads((tmp_path / "run" / "results.jsonl").read_text().splitlines()[0])
    assert rec["correct"] is True and rec["objective"] == pytest.approx(expected), (code, err)
    # the offline formulator abstains on rows with data
    code, out, err = cli(capsys, "eval", str(bench), "--offline", "--out", str(tmp_path / "run2"))
    rec = json.loads((tmp_path / "run2" / "results.jsonl").read_text().splitlines()[0])
    assert rec["status"] == "abstained"
    bench.write_text(json.dumps({"id": "t1", "question": TEXT, "answer": 1, "data": [3]}) + "\n")
    with pytest.raises(Exception, match="must be a list of file paths"):
        load_problems(bench)
