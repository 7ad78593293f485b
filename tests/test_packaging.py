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
    for asset in ("index.html", "app.js", "style.css"):  # optimus serve's page
        assert (files("optimus.web") / "static" / asset).is_file()
    assert any(p.name.endswith(".yaml") for p in (files("optimus.problems") / "models").iterdir())


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_distribution_name_is_the_one_in_messages():
    """``optimus`` on the package index is another project: every install hint names ours."""
    from optimus.version import DISTRIBUTION

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION == "optimus-milp"
    for path in [REPO / "README.md", *(REPO / "optimus").rglob("*.py"), *(REPO / "docs").rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert 'install "optimus[' not in text and "install optimus[" not in text, path


def test_version_flag(capsys):
    from optimus.cli import main
    from optimus.version import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"optimus {__version__} (optimus-milp)"
