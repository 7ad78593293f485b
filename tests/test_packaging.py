"""Packaging: every Python package folder is listed in pyproject.toml, so a wheel works."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_every_package_folder_is_listed():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapped = config["package-dir"]
    found = set()
    for init in (REPO / "optimus").rglob("__init__.py"):
        rel = init.parent.relative_to(REPO)
        found.add(".".join(rel.parts))
    for package, folder in mapped.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder)
            found.add(".".join((package,) + rel.parts))
    assert found <= listed, f"not listed in pyproject.toml: {sorted(found - listed)}"


def test_packaged_data_is_reachable():
    from importlib.resources import files

    assert (files("optimus.problems") / "word" / "problems.jsonl").is_file()
    assert (files("optimus.prompts") / "formulate.md").is_file()
    assert any(p.name.endswith(".yaml") for p in (files("optimus.problems") / "models").iterdir())
