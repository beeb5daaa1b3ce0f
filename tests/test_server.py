"""The HTTP server's app in process (Starlette's test client): endpoints, shapes, errors, limits."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette")
from starlette.testclient import TestClient

from bot import Engine, MemoryStore, StoreError, UsageError
from bot.inputs import MAX_REQUEST_BYTES
from bot.serve import ServerConfig
from bot.server import create_app


def _client(config: ServerConfig | None = None, store: Any = None, **kwargs: Any) -> TestClient:
    store = store if store is not None else MemoryStore()
    engine = Engine.load(store=store)
    return TestClient(create_app(engine, store, config or ServerConfig(rate_limit=0)), **kwargs)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with _client() as client:
        yield client


def _no_traceback(response: Any) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "request_id"} and body["error"]


# -- conversation ------------------------------------------------------------------------------


def test_reply_is_the_reply_dict_plus_session(client: TestClient, engine: Engine) -> None:
    response = client.post(
        "/v1/reply", json={"session": "alice", "text": "what is Google's hiring process?"}
    )
    assert response.status_code == 200
    body = response.json()
    expected = engine.reply("what is Google's hiring process?", session="reply-shape").to_dict()
    assert body == {**expected, "session": "alice"}
    follow_up = client.post("/v1/reply", json={"session": "alice", "text": "and Amazon?"}).json()
    assert follow_up["intent"] == "company_hiring" and "Amazon" in follow_up["text"]
    assert follow_up["citations"][0]["section"] == "Amazon — Hiring Process"


def test_rasa_rest_webhook_shape(client: TestClient) -> None:
    response = client.post(
        "/webhooks/rest/webhook",
        json={
            "sender": "bob",
            "message": "what is Google's hiring process?",
            "metadata": {"channel": "widget"},
        },
    )
    assert response.status_code == 200
    messages = response.json()
    assert isinstance(messages, list) and len(messages) == 1
    message = messages[0]
    assert set(message) == {"recipient_id", "text", "buttons"}
    assert message["recipient_id"] == "bob"
    assert message["text"].startswith("Google's hiring")
    assert message["text"].endswith("Sources: How to Become an ML Engineer at Top-Tier Companies")
    assert message["buttons"] and all(
        set(b) == {"title", "payload"} and b["title"] == b["payload"] for b in message["buttons"]
    )
    follow_up = client.post(
        "/webhooks/rest/webhook", json={"sender": "bob", "message": "and Amazon?"}
    ).json()
    assert follow_up[0]["text"].startswith("Amazon's hiring")
    assert client.get("/webhooks/rest/").json() == {"status": "ok"}


def test_rasa_messages_of_a_multi_part_reply_with_a_notice() -> None:
    from bot import Citation, Reply
    from bot.rasa_rest import messages

    cite = Citation("blog", "A Guide", "Pay")
    parts = (Reply("one", citations=(cite,)), Reply("two", kind="decline"))
    reply = Reply(
        "1. first?\none\n\n2. second?\ntwo",
        kind="multi",
        parts=parts,
        suggestions=("next?",),
        notice="I read only the start.",
    )
    assert messages(reply, "r") == [
        {"recipient_id": "r", "text": "I read only the start."},
        {"recipient_id": "r", "text": "1. first?\none\n\nSources: A Guide"},
        {
            "recipient_id": "r",
            "text": "2. second?\ntwo",
            "buttons": [{"title": "next?", "payload": "next?"}],
        },
    ]
    assert messages(Reply("hi"), "r") == [{"recipient_id": "r", "text": "hi"}]


def test_topics(client: TestClient, engine: Engine) -> None:
    body = client.get("/v1/topics").json()
    assert [g["title"] for g in body["groups"]] == [g.title for g in engine.topics()]
    assert body["groups"][0]["topics"][0].keys() == {"title", "example"}
    assert body["starters"] == list(engine.settings.starter_questions)


def test_see_and_erase_a_session(client: TestClient) -> None:
    assert client.get("/v1/sessions/carol").status_code == 404
    client.post("/v1/reply", json={"session": "carol", "text": "I live in Seattle"})
    body = client.get("/v1/sessions/carol").json()
    assert body["session"] == "carol" and body["state"]["version"] == 1
    assert body["state"]["profile"]["region"] == "seattle"
    assert client.delete("/v1/sessions/carol").json() == {"session": "carol", "deleted": True}
    assert client.get("/v1/sessions/carol").status_code == 404
    assert client.delete("/v1/sessions/carol").status_code == 200
    assert client.get("/v1/sessions/with%2Fslash%20and%20space").status_code == 404


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "sessions": "MemoryStore"}


def test_not_ready_when_the_store_is_down() -> None:
    class DownStore(MemoryStore):
        def ping(self) -> None:
            raise StoreError("session store redis://127.0.0.1:1/0: connection refused")

    with _client(store=DownStore()) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "error": "session store redis://127.0.0.1:1/0: connection refused",
    }


# -- bad requests ------------------------------------------------------------------------------

BAD = [
    ("invalid JSON", b'{"session": "a", "text": ', "application/json", 400, "invalid JSON"),
    ("not UTF-8", b'{"session": "a", "text": "\xff"}', "application/json", 400, "UTF-8"),
    ("empty", b"", "application/json", 400, "empty request"),
    ("too deep", b"[" * 100_000 + b"]" * 100_000, "application/json", 413, "too large"),
    (
        "not JSON type",
        b'{"session": "a", "text": "hi"}',
        "text/plain",
        415,
        "Content-Type: application/json",
    ),
    ("no type", b'{"session": "a", "text": "hi"}', "", 415, "none"),
    ("array", b'["hi"]', "application/json", 422, "expected a JSON object"),
    ("no text", b'{"session": "a"}', "application/json", 422, 'missing "text"'),
    ("no session", b'{"text": "hi"}', "application/json", 422, 'missing "session"'),
    (
        "text not a string",
        b'{"session": "a", "text": 5}',
        "application/json",
        422,
        '"text": text must be a string',
    ),
    ("bad session", b'{"session": " a", "text": "hi"}', "application/json", 422, "spaces"),
    (
        "long session",
        json.dumps({"session": "x" * 129, "text": "hi"}).encode(),
        "application/json",
        422,
        "too long",
    ),
    (
        "control session",
        b'{"session": "a\\u0000", "text": "hi"}',
        "application/json",
        422,
        "U+0000",
    ),
]


@pytest.mark.parametrize(
    ("body", "media", "status", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_requests_get_json_errors(
    client: TestClient, body: bytes, media: str, status: int, message: str
) -> None:
    headers = {"Content-Type": media} if media else {}
    response = client.post("/v1/reply", content=body, headers=headers)
    assert response.status_code == status, response.text
    _no_traceback(response)
    assert message in response.json()["error"]


def test_rasa_webhook_bad_requests(client: TestClient) -> None:
    for body, message in [
        ({"message": "hi"}, 'missing "sender"'),
        ({"sender": "a"}, 'missing "message"'),
        ({"sender": "a", "message": None}, "must be a string"),
        ({"sender": "a", "message": "hi", "metadata": [1]}, '"metadata" must be an object'),
    ]:
        response = client.post("/webhooks/rest/webhook", json=body)
        assert response.status_code == 422 and message in response.json()["error"]


def test_body_size_limit(client: TestClient) -> None:
    big = json.dumps({"session": "a", "text": "x" * MAX_REQUEST_BYTES}).encode()
    response = client.post("/v1/reply", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    _no_traceback(response)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(MAX_REQUEST_BYTES // 1000 + 2):
            yield b" " * 1000

    response = client.post(
        "/v1/reply", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    fits = json.dumps({"session": "a", "text": "y" * (MAX_REQUEST_BYTES - 100)}).encode()
    assert (
        client.post(
            "/v1/reply", content=fits, headers={"Content-Type": "application/json"}
        ).status_code
        == 200
    )


def test_unknown_routes_and_methods_are_json(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.json()["error"] == "no such endpoint: /nowhere"
    response = client.put("/v1/reply", json={})
    assert response.status_code == 405 and "PUT" in response.json()["error"]
    assert "POST" in response.headers["allow"]
    assert client.get("/static/../server.py").status_code == 404
    assert client.get("/static/secret.txt").status_code == 404


def test_a_bug_is_a_500_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    store = MemoryStore()
    engine = Engine.load(store=store)

    def broken(text: str, session: str = "default") -> Any:
        raise RuntimeError("secret detail")

    engine.reply = broken  # type: ignore[method-assign]
    app = create_app(engine, store, ServerConfig(rate_limit=0))
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "hi"})
    assert response.status_code == 500
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert response.json()["error"] == "internal error; it was logged"
    assert any("secret detail" in str(r.exc_info) for r in caplog.records if r.exc_info)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["session", "text", "sender", "message", "x"]),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=10,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_no_body_gives_a_server_error(client: TestClient, body: bytes) -> None:
    for path in ("/v1/reply", "/webhooks/rest/webhook"):
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code in (200, 400, 422), response.text
        if response.status_code != 200:
            _no_traceback(response)


# -- token, CORS, rate limit, request ids --------------------------------------------------------


def test_bearer_token() -> None:
    with _client(ServerConfig(token="s3cret", rate_limit=0)) as client:
        ask = {"session": "a", "text": "hi"}
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
            response = client.post("/v1/reply", json=ask, headers=headers)
            assert response.status_code == 401 and response.headers["www-authenticate"].startswith(
                "Bearer"
            )
            _no_traceback(response)
        assert (
            client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "hi"}).status_code
            == 401
        )
        assert client.get("/v1/topics").status_code == 401
        assert client.get("/v1/sessions/a").status_code == 401
        assert (
            client.post(
                "/v1/reply", json=ask, headers={"Authorization": "Bearer s3cret"}
            ).status_code
            == 200
        )
        for open_path in ("/healthz", "/readyz", "/", "/static/app.js"):
            assert client.get(open_path).status_code == 200


def test_cors_allow_list() -> None:
    with _client(ServerConfig(cors=("https://chat.example.org",), rate_limit=0)) as client:
        preflight = {
            "Origin": "https://chat.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        }
        response = client.options("/v1/reply", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://chat.example.org"
        response = client.options(
            "/v1/reply", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert response.status_code == 400
        response = client.post(
            "/v1/reply",
            json={"session": "a", "text": "hi"},
            headers={"Origin": "https://chat.example.org"},
        )
        assert response.headers["access-control-allow-origin"] == "https://chat.example.org"
    with _client() as client:  # no allow-list: no CORS headers at all
        response = client.post(
            "/v1/reply", json={"session": "a", "text": "hi"}, headers={"Origin": "https://x.org"}
        )
        assert "access-control-allow-origin" not in response.headers


def test_rate_limit_per_sender() -> None:
    with _client(ServerConfig(rate_limit=3)) as client:
        statuses = [
            client.post("/v1/reply", json={"session": "a", "text": "hi"}).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        response = client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "hi"})
        assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
        _no_traceback(response)
        assert client.post("/v1/reply", json={"session": "b", "text": "hi"}).status_code == 200


def test_rate_limiter_refills() -> None:
    from bot.ratelimit import RateLimiter

    now = [0.0]
    limiter = RateLimiter(60, max_keys=2, clock=lambda: now[0])
    assert [limiter.wait("a") for _ in range(60)] == [0.0] * 60
    assert limiter.wait("a") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.wait("a") == 0.0
    limiter.wait("b"), limiter.wait("c")
    assert len(limiter._buckets) == 2
    assert RateLimiter(0).wait("a") == 0.0


def test_request_ids(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.server"):
        response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        generated = client.get("/healthz", headers={"X-Request-ID": "bad id\twith junk"}).headers[
            "x-request-id"
        ]
        error = client.post("/v1/reply", json={"session": "a"}, headers={"X-Request-ID": "req-9"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(generated) == 16 and generated.isalnum()
    assert error.json()["request_id"] == "req-9"
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.server"]
    assert any(line.startswith("abc-123 GET /healthz 200") for line in lines)
    assert any(line.startswith("req-9 POST /v1/reply 422") for line in lines)


# -- the page ----------------------------------------------------------------------------------


def test_page_and_its_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<label for="question"' in page.text and "/static/app.js" in page.text
    for name, media in [
        ("app.js", "text/javascript"),
        ("style.css", "text/css"),
        ("favicon.svg", "image/svg"),
    ]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert "http://" not in page.text and "https://" not in page.text  # no CDN


# -- configuration -----------------------------------------------------------------------------


def test_config_from_env_and_flags() -> None:
    import argparse

    env = {
        "CAREERBOT_PORT": "9000",
        "CAREERBOT_WORKERS": "3",
        "CAREERBOT_CORS": "https://a.org, https://b.org/",
        "CAREERBOT_TOKEN": "tok-XYZ",
        "CAREERBOT_RATE_LIMIT": "0",
        "CAREERBOT_SESSIONS": "redis://r:6379/1",
    }
    config = ServerConfig.from_env(env)
    assert (config.port, config.workers, config.cors, config.token, config.rate_limit) == (
        9000,
        3,
        ("https://a.org", "https://b.org"),
        "tok-XYZ",
        0,
    )
    assert "tok-XYZ" not in repr(config)
    flags = argparse.Namespace(
        host=None,
        port=9001,
        workers=None,
        sessions="sqlite:////tmp/x.db",
        rate_limit=None,
        log_level=None,
        cors=None,
        content=None,
    )
    merged = config.with_flags(flags)
    assert (merged.port, merged.workers, merged.sessions_url) == (9001, 3, "sqlite:////tmp/x.db")
    assert ServerConfig.from_env(merged.to_env() | {"CAREERBOT_TOKEN": "tok-XYZ"}) == merged
    for bad in (
        {"CAREERBOT_PORT": "x"},
        {"CAREERBOT_PORT": "0"},
        {"CAREERBOT_WORKERS": "0"},
        {"CAREERBOT_CORS": "example.org"},
        {"CAREERBOT_LOG_LEVEL": "loud"},
    ):
        with pytest.raises(UsageError):
            ServerConfig.from_env(bad)
    lines = ServerConfig(sessions="redis://user:pw@r:6379/0").describe(3600 * 24 * 7)
    assert "pw" not in "\n".join(lines) and "7 days" in lines[1]


def test_default_sessions_are_sqlite_under_the_state_dir() -> None:
    import os

    assert (
        ServerConfig().sessions_url
        == "sqlite:///" + os.environ["XDG_STATE_HOME"] + "/careerbot/sessions.db"
    )


def test_serve_refuses_shared_memory_sessions() -> None:
    from bot.cli import main

    assert main(["serve", "--workers", "2", "--sessions", "memory://"]) == 2


def test_concurrent_requests_for_one_session_are_answered_in_turn() -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = MemoryStore()
    with _client(store=store) as client:

        def ask(n: int) -> int:
            body = {"session": "busy", "text": "what is Google's hiring process?"}
            return int(client.post("/v1/reply", json=body).status_code)

        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(ask, range(30)))
        state = store.get("busy")
    assert statuses == [200] * 30
    assert state is not None and state.turns == 30


def test_a_reply_while_the_store_is_down_is_a_503_to_retry() -> None:
    pytest.importorskip("redis")
    from bot.stores.redis import RedisStore

    down = RedisStore.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    with _client(store=down) as client:
        response = client.post("/v1/reply", json={"session": "s", "text": "hi"})
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert "session store" in response.json()["error"]
    _no_traceback(response)
