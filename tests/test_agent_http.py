"""The real langchain-openai client against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import optimus
from optimus.agent import langchain_model as llm_module
from optimus.agent.langchain_model import RetryPolicy
from optimus.cli import main
from optimus.errors import ProviderError
from agent_data import TEXT, good

NO_SLEEP = RetryPolicy(sleep=lambda s: None)


class FakeOpenAI:
    """Scripted chat completions: each item is a payload dict (the ModelReply or a bare
    formulation) or ``(status, message)`` for an HTTP error."""

    def __init__(self, script: list):
        self.script = list(script)
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # silence
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                item = fake.script.pop(0) if fake.script else (500, "script exhausted")
                if isinstance(item, tuple) and item[0] == "sleep":
                    fake.stop.wait(item[1])  # a slow server (ended early at shutdown)
                    item = good()
                if isinstance(item, tuple):
                    status, message = item
                    data = {"error": {"message": message, "type": "error", "code": status}}
                    return self._send(status, data)
                payload = item if "is_optimization_problem" in item else {
                    "is_optimization_problem": True, "reason": None, "formulation": item}
                message = {"role": "assistant", "content": None}
                if body.get("tools"):
                    name = body["tools"][0]["function"]["name"]
                    message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {
                        "name": name, "arguments": json.dumps(payload)}}]
                    finish = "tool_calls"
                else:
                    message["content"] = json.dumps(payload)
                    finish = "stop"
                self._send(200, {
                    "id": "chatcmpl-1", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "m"),
                    "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140},
                })

            def _send(self, status, data):
                raw = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("structured", ["json", "tool"])
def test_solve_through_the_openai_client(structured):
    with FakeOpenAI([good()]) as server:
        answer = optimus.solve(TEXT, "qwen2.5", base_url=server.url, structured=structured,
                               retry=NO_SLEEP)
    assert answer.status == "optimal" and answer.objective == pytest.approx(180)
    assert answer.usage.calls == 1
    assert answer.usage.input_tokens == 100 and answer.usage.output_tokens == 40
    body = server.requests[0]
    assert body["model"] == "qwen2.5"
    if structured == "json":
        fmt = body["response_format"]
        assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
        assert fmt["json_schema"]["name"] == "ModelReply"
        assert "tools" not in body
    else:
        assert body["tools"][0]["function"]["name"] == "ModelReply"
    # a placeholder key is sent when none is set
    assert {k.lower(): v for k, v in server.headers[0].items()}.get("authorization") == "Bearer not-needed"


def test_base_url_defaults_to_json_schema_mode():
    with FakeOpenAI([good()]) as server:
        optimus.solve(TEXT, base_url=server.url, retry=NO_SLEEP)
    assert "response_format" in server.requests[0]


def test_repair_through_the_openai_client():
    bad = good()
    bad["constraints"][0]["expression"] = "sum(finishin[t] * make[t] for t in Toys) <= 100"
    with FakeOpenAI([bad, good()]) as server:
        answer = optimus.solve(TEXT, "m", base_url=server.url, retry=NO_SLEEP)
    assert answer.status == "optimal" and answer.usage.calls == 2
    assert answer.usage.input_tokens == 200
    repair = server.requests[1]["messages"][-1]["content"]
    assert "did you mean" in repair


def test_rate_limit_then_success():
    waits: list[float] = []
    with FakeOpenAI([(429, "slow down"), good()]) as server:
        answer = optimus.solve(TEXT, "m", base_url=server.url, retry=RetryPolicy(sleep=waits.append))
    assert answer.status == "optimal"
    assert len(server.requests) == 2 and waits == [1.0]
    assert answer.usage.calls == 1 and answer.usage.input_tokens == 100


def test_server_error_then_success():
    with FakeOpenAI([(503, "overloaded"), good()]) as server:
        answer = optimus.solve(TEXT, "m", base_url=server.url, retry=NO_SLEEP)
    assert answer.status == "optimal" and len(server.requests) == 2


def test_persistent_401_is_a_clear_provider_error():
    with FakeOpenAI([(401, "Incorrect API key provided")] * 5) as server:
        with pytest.raises(ProviderError) as err:
            optimus.solve(TEXT, "m", base_url=server.url, retry=NO_SLEEP)
    assert len(server.requests) == 1  # no retry on a bad key
    assert "rejected the credentials (401)" in err.value.message
    assert "OPENAI_API_KEY" in err.value.fix
    assert "Incorrect API key" in err.value.message
    assert err.value.fix


def test_persistent_401_through_the_cli(capsys):
    with FakeOpenAI([(401, "Incorrect API key provided")] * 5) as server:
        code = main(["solve", TEXT, "--base-url", server.url, "--model", "m"])
    out = capsys.readouterr()
    err = " ".join(out.err.split())
    assert code == 3
    assert "rejected the credentials" in err and "fix:" in err
    assert "Traceback" not in err + out.out


def test_rate_limit_after_retries_through_the_cli(capsys, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(llm_module, "_sleep", waits.append)
    with FakeOpenAI([(429, "slow down")] * 10) as server:
        code = main(["solve", TEXT, "--base-url", server.url, "--model", "m"])
    out = capsys.readouterr()
    err = " ".join(out.err.split())
    assert code == 3
    assert "rate limited (429) on all 4 tries" in err
    assert waits == [1.0, 2.0, 4.0] and len(server.requests) == 4
    assert "Traceback" not in err


def test_unreachable_server(capsys, monkeypatch):
    monkeypatch.setattr(llm_module, "_sleep", lambda s: None)
    with FakeOpenAI([]) as server:
        url = server.url
    code = main(["solve", TEXT, "--base-url", url, "--model", "m", "--timeout", "5"])
    out = capsys.readouterr()
    err = " ".join(out.err.split())
    assert code == 3
    assert "cannot reach the model server" in err


def test_timeout_through_the_openai_client():
    with FakeOpenAI([("sleep", 5.0)] * 2) as server:
        with pytest.raises(ProviderError) as err:
            optimus.solve(TEXT, "m", base_url=server.url, timeout=0.2,
                          retry=RetryPolicy(retries=1, sleep=lambda s: None))
    assert err.value.kind == "timeout"
    assert "no answer within 0.2 s (2 tries)" in err.value.message
