"""Keep the README honest: run the `optimus ...` commands of its bash blocks as written.

Commands run from a copy of the repository root (problems/ and ../shared linked in), in
README order, so that later commands see the files earlier ones wrote. Commands that need
a language model (``--model``, ``--base-url``, ``chat``), a file the reader provides
(``-f problem.txt``) or a benchmark script are left out. Exit codes 0 and 1 are accepted
(1: solved but not optimal, as for the infeasible example); anything else, or a
traceback, fails.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SHARED

README = REPO / "README.md"
SKIP = ("--model", "--base-url", "optimus chat", "-f problem.txt", "answer.json")


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    commands: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            for part in line.split(" && "):
                part = part.strip()
                if part.startswith("optimus ") or re.match(r"python \w+\.py$", part.split("#")[0].strip()):
                    commands.append(part)
    return commands


def _argv(command: str) -> list[str]:
    argv = shlex.split(command, comments=True)
    if argv[0] == "optimus":
        return [sys.executable, "-m", "optimus", *argv[1:]]
    return [sys.executable, *argv[1:]]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("readme")
    root = top / "repo"
    root.mkdir()
    (root / "problems").symlink_to(REPO / "problems")
    if SHARED.exists():
        (top / "shared").symlink_to(SHARED)
    return root


COMMANDS = readme_commands()


def test_readme_has_commands():
    assert any(c.startswith("optimus run") for c in COMMANDS)
    assert any(c.startswith("optimus solve") for c in COMMANDS)
    assert any(c.startswith("optimus eval") for c in COMMANDS)


#: What skipped commands would have written (``--out DIR`` and the like): a later
#: command that reads one of them is skipped too, instead of failing on a fresh clone.
_NOT_WRITTEN: set[str] = set()


def _outputs(command: str) -> set[str]:
    argv = shlex.split(command, comments=True)
    return {argv[i + 1] for i, a in enumerate(argv[:-1])
            if a in ("--out", "--code", "--latex", "--lp", "--mps")}


def _skip(command: str, reason: str) -> None:
    _NOT_WRITTEN.update(_outputs(command))
    pytest.skip(reason)


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_works(command: str, workspace: Path):
    if any(s in command for s in SKIP):
        _skip(command, "needs a language model or a file of the reader's")
    if "../shared" in command and not SHARED.exists():
        _skip(command, "../shared is absent")
    needs = set(shlex.split(command, comments=True)) & _NOT_WRITTEN
    if needs:
        _skip(command, f"reads {', '.join(sorted(needs))}, which a skipped command writes")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPTIMUS_MODEL")}
    proc = subprocess.run(_argv(command), cwd=workspace, capture_output=True, text=True,
                          timeout=300, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), f"{command}\nexit {proc.returncode}\n{proc.stderr[-2000:]}"
