"""Data tables: every format, the data forms of the formulation, and every bad-data case
(each message names the file, the row and the column, and nothing is solved)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from optimus.checks import check
from optimus.datafiles import Attachments, DataError, TableStore, open_data_file
from optimus.formulation import Formulation
from optimus.pipeline import solve_formulation

COSTS = {("p1", "m1"): 4.0, ("p1", "m2"): 6.0, ("p2", "m1"): 5.0, ("p2", "m2"): 3.0}
SUPPLY = {"p1": 30.0, "p2": 40.0}
DEMAND = {"m1": 25.0, "m2": 35.0}


def transport(sets_from_data: bool = True, cost_path: str = "cost.csv", **cost_ref: Any) -> dict:
    sets = ([{"name": "Plants", "data": {"path": "supply.csv", "column": "plant"}},
             {"name": "Markets", "data": {"path": "demand.csv", "column": "market"}}]
            if sets_from_data else
            [{"name": "Plants", "elements": list(SUPPLY)}, {"name": "Markets", "elements": list(DEMAND)}])
    ref = {"path": cost_path, "column": "cost", "index_columns": ["plant", "market"]}
    ref.update(cost_ref)
    return {
        "name": "transport",
        "sets": sets,
        "parameters": [
            {"name": "supply", "index": ["Plants"], "data": {"path": "supply.csv", "column": "supply",
                                                            "index_columns": ["plant"]}},
            {"name": "demand", "index": ["Markets"], "data": {"path": "demand.csv", "column": "demand"}},
            {"name": "cost", "index": ["Plants", "Markets"], "data": ref},
        ],
        "variables": [{"name": "ship", "index": ["Plants", "Markets"]}],
        "constraints": [
            {"name": "cap", "forall": "p in Plants", "expression": "sum(ship[p, m] for m in Markets) <= supply[p]"},
            {"name": "need", "forall": "m in Markets", "expression": "sum(ship[p, m] for p in Plants) >= demand[m]"}],
        "objective": {"sense": "minimize",
                      "expression": "sum(cost[p, m] * ship[p, m] for p in Plants for m in Markets)"},
    }


OPTIMUM = 25 * 4 + 35 * 3  # p1->m1 25, p2->m2 35: 205


def cost_frame() -> pd.DataFrame:
    # columns deliberately not in index order: index_columns picks them by name
    return pd.DataFrame([{"cost": v, "market": m, "plant": p} for (p, m), v in COSTS.items()])


def write_common(d: Path) -> None:
    (d / "supply.csv").write_text("plant,supply\np1,30\np2,40\n")
    (d / "demand.csv").write_text("market,demand\nm1,25\nm2,35\n")


def model(d: Path, data: dict) -> Formulation:
    return Formulation.model_validate(data).with_base_dir(d)


def issues_text(f: Formulation) -> str:
    return "\n".join(i.message for i in check(f))


# --------------------------------------------------------------------------- formats
@pytest.mark.parametrize("fmt", ["csv", "tsv", "xlsx", "json", "parquet"])
def test_every_format_solves_the_same_model(tmp_path: Path, fmt: str) -> None:
    write_common(tmp_path)
    frame = cost_frame()
    path = tmp_path / f"cost.{fmt}"
    sheet = None
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif fmt == "xlsx":
        with pd.ExcelWriter(path) as w:  # two sheets: each sheet is a table
            pd.DataFrame({"note": ["other sheet"]}).to_excel(w, sheet_name="notes", index=False)
            frame.to_excel(w, sheet_name="costs", index=False)
        sheet = "costs"
    elif fmt == "json":
        path.write_text(frame.to_json(orient="records"))
    else:
        frame.to_parquet(path, index=False)
    f = model(tmp_path, transport(cost_path=path.name, sheet=sheet))
    r = solve_formulation(f)
    assert r.status == "optimal" and r.objective == pytest.approx(OPTIMUM)


def test_excel_without_sheet_names_the_sheets(tmp_path: Path) -> None:
    write_common(tmp_path)
    with pd.ExcelWriter(tmp_path / "cost.xlsx") as w:
        cost_frame().to_excel(w, sheet_name="costs", index=False)
        cost_frame().to_excel(w, sheet_name="old", index=False)
    text = issues_text(model(tmp_path, transport(cost_path="cost.xlsx")))
    assert "cost.xlsx holds 2 sheets" in text and "costs" in text


def test_sets_keep_file_order_and_distinct_values(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("plant,market,cost\nb,x,1\na,x,2\nb,y,3\nc,y,4\n")
    f = Formulation.model_validate({
        "sets": [{"name": "P", "data": {"path": "t.csv", "column": "plant"}},
                 {"name": "Arcs", "data": {"path": "t.csv", "index_columns": ["plant", "market"]}},
                 {"name": "Weeks", "range": [1, 52]}],
        "variables": [{"name": "x", "index": ["P"]}],
        "objective": {"sense": "minimize", "expression": "sum(x[p] for p in P)"}}).with_base_dir(tmp_path)
    from optimus.checks import analyze

    a = analyze(f)
    assert not a.issues
    assert a.symbols.sets["P"] == ["b", "a", "c"]
    assert a.symbols.sets["Arcs"] == [("b", "x"), ("a", "x"), ("b", "y"), ("c", "y")]
    assert a.symbols.sets["Weeks"] == list(range(1, 53))


def test_integer_keys_match_a_range_set(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("week,demand\n1,5\n2,7\n3,0\n")
    f = Formulation.model_validate({
        "sets": [{"name": "Weeks", "range": [1, 3]}],
        "parameters": [{"name": "demand", "index": ["Weeks"], "data": {"path": "d.csv", "column": "demand",
                                                                      "index_columns": ["week"]}}],
        "variables": [{"name": "make", "index": ["Weeks"]}],
        "constraints": [{"name": "meet", "forall": "t in Weeks", "expression": "make[t] >= demand[t]"}],
        "objective": {"sense": "minimize", "expression": "sum(make[t] for t in Weeks)"}}).with_base_dir(tmp_path)
    assert solve_formulation(f).objective == pytest.approx(12)


PARAMS_CSV = ("Parameter_Name,Value,Unit,Description\n"
              "budget,1000,USD,total money\nhours,40,h,weekly hours\nlabel,abc,,not a number\n")


def scalar_model(ref: dict) -> dict:
    return {"parameters": [{"name": "budget", "data": ref}],
            "variables": [{"name": "x"}],
            "constraints": [{"name": "c", "expression": "x <= budget"}],
            "objective": {"sense": "maximize", "expression": "x"}}


def test_scalar_from_a_key_value_table(tmp_path: Path) -> None:
    (tmp_path / "params.csv").write_text(PARAMS_CSV)
    f = model(tmp_path, scalar_model({"path": "params.csv", "key": "budget"}))
    assert solve_formulation(f).objective == pytest.approx(1000)
    f = model(tmp_path, scalar_model({"path": "params.csv", "key": "hours"}))
    assert solve_formulation(f).objective == pytest.approx(40)
    # overrides: the key and value columns by name
    (tmp_path / "kv.csv").write_text("what,amount,other\nbudget,77,1\n")
    f = model(tmp_path, scalar_model({"path": "kv.csv", "key": "budget", "key_column": "what",
                                      "column": "amount"}))
    assert solve_formulation(f).objective == pytest.approx(77)


def test_scalar_key_errors(tmp_path: Path) -> None:
    (tmp_path / "params.csv").write_text(PARAMS_CSV)
    text = issues_text(model(tmp_path, scalar_model({"path": "params.csv", "key": "missing"})))
    assert "params.csv" in text and "no row" in text and "'Parameter_Name'" in text
    text = issues_text(model(tmp_path, scalar_model({"path": "params.csv", "key": "label"})))
    assert "params.csv, line 4, column 'Value'" in text and "not a finite number" in text
    (tmp_path / "dup.csv").write_text("Parameter_Name,Value\nbudget,1\nbudget,2\n")
    text = issues_text(model(tmp_path, scalar_model({"path": "dup.csv", "key": "budget"})))
    assert "line 2 and line 3" in text


def test_legacy_json_record_format_still_reads(tmp_path: Path) -> None:
    (tmp_path / "v.json").write_text(json.dumps({"cap": 9, "w": [{"index": ["a"], "value": 2},
                                                                  {"index": "b", "value": 3}]}))
    f = Formulation.model_validate({
        "sets": [{"name": "S", "elements": ["a", "b"]}],
        "parameters": [{"name": "cap", "data": {"path": "v.json"}},
                       {"name": "w", "index": ["S"], "data": {"path": "v.json", "sheet": "w"}}],
        "variables": [{"name": "x", "index": ["S"], "upper": 1}],
        "constraints": [{"name": "c", "expression": "sum(x[s] for s in S) <= cap"}],
        "objective": {"sense": "maximize", "expression": "sum(w[s] * x[s] for s in S)"}}).with_base_dir(tmp_path)
    assert solve_formulation(f).objective == pytest.approx(5)


# --------------------------------------------------------------------------- bad data
@pytest.mark.parametrize("content, expect", [
    ("plant,market,cost\np1,m1,4\np1,m2,abc\np2,m1,5\np2,m2,3\n",
     "cost.csv, line 3, column 'cost': the cell is not a number"),
    ("plant,market,cost\np1,m1,4\np1,m2,\np2,m1,5\np2,m2,3\n",
     "cost.csv, line 3, column 'cost': the cell is empty"),
    ("plant,market,cost\np1,m1,4\np1,m2,6\np2,m1,5\np2,m2,3\np1,m2,7\n",
     "cost.csv: line 3 and line 6 give the same key [p1, m2] of `cost` (values 6 and 7)"),
    ("plant,market,cost\np1,m1,4\np1,m2,6\npX,m1,5\np2,m2,3\n",
     "cost.csv, line 4, column 'plant': the key is not an element of set `Plants`"),
    ("plant,market,cost\np1,m1,4\np1,,6\np2,m1,5\np2,m2,3\n",
     "cost.csv, line 3, column 'market': the cell is empty"),
    ("plant,market,price\np1,m1,4\n", "cost.csv has no column 'cost'"),
    ("plant,market,cost\np1,m1,4\np1,m2,6\n\np2,m1,inf\np2,m2,3\n",
     "cost.csv, line 5, column 'cost': inf is not a finite number"),
    ("plant,market,cost\np1,m1,4\np1,m2,6,9\n", "line 3 has 4 fields, the header has 3"),
])
def test_bad_data_names_file_row_and_column(tmp_path: Path, content: str, expect: str) -> None:
    write_common(tmp_path)
    (tmp_path / "cost.csv").write_text(content)
    f = model(tmp_path, transport())
    text = issues_text(f)
    assert expect in text, text
    r = solve_formulation(f)
    assert r.status == "error" and not r.variables  # nothing solved


def test_missing_combinations_and_missing_file(tmp_path: Path) -> None:
    write_common(tmp_path)
    (tmp_path / "cost.csv").write_text("plant,market,cost\np1,m1,4\np1,m2,6\np2,m1,5\n")
    assert "no value for 1 index combination(s)" in issues_text(model(tmp_path, transport()))
    text = issues_text(model(tmp_path, transport(cost_path="nope.csv")))
    assert "data file nope.csv not found" in text


def test_excel_and_json_rows_are_numbered_in_their_own_terms(tmp_path: Path) -> None:
    write_common(tmp_path)
    frame = cost_frame().astype({"cost": object})
    frame.loc[2, "cost"] = "n/a"
    frame.to_excel(tmp_path / "cost.xlsx", index=False)
    assert "cost.xlsx[Sheet1], row 4, column 'cost'" in issues_text(
        model(tmp_path, transport(cost_path="cost.xlsx")))
    (tmp_path / "cost.json").write_text(frame.to_json(orient="records"))
    assert "cost.json, record 3, column 'cost'" in issues_text(
        model(tmp_path, transport(cost_path="cost.json")))


def test_excel_reads_na_as_text_like_csv(tmp_path: Path) -> None:
    """Only an empty cell is missing: "NA" (Namibia) is an element, "n/a" a text reported
    as not a number (not as an empty cell), in a workbook as in a CSV file."""
    write_common(tmp_path)
    (tmp_path / "supply.csv").write_text("plant,supply\np1,30\nNA,40\n")
    frame = cost_frame().replace({"plant": {"p2": "NA"}})
    frame.to_excel(tmp_path / "cost.xlsx", index=False)
    r = solve_formulation(model(tmp_path, transport(cost_path="cost.xlsx")))
    assert r.status == "optimal" and r.objective == pytest.approx(OPTIMUM)
    frame = frame.astype({"cost": object})
    frame.loc[2, "cost"] = "n/a"
    frame.to_excel(tmp_path / "cost.xlsx", index=False)
    text = issues_text(model(tmp_path, transport(cost_path="cost.xlsx")))
    assert "row 4, column 'cost': the cell is not a number" in text


def test_table_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import optimus.datafiles as df

    write_common(tmp_path)
    cost_frame().to_csv(tmp_path / "cost.csv", index=False)
    monkeypatch.setattr(df, "MAX_TABLE_ROWS", 3)
    assert "cost.csv has 4 rows, more than the limit of 3" in issues_text(model(tmp_path, transport()))
    monkeypatch.setattr(df, "MAX_DATA_BYTES", 10)
    assert "more than the limit of 10" in issues_text(model(tmp_path, transport()))


def test_cells_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import optimus.datafiles as df

    monkeypatch.setattr(df, "MAX_CELL_CHARS", 8)
    (tmp_path / "supply.csv").write_text("plant,supply\np1,30\nabcdefghijkl,40\n")
    (tmp_path / "demand.csv").write_text("market,demand\nm1,25\nm2,35\n")
    cost_frame().to_csv(tmp_path / "cost.csv", index=False)
    text = issues_text(model(tmp_path, transport()))
    assert "supply.csv, line 3, column 'plant': the cell has 12 characters" in text
    assert "abcdefghijkl" not in text


# --------------------------------------------------------------------------- hardening
def test_refuses_directories_fifos_devices_nul_and_loops(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a directory"):
        open_data_file(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        with pytest.raises(DataError, match="not a regular file"):
            open_data_file(fifo)  # returns at once: never blocks on the FIFO
    if os.path.exists("/dev/zero"):
        with pytest.raises(DataError, match="not a regular file"):
            open_data_file("/dev/zero")
    with pytest.raises(DataError, match="NUL"):
        open_data_file("a\0b.csv")
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    with pytest.raises(DataError, match="loops"):
        open_data_file(loop)


def test_errors_never_echo_the_file(tmp_path: Path) -> None:
    secret = "root:x:0:0:TOPSECRET:/root:/bin/bash"
    (tmp_path / "passwd.csv").write_text(secret + "\nbin:x:1:1:TOPSECRET2:/bin:/sbin/nologin\n")
    write_common(tmp_path)
    f = model(tmp_path, transport(cost_path="passwd.csv"))
    text = issues_text(f)
    assert "passwd.csv" in text and "TOPSECRET" not in text and "root" not in text
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00secret\x00binary")
    text = issues_text(model(tmp_path, transport(cost_path="bin.csv")))
    assert "bin.csv" in text and "secret" not in text


def test_attachments_are_the_only_files_read(tmp_path: Path) -> None:
    write_common(tmp_path)
    cost_frame().to_csv(tmp_path / "cost.csv", index=False)
    (tmp_path / "other.csv").write_text("plant,market,cost\n")
    att = Attachments.from_items([str(tmp_path / "supply.csv"), f"demand.csv={tmp_path / 'demand.csv'}",
                                  ("cost.csv", cost_frame())])
    assert att.names() == ["supply.csv", "demand.csv", "cost.csv"]
    f = Formulation.model_validate(transport()).with_attachments(att)
    assert solve_formulation(f).objective == pytest.approx(OPTIMUM)
    f = Formulation.model_validate(transport(cost_path=str(tmp_path / "other.csv"))).with_attachments(att)
    assert "is not an attached table" in issues_text(f)
    with pytest.raises(DataError, match="not found"):
        Attachments.from_items([str(tmp_path / "nope.csv")])
    with pytest.raises(DataError, match="two data tables"):
        Attachments.from_items([str(tmp_path / "supply.csv"), f"supply.csv={tmp_path / 'demand.csv'}"])
    with pytest.raises(DataError, match="unknown format"):
        Attachments.from_items([str(tmp_path / "x.exe")])


def test_store_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import optimus.datafiles as df

    write_common(tmp_path)
    cost_frame().to_csv(tmp_path / "cost.csv", index=False)
    calls: list[str] = []
    real = df.open_data_file
    monkeypatch.setattr(df, "open_data_file", lambda p, label=None: calls.append(str(label)) or real(p, label))
    assert not check(model(tmp_path, transport()))
    assert sorted(calls) == ["cost.csv", "demand.csv", "supply.csv"]
    store = TableStore(tmp_path)
    assert store.table("cost.csv") is store.table("cost.csv")
