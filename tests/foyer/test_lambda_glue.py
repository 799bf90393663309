"""foyer.lambda_glue against real API Gateway REST (v1) proxy events.

The events start from `events/rest_proxy_get.json`, a complete REST proxy event in the shape AWS
documents (resource `/{proxy+}`, multi-value headers and query strings, requestContext with stage,
identity, request id and time), and `rest_event()` changes only what a case needs.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from devtools.devstack import apigateway
from foyer import correlation
from foyer import logging as foyer_logging
from foyer.app import create_app
from foyer.errors import MEDIA_TYPE, NotFound
from foyer.lambda_glue import LambdaAdapter, make_handler

EVENT_FILE = Path(__file__).parent / "events" / "rest_proxy_get.json"
REQUEST_ID = "77375676-xmpl-4b79-853a-f982474efe18"
# The smallest valid PNG: signature, IHDR, IDAT, IEND (1x1 pixel). Not valid UTF-8.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SECRET = "db password is hunter2"


# --------------------------------------------------------------------------- the event builder


def rest_event(
    method: str = "GET",
    path: str = "/",
    *,
    stage: str = "dev",
    stage_in_path: bool = False,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    body: str | bytes | None = None,
) -> dict[str, Any]:
    """The local gateway's event (checked against the documented example below), fixed request id."""
    return apigateway.rest_event(
        method,
        path,
        stage=stage,
        stage_in_path=stage_in_path,
        query=query,
        headers={"Accept": "application/json", "User-Agent": "curl/8.5.0", **(headers or {})},
        body=body,
        request_id=REQUEST_ID,
    )


def _shape(value: Any) -> Any:
    """Keys all the way down: what must match between the documented event and ours."""
    return {k: _shape(v) for k, v in value.items()} if isinstance(value, dict) else None


def test_built_events_have_the_documented_shape() -> None:
    documented = json.loads(EVENT_FILE.read_text())
    built = apigateway.rest_event("GET", "/products/9", stage_in_path=True, headers={"Accept": "*/*"})
    documented_context = _shape(documented.pop("requestContext"))
    built_context = _shape(built.pop("requestContext"))
    assert set(built) == set(documented)
    # Ours may add (the API key id of usage plans) but leaves out nothing AWS documents.
    assert set(documented_context) <= set(built_context)
    assert set(documented_context["identity"]) <= set(built_context["identity"])
    assert built["path"] == documented["path"] == "/dev/products/9"


def test_the_fixture_is_a_complete_rest_proxy_event() -> None:
    event = json.loads(EVENT_FILE.read_text())
    required = {
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext",
        "body",
        "isBase64Encoded",
    }
    assert required <= set(event)
    context = event["requestContext"]
    for key in ("accountId", "apiId", "resourcePath", "httpMethod", "requestId", "stage", "path"):
        assert context[key]
    assert context["identity"]["sourceIp"]
    assert isinstance(context["requestTimeEpoch"], int)
    assert event["resource"] == context["resourcePath"] == "/{proxy+}"
    assert context["path"] == f"/{context['stage']}{event['path'].removeprefix('/dev')}"


# --------------------------------------------------------------------------- the test app


class Item(BaseModel):
    name: str
    quantity: int


class Lifespans:
    def __init__(self) -> None:
        self.startups = 0
        self.shutdowns = 0


