"""``optimus serve``'s app over HTTP (Starlette's test client; the browser tests are in
test_web_browser.py): sessions, streamed turns, uploads and their limits, downloads,
safety headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from agent_data import TEXT, good
from starlette.testclient import TestClient
from web_server import offline_app, reply, scripted_app, with_min_trains

from optimus.cli import main
from optimus.web.sessions import Limits

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "problems" / "models"
LOCAL = "http://127.0.0.1:8000"
BAKERY = ("A bakery makes cakes and pies. Each cake needs 2 hours of oven time and each pie "
          "needs 1 hour. 40 hours of oven time are available. Each cake earns $5 profit and "
          "each pie earns $3. How many cakes and pies should it bake to maximize profit?")


def events(response) -> list[tuple[str, dict]]:
    out = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        event = next(line[7:] for line in block.splitlines() if line.startswith("event: "))
        data = "".join(line[6:] for line in block.splitlines() if line.startswith("data: "))
        out.append((event, json.loads(data)))
    return out


def session(client: TestClient) -> dict:
    r = client.post("/api/session")
    assert r.status_code == 200
    return r.json()


def say(client: TestClient, sid: str, text: str) -> list[tuple[str, dict]]:
    r = client.post("/api/message", data={"problem": text}, headers={"X-Session": sid})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    return events(r)


def turn_of(evs: list[tuple[str, dict]]) -> dict:
    return next(d for e, d in evs if e == "turn")


@pytest.fixture
def offline():
    with TestClient(offline_app(), base_url=LOCAL) as client:
        yield client


def test_page_and_headers(offline):
    r = offline.get("/")
    assert r.status_code == 200
    html = r.text
    assert '<textarea id="problem" name="problem"' in html
    assert html.count('type="submit"') == 1
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "http" not in html.replace("http-equiv", "")  # no other host named in the page
    for asset in ("/static/app.js", "/static/style.css"):
        body = offline.get(asset).text
        assert "http://" not in body and "https://" not in body
    script = offline.get("/static/app.js").text
    for storage in ("document.cookie", "localStorage", "sessionStorage", "indexedDB"):
        assert storage not in script  # the session id lives in memory only


def test_other_hosts_are_refused(offline):
    assert offline.get("/", headers={"Host": "attacker.example"}).status_code == 400


def test_offline_session_says_so_and_solves_the_bakery(offline):
    s = session(offline)
    assert s["offline"] is True and s["formulator"] == "offline"
    assert "offline formulator" in s["notice"] and "OPTIMUS_MODEL" in s["notice"]
    evs = say(offline, s["session"], BAKERY)
    kinds = [e for e, _ in evs]
    assert kinds[0] == "start" and "attempt" in kinds and kinds[-1] == "done"
    t = turn_of(evs)
    assert t["status"] == "optimal" and t["objective"] == 120
    assert "<math" in t["formulation_html"] and "<math" in t["result_html"] or "<math" in t["formulation_html"]
    assert "120" in t["result_html"]
    assert set(t["downloads"]) >= {"pyomo", "markdown", "lp", "mps", "model", "solution"}


def test_sessions_are_separate(offline):
    a, b = session(offline)["session"], session(offline)["session"]
    assert a != b
    say(offline, a, BAKERY)
    r = offline.get("/api/download/model", headers={"X-Session": b})
    assert r.status_code == 400 and "no model yet" in r.json()["error"]
    assert offline.get("/api/download/model", headers={"X-Session": a}).status_code == 200
    assert offline.post("/api/message", data={"problem": "x"}).status_code == 403  # no session
    assert offline.post("/api/message", data={"problem": "x"},
                        headers={"X-Session": "guess"}).status_code == 403


@pytest.mark.parametrize("kind, needle", [("pyomo", "ConcreteModel"), ("markdown", "$$"),
                                          ("lp", "40"), ("mps", "ROWS"),
                                          ("model", "objective:"), ("solution", "pie")])
def test_downloads(offline, kind, needle):
    sid = session(offline)["session"]
    say(offline, sid, BAKERY)
    r = offline.get(f"/api/download/{kind}", headers={"X-Session": sid})
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    assert needle in r.text
    if kind == "solution":
        assert r.text.splitlines()[0] == "variable,value"
        assert "pie,40.0" in r.text


def test_open_an_infeasible_model_file_shows_its_conflict(offline):
    sid = session(offline)["session"]
    path = MODELS / "infeasible_production.yaml"
    r = offline.post("/api/open", files={"model": (path.name, path.read_bytes())},
                     headers={"X-Session": sid})
    t = turn_of(events(r))
    assert t["status"] == "infeasible"
    assert "meet_demand[gadgets]" in t["result_html"]
    assert "line_capacity_limit[gadgets]" in t["result_html"]
    assert 'class="conflict"' in t["result_html"]


def test_model_file_reads_only_uploaded_data(offline):
    sid = session(offline)["session"]
    path = MODELS / "facility_location.yaml"
    r = offline.post("/api/open", files={"model": (path.name, path.read_bytes())},
                     headers={"X-Session": sid})
    assert r.status_code == 400 and "was not uploaded" in r.json()["error"]
    csv = MODELS / "data" / "facility_serve_cost.csv"
    up = offline.post("/api/upload", files={"files": (csv.name, csv.read_bytes())},
                      headers={"X-Session": sid})
    assert csv.name in up.json()["files"]
    text = path.read_text().replace("data/facility_serve_cost.csv", "facility_serve_cost.csv")
    r = offline.post("/api/open", files={"model": (path.name, text.encode())},
                     headers={"X-Session": sid})
    t = turn_of(events(r))
    assert t["status"] == "optimal" and t["objective"] == pytest.approx(1497)
    evil = "name: m\nparameters:\n  - {name: c, index: [S], data: {path: /etc/passwd}}\n" \
           "sets: [{name: S, elements: [a]}]\nvariables: [{name: x}]\n" \
           "objective: {sense: minimize, expression: x}\n"
    r = offline.post("/api/open", files={"model": ("evil.yaml", evil.encode())},
                     headers={"X-Session": sid})
    assert r.status_code == 400 and "not uploaded" in r.json()["error"]


@pytest.mark.parametrize("name", [".hidden.csv", "a b.csv", "run.sh", "x.py", "..", "a\x00.csv"])
def test_upload_names_are_checked(offline, name):
    sid = session(offline)["session"]
    r = offline.post("/api/upload", files={"files": (name, b"a,b\n")}, headers={"X-Session": sid})
    assert r.status_code == 400 and r.json()["fix"]


def test_upload_keeps_only_the_file_name(offline):
    sid = session(offline)["session"]
    r = offline.post("/api/upload", files={"files": ("../../etc/x.csv", b"a,b\n")},
                     headers={"X-Session": sid})
    assert r.json()["saved"] == ["x.csv"]
    store = offline.app.state.store
    ws = store.get(sid)
    assert (ws.folder / "x.csv").read_bytes() == b"a,b\n"
    assert not (ws.folder.parent.parent / "etc").exists()


def test_size_limits():
    limits = Limits(max_file_bytes=100, max_request_bytes=1000, max_message_chars=50)
    with TestClient(offline_app(limits=limits), base_url=LOCAL) as client:
        sid = session(client)["session"]
        r = client.post("/api/upload", files={"files": ("big.csv", b"x" * 500)},
                        headers={"X-Session": sid})
        assert r.status_code == 400
        r = client.post("/api/upload", files={"files": ("huge.csv", b"x" * 5000)},
                        headers={"X-Session": sid})
        assert r.status_code == 413
        r = client.post("/api/message", data={"problem": "y" * 60}, headers={"X-Session": sid})
        assert r.status_code == 413 and "limit" in r.json()["error"]


def test_commands_that_write_files_are_refused(offline):
    sid = session(offline)["session"]
    for line in ("/save /tmp/x.yaml", "/code out.py", "/math out.md", "/quit"):
        r = offline.post("/api/message", data={"problem": line}, headers={"X-Session": sid})
        assert r.status_code == 400 and "download" in r.json()["fix"]


def test_chat_edit_streams_attempts_and_the_diff():
    app = scripted_app(good(), reply(with_min_trains(), reason="added a minimum of 70 trains"))
    with TestClient(app, base_url=LOCAL) as client:
        sid = session(client)["session"]
        first = turn_of(say(client, sid, TEXT))
        assert first["kind"] == "solved" and first["objective"] == 180
        evs = say(client, sid, "at least 70 trains")
        assert [e for e, _ in evs if e == "attempt"]
        t = turn_of(evs)
        assert t["kind"] == "edited" and t["objective"] == 170
        assert "+subject to min_trains" in t["diff"]
        assert "180" in t["change_html"] and "170" in t["change_html"]
        undo = turn_of(say(client, sid, "/undo"))
        assert undo["objective"] == 180


def test_no_key_reaches_the_page(monkeypatch):
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    app = scripted_app({"is_optimization_problem": False, "reason": f"echo {secret}",
                        "formulation": None})
    with TestClient(app, base_url=LOCAL) as client:
        s = session(client)
        r = client.post("/api/message", data={"problem": TEXT}, headers={"X-Session": s["session"]})
        assert secret not in r.text and secret not in json.dumps(s)
        assert "***" in r.text


def test_serve_refuses_a_taken_port_and_warns_for_other_hosts(capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "cannot listen" in err and "--port" in err


def test_serve_help_lists_its_options(capsys):
    main(["serve", "--help"])
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--model"):
        assert option in out


# --------------------------------------------------------------------------- data uploads
DATA_TEXT = ("Giapetto makes the toys of hours.csv, with their profit and finishing and carpentry "
             "hours. 100 finishing hours and 80 carpentry hours are available, and at most 40 "
             "soldiers sell. Maximize profit.")
HOURS_CSV = "toy,profit,finishing,carpentry\nsoldiers,3,2,1\ntrains,2,1,1\n"


def from_hours_csv() -> dict:
    """good() with its parameters read from the uploaded hours.csv (optimum 180)."""
    f = good()
    f["sets"] = [{"name": "Toys", "data": {"path": "hours.csv", "column": "toy"}}]
    f["parameters"] = [{"name": n, "index": ["Toys"],
                        "data": {"path": "hours.csv", "column": n, "index_columns": ["toy"]}}
                       for n in ("profit", "finishing", "carpentry")]
    return f


def upload(client: TestClient, sid: str, name: str, content: bytes | str):
    return client.post("/api/upload", files={"files": (name, content, "text/csv")},
                       headers={"X-Session": sid})


def test_text_problem_with_an_uploaded_csv_reads_the_table():
    app = scripted_app(from_hours_csv())
    with TestClient(app, base_url=LOCAL) as client:
        sid = session(client)["session"]
        r = upload(client, sid, "hours.csv", HOURS_CSV)
        assert r.status_code == 200 and r.json()["data"] == ["hours.csv"] and not r.json()["notice"]
        t = turn_of(say(client, sid, DATA_TEXT))
        assert t["kind"] == "solved" and t["objective"] == 180
        assert "hours.csv" in t["formulation_html"]
        store = app.state.store
        ws = next(iter(store._sessions.values()))
        sent = "\n".join(str(m.content) for m in ws.chat.llm.chat_model.received[0])
        assert "hours.csv" in sent and "finishing" in sent  # the model saw the table's columns
        x = client.get("/api/download/xlsx", headers={"X-Session": sid})
        assert x.status_code == 200 and x.content[:2] == b"PK"
        assert "solution.xlsx" in x.headers["content-disposition"]
        import io

        import pandas as pd

        sheets = pd.read_excel(io.BytesIO(x.content), sheet_name=None)
        assert dict(zip(sheets["make"]["Toys"], sheets["make"]["value"])) == {
            "soldiers": 20, "trains": 60}


def test_an_unreadable_table_upload_is_refused_and_not_kept():
    app = scripted_app(from_hours_csv())
    with TestClient(app, base_url=LOCAL) as client:
        sid = session(client)["session"]
        r = upload(client, sid, "hours.csv", b"\xff\xfe\x00\x01toy,profit\n")
        assert r.status_code == 400
        body = r.json()
        assert "hours.csv" in body["error"] and "UTF-8" in body["error"] and body["fix"]
        again = upload(client, sid, "other.csv", "a,b\n1,2\n")
        assert again.json()["files"] == ["other.csv"]


def test_offline_upload_says_tables_are_not_read(offline):
    sid = session(offline)["session"]
    r = upload(offline, sid, "hours.csv", HOURS_CSV)
    assert r.status_code == 200 and "does not read tables" in r.json()["notice"]
    assert r.json()["data"] == []
