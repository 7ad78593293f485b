"""``optimus serve`` in a real browser: Debian's Chromium, driven by Playwright's Python
package (``executable_path``; Playwright's own browser download is never used).

Skips, saying why, where Chromium or the playwright package is missing (``.ci/run``
installs Chromium). Screenshots go to ``$OPTIMUS_SCREENSHOTS`` when set (the README's
are made with ``OPTIMUS_SCREENSHOTS=docs/screenshots``), else to the test's tmp folder.
Every request the page makes is recorded: none may go to another host.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from agent_data import TEXT, good
from web_server import offline_app, reply, scripted_app, serving, with_min_trains

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "problems" / "models"
CHROMIUM = os.environ.get("OPTIMUS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BAKERY = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
          "needs 1 hour. 40 hours of oven time are available. Each cake earns $5 profit and "
          "each pie earns $3. How many cakes and pies should it bake to maximize profit?")
CHAIRS = ("A factory makes chairs and tables. Each chair needs 3 hours of labor and each table "
          "needs 5 hours of labor. 60 hours of labor are available. Each chair earns $20 profit "
          "and each table earns $35. How many chairs and tables should it make to maximize "
          "profit?")
TIMEOUT = 60_000  # ms; the machine may be busy

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="the playwright package is not installed (pip install -e '.[dev]')")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("OPTIMUS_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Tab:
    """A page on the app that records every request it makes."""

    def __init__(self, context, base: str):
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.base = base
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(base + "/")
        self.page.wait_for_selector("body[data-ready='1']")

    def ask(self, text: str) -> None:
        before = self.page.locator("#log .turn").count()
        self.page.fill("textarea[name=problem]", text)
        self.page.click("button[type=submit]")
        done = self.page.locator("#log .turn").nth(before).or_(self.page.locator("#error:not([hidden])"))
        done.first.wait_for()
        self.page.locator("#busy").wait_for(state="hidden")

    def other_hosts(self) -> list[str]:
        own = urlparse(self.base).netloc
        return [u for u in self.requests
                if urlparse(u).scheme not in ("blob", "data", "about") and urlparse(u).netloc != own]


@pytest.fixture
def offline_server():
    with serving(offline_app()) as base:
        yield base


def test_bakery_offline_shows_120_and_rendered_math(browser, offline_server, shots):
    context = browser.new_context(viewport={"width": 1200, "height": 1300})
    tab = Tab(context, offline_server)
    page = tab.page
    assert "offline formulator" in page.inner_text("#notice")
    tab.ask(BAKERY)
    model = page.locator("#model")
    assert "120" in page.inner_text("#model .result table.summary")
    assert page.locator("#model math").count() >= 3  # variables, objective, constraint
    # MathML is laid out by the browser: the objective's math has a real size
    box = page.locator("#model .objective math").bounding_box()
    assert box is not None and box["width"] > 40 and box["height"] > 8
    assert "attempt 1" in page.inner_text("#progress").lower()
    assert "pie" in model.inner_text()
    page.screenshot(path=str(shots / "serve-bakery.png"), full_page=True)
    assert tab.other_hosts() == []
    context.close()


def test_infeasible_model_file_shows_its_conflict(browser, offline_server, shots):
    context = browser.new_context(viewport={"width": 1200, "height": 1100})
    tab = Tab(context, offline_server)
    page = tab.page
    page.set_input_files("#model-file", str(MODELS / "infeasible_production.yaml"))
    page.wait_for_selector("#model .diagnosis table.conflict")
    text = page.inner_text("#model .diagnosis")
    assert "meet_demand[gadgets]" in text and "line_capacity_limit[gadgets]" in text
    assert "infeasible" in page.inner_text("#model .result table.summary")
    page.locator("#model .diagnosis").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "serve-infeasible.png"), full_page=True)
    assert tab.other_hosts() == []
    context.close()


def test_chat_edit_shows_the_diff(browser, shots):
    app = scripted_app(good(), reply(with_min_trains(), reason="added a minimum of 70 trains"))
    with serving(app) as base:
        context = browser.new_context(viewport={"width": 1200, "height": 1100})
        tab = Tab(context, base)
        page = tab.page
        tab.ask(TEXT)
        assert "180" in page.inner_text("#model .result table.summary")
        assert page.inner_text("#send") == "Apply"  # the same box now edits the model
        tab.ask("at least 70 trains")
        diff = page.locator("#log pre.diff").last
        assert "+subject to min_trains" in diff.inner_text()
        assert diff.locator("span.add").count() >= 1
        change = page.inner_text("#log .change-box")
        assert "180" in change and "170" in change
        assert "170" in page.inner_text("#model .result table.summary")
        page.screenshot(path=str(shots / "serve-chat-edit.png"), full_page=True)
        assert tab.other_hosts() == []
        context.close()


def test_downloads_work(browser, offline_server, tmp_path):
    context = browser.new_context(accept_downloads=True)
    tab = Tab(context, offline_server)
    page = tab.page
    tab.ask(BAKERY)
    got = {}
    for label, kind in (("Pyomo script", "pyomo"), ("Solution CSV", "solution"), ("MPS", "mps"),
                        ("Solution XLSX", "xlsx")):
        with page.expect_download() as info:
            page.click(f"#downloads button[data-kind={kind}]")
        d = info.value
        target = tmp_path / d.suggested_filename
        d.save_as(str(target))
        got[kind] = target
    assert got["pyomo"].name == "model.py" and "ConcreteModel" in got["pyomo"].read_text()
    assert "pie,40.0" in got["solution"].read_text()
    assert "ROWS" in got["mps"].read_text()
    import pandas as pd

    assert got["xlsx"].name == "solution.xlsx"
    sheets = pd.read_excel(got["xlsx"], sheet_name=None)
    assert 40 in set(pd.concat(sheets.values())["value"])
    import subprocess
    import sys

    run = subprocess.run([sys.executable, str(got["pyomo"])], capture_output=True, text=True,
                         timeout=120)
    assert "objective: 120" in run.stdout, run.stdout + run.stderr
    context.close()


def test_two_tabs_do_not_see_each_other(browser, offline_server, shots):
    context = browser.new_context(viewport={"width": 1000, "height": 900})  # one cookie jar
    a, b = Tab(context, offline_server), Tab(context, offline_server)
    a.ask(BAKERY)
    assert "120" in a.page.inner_text("#model")
    assert b.page.inner_text("#model").strip() == ""  # b's page knows nothing of a's problem
    assert b.page.locator("#downloads").is_hidden()
    b.ask(CHAIRS)
    assert "420" in b.page.inner_text("#model .result table.summary")
    a.page.reload()  # a new page load is a new session
    a.page.wait_for_selector("body[data-ready='1']")
    assert a.page.inner_text("#model").strip() == ""
    assert "420" in b.page.inner_text("#model .result table.summary")  # b unaffected
    assert "cake" not in b.page.inner_text("#model")
    assert context.cookies() == []
    b.page.screenshot(path=str(shots / "serve-second-tab.png"))
    context.close()