def build_app(lifespans: Lifespans | None = None) -> FastAPI:
    router = APIRouter()

    @router.get("/products/{product_id}")
    async def product(product_id: str, request: Request) -> dict[str, str]:
        # `path` is the URL the client used; `link` is what the app builds for its own routes.
        return {
            "id": product_id,
            "path": request.url.path,
            "link": str(request.url_for("product", product_id="7")),
        }

    @router.get("/devices")
    async def devices() -> dict[str, str]:
        return {"route": "devices"}

    @router.get("/")
    async def root() -> dict[str, str]:
        return {"route": "root"}

    @router.get("/search")
    async def search(tag: list[str] = Query(default_factory=list), q: str | None = None) -> dict[str, Any]:  # noqa: B008
        return {"tag": tag, "q": q}

    @router.get("/logo.png")
    async def logo() -> Response:
        return Response(PNG, media_type="image/png")

    @router.get("/missing")
    async def missing() -> None:
        raise NotFound("No product 42.", product_id="42")

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError(SECRET)

    @router.post("/items", status_code=201)
    async def create_item(item: Item) -> Item:
        return item

    @router.post("/upload")
    async def upload(request: Request) -> dict[str, Any]:
        raw = await request.body()
        return {"bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}

    @router.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"one,", b"two,", b"three"):
                await asyncio.sleep(0)  # suspends: the answer is assembled across loop turns
                yield part

        # Starlette listens for the disconnect while it streams: the adapter's receive must wait
        # for the answer to complete, not end the stream at once.
        return StreamingResponse(chunks(), media_type="text/plain")

    @router.get("/state")
    async def state(request: Request) -> dict[str, Any]:
        return {"startup_number": request.state.startup_number}

    kwargs: dict[str, Any] = {}
    if lifespans is not None:
        counter = lifespans

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
            counter.startups += 1
            yield {"startup_number": counter.startups}
            counter.shutdowns += 1

        kwargs["lifespan"] = lifespan
    return create_app("gluetest", title="Glue test app", routers=[router], **kwargs)


@pytest.fixture(scope="module")
def handler() -> Iterator[LambdaAdapter]:
    adapter = make_handler(build_app(Lifespans()))
    yield adapter
    adapter.shutdown()


