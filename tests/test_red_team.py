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
