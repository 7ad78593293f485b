"""Issue 15's red team, the cases not covered elsewhere: duplicate keys in inline values
(records, YAML mappings, JSON objects) and in CSV files; hostile data paths (a FIFO,
devices, a symlink loop, a directory, a NUL, a huge field, deep JSON) give exit 2 with a
message, never a hang, a traceback or a line of the file; terminal escapes in names,
descriptions and a model's reason reach the terminal escaped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

GOOD = {"name": "d", "sets": [{"name": "S", "elements": ["a", "b"]}],
        "parameters": [{"name": "c", "index": ["S"], "values": [
            {"index": ["a"], "value": 1}, {"index": ["b"], "value": 2},
            {"index": ["a"], "value": 5}]}],
        "variables": [{"name": "x", "index": ["S"], "upper": 1}],
        "objective": {"sense": "maximize", "expression": "sum(c[s] * x[s] for s in S)"}}


def optimus(*args: str, timeout: float = 60, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The CLI in a subprocess, so that a hang fails the test instead of blocking it."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "OPTIMUS_MODEL"))}
    return subprocess.run([sys.executable, "-m", "optimus", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=env)


def clean_exit_2(p: subprocess.CompletedProcess) -> str:
    out = p.stdout + p.stderr
    assert p.returncode == 2, out
    assert "Traceback" not in out
    return out


# --------------------------------------------------------------------------- duplicates
def test_duplicate_inline_records_name_the_parameter_key_and_both_values(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(GOOD))
    out = clean_exit_2(optimus("run", str(path)))
    assert "parameter `c`" in out and "['a']" in out and "1" in out and "5" in out


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_a_key_twice_in_one_mapping_is_refused(tmp_path, suffix):
    text = json.dumps(GOOD).replace('"value": 2}', '"value": 2, "value": 7}')
    path = tmp_path / f"dup.{suffix}"
    path.write_text(text)  # JSON is YAML too
    out = clean_exit_2(optimus("run", str(path)))
    assert "'value' appears twice" in out and "2" in out and "7" in out


def test_duplicate_csv_keys_name_file_rows_and_both_values(tmp_path):
    (tmp_path / "c.csv").write_text("s,c\na,1\nb,2\na,5\n")
    f = dict(GOOD, parameters=[{"name": "c", "index": ["S"],
                                "data": {"path": "c.csv", "column": "c", "index_columns": ["s"]}}])
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(f))
    out = clean_exit_2(optimus("run", str(tmp_path / "m.yaml")))
    assert "c.csv" in out and "line 2" in out and "line 4" in out
    assert "values 1 and 5" in out


# --------------------------------------------------------------------------- terminal escapes
ESC = "\x1b[31mred\x1b[0m \x1b]52;c;aGVsbG8=\x07"


def no_raw_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text, repr(text[:300])
    assert "\\x1b[31mred" in text  # shown, escaped


def hostile_model() -> dict:
    from agent_data import good

    f = good()
    f["description"] = ESC
    f["assumptions"] = [ESC]
    f["sets"][0]["description"] = ESC
    f["sets"][0]["elements"] = ["soldiers", "trains" + ESC]
    f["parameters"][0]["values"][1]["index"] = ["trains" + ESC]
    f["parameters"][1]["values"][1]["index"] = ["trains" + ESC]
    f["parameters"][2]["values"][1]["index"] = ["trains" + ESC]
    f["variables"][0]["description"] = ESC
    f["constraints"][0]["description"] = ESC
    return f


def test_escapes_in_a_model_file_reach_the_terminal_escaped(tmp_path, capsys):
    from optimus.cli import main

    path = tmp_path / "m.json"
    path.write_text(json.dumps(hostile_model()))
    assert main(["run", str(path)]) == 0
    out = capsys.readouterr()
    no_raw_controls(out.out + out.err)
    assert main(["check", str(path)]) == 0
    got = capsys.readouterr()
    assert "\x1b" not in got.out + got.err


def test_an_escape_in_an_error_message_is_escaped(tmp_path, capsys):
    from optimus.cli import main

    f = hostile_model()
    f["constraints"][0]["expression"] = "sum(finishing[t] * make[t] for t in Toys) <= unknown_\x1b[31mred"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(f))
    assert main(["run", str(path)]) == 2
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "\\x1b" in out.out + out.err


def test_escapes_in_a_model_reply_and_its_reason_are_escaped(script, capsys):
    from agent_data import TEXT

    from optimus.cli import main
    from optimus.testing import reply

    script(reply(hostile_model(), reason="because " + ESC))
    assert main(["solve", TEXT, "--model", "fake:model"]) == 0
    out = capsys.readouterr()
    no_raw_controls(out.out + out.err)


def test_chat_output_is_escaped(script, monkeypatch, capsys):
    import io

    from agent_data import TEXT

    from optimus.cli import main
    from optimus.testing import reply

    script(reply(hostile_model(), reason="because " + ESC))
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEXT + "\n/show\n/quit\n"))
    main(["chat", "--model", "fake:model"])
    out = capsys.readouterr()
    no_raw_controls(out.out + out.err)


# --------------------------------------------------------------------------- hostile data files
def _model_reading(path: str) -> dict:
    return {"name": "d", "sets": [{"name": "S", "elements": ["a"]}],
            "parameters": [{"name": "c", "index": ["S"],
                            "data": {"path": path, "column": "c", "index_columns": ["s"]}}],
            "variables": [{"name": "x", "index": ["S"], "upper": 1}],
            "objective": {"sense": "maximize", "expression": "sum(c[s] * x[s] for s in S)"}}


def _hostile(kind: str, d: Path) -> str:
    """Make the hostile data file ``kind`` in ``d``; returns its name."""
    if kind == "fifo":
        os.mkfifo(d / "fifo.csv")
        return "fifo.csv"
    if kind in ("urandom", "zero"):
        (d / f"{kind}.csv").symlink_to(f"/dev/{kind}")
        return f"{kind}.csv"
    if kind == "symlink_loop":
        (d / "loop.csv").symlink_to(d / "loop.csv")
        return "loop.csv"
    if kind == "directory":
        (d / "dir.csv").mkdir()
        return "dir.csv"
    if kind == "passwd":
        (d / "passwd.csv").symlink_to("/etc/passwd")
        return "passwd.csv"
    if kind == "huge_field":
        (d / "big.csv").write_text("s,c\na," + "9" * 140_000 + "\n")
        return "big.csv"
    if kind == "deep_json":
        (d / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
        return "deep.json"
    if kind == "duplicate_keys":
        (d / "dup.csv").write_text("s,c\na,1\na,2\n")
        return "dup.csv"
    if kind == "nul":
        return "a\x00b.csv"
    raise AssertionError(kind)


KINDS = ["fifo", "urandom", "zero", "symlink_loop", "directory", "passwd", "huge_field",
         "deep_json", "duplicate_keys", "nul"]


def _no_file_contents(out: str) -> None:
    if Path("/etc/passwd").exists():
        lines = [ln for ln in Path("/etc/passwd").read_text(errors="replace").splitlines() if ln]
        assert not [ln for ln in lines if ln in out], "a line of /etc/passwd was echoed"
    assert "9" * 100 not in out


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_data_file_in_a_model_is_a_clear_exit_2(tmp_path, kind):
    if kind in ("urandom", "zero") and not Path(f"/dev/{kind}").exists():
        pytest.skip(f"no /dev/{kind}")
    name = _hostile(kind, tmp_path)
    (tmp_path / "m.json").write_text(json.dumps(_model_reading(name)))
    out = clean_exit_2(optimus("run", str(tmp_path / "m.json"), timeout=60))
    assert "parameter c" in out or "c:" in out, out
    if kind == "deep_json":
        assert "deeper than" in out
    _no_file_contents(out)


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in ("duplicate_keys", "huge_field")])
def test_a_hostile_data_file_attached_with_data_is_a_clear_exit_2(tmp_path, kind):
    if kind in ("urandom", "zero") and not Path(f"/dev/{kind}").exists():
        pytest.skip(f"no /dev/{kind}")
    name = _hostile(kind, tmp_path)
    if kind == "nul":  # argv cannot hold a NUL: the Python API takes it
        from optimus.datafiles import Attachments, DataError

        with pytest.raises(DataError) as err:
            Attachments.from_items([str(tmp_path / name)])
        assert err.value.fix
        return
    p = subprocess.run([sys.executable, "-m", "optimus", "chat", "--data", str(tmp_path / name)],
                       input="/quit\n", capture_output=True, text=True, timeout=60)
    out = clean_exit_2(p)
    assert name in out
    _no_file_contents(out)


# --------------------------------------------------------------------------- benchmark files
def test_a_benchmark_file_nested_a_hundred_thousand_deep(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(deep)
    out = clean_exit_2(optimus("eval", str(tmp_path / "deep.json"), "--offline",
                               "-o", str(tmp_path / "o1")))
    assert "deeper than" in out
    row = json.dumps({"id": "a", "question": "Maximize x where x is at most 4.", "answer": 4})
    (tmp_path / "deep.jsonl").write_text(row + "\n" + deep + "\n")
    p = optimus("eval", str(tmp_path / "deep.jsonl"), "--offline", "-o", str(tmp_path / "o2"))
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    recs = [json.loads(x) for x in (tmp_path / "o2" / "results.jsonl").read_text().splitlines()]
    bad = [r for r in recs if r["category"] == "bad input"]
    assert len(recs) == 2 and len(bad) == 1 and "deeper than" in bad[0]["error"]