class _CurrentStdout:
    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """foyer's JSON log handler, (re)installed so it writes to this test's captured stdout."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers = [h for h in root.handlers if not isinstance(h.formatter, foyer_logging.JsonFormatter)]
    foyer_logging.setup("gluetest")
    for handler in root.handlers:
        if isinstance(handler.formatter, foyer_logging.JsonFormatter):
            # pytest swaps sys.stdout between fixture setup and the test call: follow it.
            handler.setStream(_CurrentStdout())  # type: ignore[attr-defined]
    try:
        yield capsys
    finally:
        root.handlers = saved
        root.setLevel(level)


def invoke(handler: LambdaAdapter, event: dict[str, Any]) -> dict[str, Any]:
    response = handler(event, cast(Any, None))
    # What Lambda would do with the return value: it must be JSON-serialisable.
    json.dumps(response)
    return response


def body_json(response: dict[str, Any]) -> Any:
    assert response["isBase64Encoded"] is False
    return json.loads(response["body"])


def header(response: dict[str, Any], name: str) -> str | None:
    value = response["headers"].get(name)
    if value is None and name in response["multiValueHeaders"]:
        values = response["multiValueHeaders"][name]
        assert len(values) == 1, f"{name} sent {len(values)} times: {values}"
        value = values[0]
    return None if value is None else str(value)


# --------------------------------------------------------------------------- the stage prefix


@pytest.mark.parametrize("stage_in_path", [False, True], ids=["execute-api path", "path with stage"])
def test_the_stage_prefix_routes_the_same(handler: LambdaAdapter, stage_in_path: bool) -> None:
    response = invoke(handler, rest_event("GET", "/products/9", stage="dev", stage_in_path=stage_in_path))
    assert response["statusCode"] == 200
    assert body_json(response) == {
        "id": "9",
        "path": "/dev/products/9",
        "link": "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/dev/products/7",
    }


@pytest.mark.parametrize("stage_in_path", [False, True])
def test_a_route_that_starts_like_the_stage_is_not_stripped(
    handler: LambdaAdapter, stage_in_path: bool
) -> None:
    response = invoke(handler, rest_event("GET", "/devices", stage="dev", stage_in_path=stage_in_path))
    assert response["statusCode"] == 200
    assert body_json(response) == {"route": "devices"}


@pytest.mark.parametrize("stage_in_path", [False, True])
def test_products_stay_intact_on_stage_prod(handler: LambdaAdapter, stage_in_path: bool) -> None:
    # Mangum's own api_gateway_base_path="/prod" would route this to `ucts/9`.
    response = invoke(handler, rest_event("GET", "/products/9", stage="prod", stage_in_path=stage_in_path))
    assert response["statusCode"] == 200
    assert body_json(response)["id"] == "9"
    assert body_json(response)["path"] == "/prod/products/9"


def test_the_bare_stage_path_is_the_root(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/", stage="dev", stage_in_path=True))
    assert response["statusCode"] == 200
    assert body_json(response) == {"route": "root"}


def test_an_unknown_route_is_a_problem_404(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/nowhere"))
    assert response["statusCode"] == 404
    assert header(response, "content-type") == MEDIA_TYPE
    assert body_json(response)["status"] == 404


def test_a_streamed_answer_arrives_whole(handler: LambdaAdapter) -> None:
    answer = invoke(handler, rest_event("GET", "/stream"))
    assert (answer["statusCode"], answer["body"]) == (200, "one,two,three")
    assert answer["headers"]["x-correlation-id"] == REQUEST_ID


def test_the_event_is_not_modified(handler: LambdaAdapter) -> None:
    event = rest_event("GET", "/products/9", stage_in_path=True)
    before = json.dumps(event, sort_keys=True)
    assert handler(event, cast(Any, None))["statusCode"] == 200
    assert json.dumps(event, sort_keys=True) == before


def test_multi_value_query_strings_reach_the_app_as_a_list(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/search", query={"tag": ["red", "blue"], "q": ["shoe"]}))
    assert response["statusCode"] == 200
    assert body_json(response) == {"tag": ["red", "blue"], "q": "shoe"}


def test_a_binary_response_is_base64(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/logo.png"))
    assert response["statusCode"] == 200
    assert header(response, "content-type") == "image/png"
    assert response["isBase64Encoded"] is True
    assert base64.b64decode(response["body"]) == PNG


def test_a_binary_request_body_arrives_decoded(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("POST", "/upload", body=PNG, headers={"Content-Type": "image/png"}))
    assert response["statusCode"] == 200
    assert body_json(response) == {"bytes": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest()}


def test_json_is_text(handler: LambdaAdapter) -> None:
    item = {"name": "kettle", "quantity": 2}
    event = rest_event("POST", "/items", body=json.dumps(item), headers={"Content-Type": "application/json"})
    response = invoke(handler, event)
    assert response["statusCode"] == 201
    assert header(response, "content-type") == "application/json"
    assert body_json(response) == item


def test_a_problem_is_text_not_base64(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/missing"))
    assert response["statusCode"] == 404
    assert header(response, "content-type") == MEDIA_TYPE
    assert body_json(response) == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No product 42.",
        "product_id": "42",
        "correlation_id": REQUEST_ID,
    }


def test_an_unhandled_error_is_a_500_problem_logged_and_counted(
    handler: LambdaAdapter, json_logs: pytest.CaptureFixture[str]
) -> None:
    json_logs.readouterr()
    response = invoke(handler, rest_event("GET", "/boom", headers={"x-correlation-id": "boom-1"}))

    assert response["statusCode"] == 500
    assert header(response, "content-type") == MEDIA_TYPE
    assert header(response, correlation.HEADER) == "boom-1"
    problem = body_json(response)
    assert problem["status"] == 500
    assert problem["correlation_id"] == "boom-1"
    for leak in (SECRET, "Traceback", "RuntimeError", "boom.py", __file__):
        assert leak not in response["body"]

    lines = [json.loads(line) for line in json_logs.readouterr().out.splitlines() if line.strip()]
    logged = [line for line in lines if line.get("logger") == "foyer.errors"]
    assert len(logged) == 1, lines
    # Exactly one stack trace: Mangum does not log the error Starlette re-raises after answering.
    assert [line for line in lines if line.get("level") == "ERROR"] == logged
    error = logged[0]
    assert error["level"] == "ERROR"
    assert error["service"] == "gluetest"
    assert error["correlation_id"] == "boom-1"
    assert error["path"] == "/dev/boom"  # the URL the client used, stage included
    assert error["method"] == "GET"
    assert SECRET in error["exception"]  # the stack trace goes to the log, only there
    metrics = [line for line in lines if "_aws" in line]
    assert len(metrics) == 1, lines
    (directive,) = metrics[0]["_aws"]["CloudWatchMetrics"]
    assert directive["Metrics"] == [{"Name": "UnhandledErrors", "Unit": "Count"}]
    assert metrics[0]["UnhandledErrors"] == 1
    for dimension in directive["Dimensions"][0]:
        assert dimension in metrics[0]


def test_malformed_json_is_a_400_problem(handler: LambdaAdapter) -> None:
    event = rest_event(
        "POST", "/items", body='{"name": "kettle", ', headers={"Content-Type": "application/json"}
    )
    response = invoke(handler, event)
    assert response["statusCode"] == 400
    assert header(response, "content-type") == MEDIA_TYPE
    problem = body_json(response)
    assert problem["status"] == 400
    assert problem["correlation_id"] == REQUEST_ID
    assert problem["errors"][0]["type"] == "json_invalid"


def test_a_schema_mismatch_is_a_422_problem(handler: LambdaAdapter) -> None:
    event = rest_event(
        "POST", "/items", body='{"name": "kettle"}', headers={"Content-Type": "application/json"}
    )
    response = invoke(handler, event)
    assert response["statusCode"] == 422
    assert header(response, "content-type") == MEDIA_TYPE
    assert body_json(response)["errors"][0]["loc"] == ["body", "quantity"]


LIMIT = 64 * 1024


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no content-length"])
@pytest.mark.parametrize("route", ["/items", "/upload"])
def test_a_body_over_64_kib_is_a_413_problem(handler: LambdaAdapter, declared: bool, route: str) -> None:
    body = json.dumps({"name": "x" * LIMIT, "quantity": 1})
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(len(body))
    response = invoke(handler, rest_event("POST", route, body=body, headers=headers))
    assert response["statusCode"] == 413
    assert header(response, "content-type") == MEDIA_TYPE
    problem = body_json(response)
    assert problem["status"] == 413
    assert problem["correlation_id"] == REQUEST_ID


def test_a_body_of_exactly_64_kib_is_accepted(handler: LambdaAdapter) -> None:
    body = b"\x00" * LIMIT
    response = invoke(handler, rest_event("POST", "/upload", body=body))
    assert response["statusCode"] == 200
    assert body_json(response)["bytes"] == LIMIT


# --------------------------------------------------------------------------- correlation id


def test_the_callers_correlation_id_is_echoed(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/devices", headers={"X-Correlation-Id": "order-123"}))
    assert header(response, correlation.HEADER) == "order-123"


def test_without_one_the_api_gateway_request_id_is_used(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/devices"))
    assert header(response, correlation.HEADER) == REQUEST_ID


def test_an_unsafe_correlation_id_is_replaced(handler: LambdaAdapter) -> None:
    response = invoke(handler, rest_event("GET", "/devices", headers={"X-Correlation-Id": "a b\r\nc"}))
    echoed = header(response, correlation.HEADER)
    assert echoed
    assert echoed not in {"a b\r\nc", REQUEST_ID}


def test_the_correlation_id_does_not_leak_into_the_next_invocation(handler: LambdaAdapter) -> None:
    invoke(handler, rest_event("GET", "/devices", headers={"X-Correlation-Id": "first"}))
    second = rest_event("GET", "/devices")
    second["requestContext"]["requestId"] = "second-request"
    assert header(invoke(handler, second), correlation.HEADER) == "second-request"


# --------------------------------------------------------------------------- lifespan


def test_the_lifespan_starts_once_per_execution_environment() -> None:
    lifespans = Lifespans()
    app_handler = make_handler(build_app(lifespans))
    assert lifespans.startups == 0  # nothing runs at import time but building the app
    for n in range(5):
        response = invoke(app_handler, rest_event("GET", "/state", headers={"x-correlation-id": f"call-{n}"}))
        assert response["statusCode"] == 200
        # The state the lifespan yielded reaches every request.
        assert body_json(response) == {"startup_number": 1}
    invoke(app_handler, rest_event("GET", "/boom"))
    invoke(app_handler, rest_event("GET", "/products/1", stage="prod", stage_in_path=True))
    assert lifespans.startups == 1
    assert lifespans.shutdowns == 0
    app_handler.shutdown()
    assert lifespans.shutdowns == 1


def test_an_app_without_foyer_errors_still_gets_mangums_500_and_its_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            assert message["type"] == "lifespan.startup"
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        raise RuntimeError("not answered")

    adapter = make_handler(cast(Any, broken))
    with caplog.at_level(logging.ERROR, logger="mangum.http"):
        response = invoke(adapter, rest_event("GET", "/anything"))
    adapter.shutdown()
    assert response["statusCode"] == 500
    assert response["body"] == "Internal Server Error"
    assert any(r.exc_info and "not answered" in str(r.exc_info[1]) for r in caplog.records)


def test_mangums_per_invocation_info_lines_are_off(
    handler: LambdaAdapter, json_logs: pytest.CaptureFixture[str]
) -> None:
    json_logs.readouterr()
    invoke(handler, rest_event("GET", "/devices"))
    assert "mangum" not in json_logs.readouterr().out


def test_it_still_serves_after_asyncio_run_left_no_current_loop() -> None:
    """`asyncio.run()` (a test client, a script) clears the thread's loop; Mangum would then fail."""
    lifespans = Lifespans()
    adapter = make_handler(build_app(lifespans))
    try:
        assert invoke(adapter, rest_event("GET", "/state"))["statusCode"] == 200

        async def nothing() -> None:
            return None

        asyncio.run(nothing())
        response = invoke(adapter, rest_event("GET", "/state"))
        assert response["statusCode"] == 200
        assert body_json(response) == {"startup_number": 1}
        assert lifespans.startups == 1
    finally:
        adapter.shutdown()


EXIT_PROBE = """
import json, sys
from foyer.app import create_app
from foyer.lambda_glue import make_handler

handler = make_handler(create_app("probe", title="probe"))
event = json.loads(sys.argv[1])
print("status", handler(event, None)["statusCode"], flush=True)
"""


def test_an_interpreter_exit_after_serving_logs_no_error() -> None:
    """The lifespan task still pending at exit made asyncio log "Task was destroyed" as an ERROR."""
    root = Path(__file__).resolve().parents[2]
    event = json.dumps(rest_event("GET", "/health"))
    env = {"PATH": "/usr/bin:/bin", "FOYER_STACK_FILE": "/nonexistent/stack.json", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", EXIT_PROBE, event],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "status 200" in done.stdout
    assert "ERROR" not in output
    assert "Task was destroyed" not in output


def test_a_missing_setting_fails_the_init_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import AliasChoices, Field

    from foyer.lambda_glue import StartupError
    from foyer.settings import FoyerSettings
    from foyer.startup import check_settings

    class Needs(FoyerSettings):
        table_name: str = Field(validation_alias=AliasChoices("PROBE_TABLE_NAME"))

    from foyer.settings import platform

    monkeypatch.setenv("FOYER_STACK_FILE", str(tmp_path / "absent.json"))
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    platform.cache_clear()
    make_handler(create_app("probe", title="probe"), settings=Needs)  # outside Lambda: on first use
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-probe")
    platform.cache_clear()
    with pytest.raises(StartupError, match=r"Needs cannot load: PROBE_TABLE_NAME: field required"):
        make_handler(create_app("probe", title="probe"), settings=Needs)
    check_settings(lambda: None)  # nothing missing, nothing raised
    platform.cache_clear()


def test_rest_events_are_read_by_foyer_and_other_shapes_still_reach_mangums_handlers() -> None:
    from mangum.handlers import ALB, HTTPGateway

    from foyer.rest_event import RestApiEvent

    adapter = make_handler(create_app("probe", title="probe"))
    rest = rest_event("GET", "/health")
    http_api_v1 = {**rest, "version": "1.0"}  # HTTP API payload 1.0 also names a resource
    alb = {
        "requestContext": {"elb": {"targetGroupArn": "arn"}},
        "httpMethod": "GET",
        "path": "/health",
        "headers": {"host": "lb.example"},
        "body": "",
        "isBase64Encoded": False,
    }
    context = cast(Any, None)
    assert RestApiEvent.infer(rest, context, adapter.config)
    assert not RestApiEvent.infer(http_api_v1, context, adapter.config)
    assert type(adapter.infer(http_api_v1, context)) is HTTPGateway
    assert type(adapter.infer(alb, context)) is ALB
    for event in (rest, http_api_v1, alb):
        answer = invoke(adapter, event)
        assert answer["statusCode"] == 200
        assert correlation.HEADER in (answer.get("headers") or answer["multiValueHeaders"])
