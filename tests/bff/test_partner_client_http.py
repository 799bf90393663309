"""A partner's first day, as a new partner lives it: generate a client with openapi-python-client from
the running partner API's `/openapi.json`, then run docs/partners.md's journey over HTTP with a real
key under a real usage plan, in both modes the local stack serves (the BFF under uvicorn, and the
local API Gateway in front of its Lambda handler). Every error, the gateway's own refusals included,
parses into the generated `Problem`."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bff.partner.app import app as partner_app
from devtools.cli.partner_keys import PartnerKeys
from devtools.devstack.emulator import free_port
from devtools.devstack.gateway import GatewayApp, build, uvicorn_config
from devtools.devstack.stack import LocalStack
from foyer import aws
from foyer.identity.dependencies import current_partner, get_partner_keys, get_partners, get_usage_meter
from foyer.identity.dependencies import identity_settings as get_identity_settings
from foyer.identity.partners import NEW_KEY_BOUND_S
from tests.bff.conftest import Wiring

pytestmark = pytest.mark.integration
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "partner_http_client"
CACHED = (get_identity_settings, get_partners, get_partner_keys, get_usage_meter)


def serve(app: Any) -> Iterator[str]:
    """`app` under uvicorn on a free port, in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn_config(app, free_port()))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def real_keys(stack: LocalStack, bffs: Wiring) -> Iterator[None]:
    """The BFF's real key check (the emulator's keys and plans, the stack's one meter)."""
    partner_app.dependency_overrides.pop(current_partner)
    for dependency in CACHED:
        dependency.cache_clear()
    yield
    for dependency in CACHED:
        dependency.cache_clear()


@pytest.fixture(params=["uvicorn", "lambda"])
def base_url(request: pytest.FixtureRequest, stack: LocalStack, real_keys: None) -> Iterator[str]:
    """Where a partner calls: the BFF itself, or the local API Gateway's stage in front of its handler."""
    if request.param == "uvicorn":
        yield from serve(partner_app)
    else:
        for url in serve(GatewayApp(build(stack, "partner"))):
            yield f"{url}/{stack.apis['partner'].stage}"


def generate(spec: dict[str, Any], folder: Path) -> Any:
    """The client openapi-python-client generates from `spec`, imported as PACKAGE."""
    path = folder / "partner.json"
    path.write_text(json.dumps(spec))
    argv = [str(GENERATOR), "generate", "--path", str(path), "--meta", "none"]
    generated = subprocess.run(
        [*argv, "--output-path", str(folder / PACKAGE)], capture_output=True, text=True, check=False
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout  # every part of the spec was understood
    sys.path.insert(0, str(folder))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    return importlib.import_module(PACKAGE)


@pytest.fixture
def client_package(base_url: str, tmp_path: Path) -> Iterator[Any]:
    spec = httpx.get(f"{base_url}/openapi.json", timeout=10)
    assert spec.status_code == 200, spec.text
    try:
        yield generate(spec.json(), tmp_path)
    finally:
        sys.path.remove(str(tmp_path))


def issue(stack: LocalStack, tier: str) -> str:
    keys = PartnerKeys.of(stack.tables["partner"].removesuffix("-partner"))
    value = keys.issue(f"gen-{uuid.uuid4().hex[:8]}", tier).value
    time.sleep(NEW_KEY_BOUND_S)
    return value


def tight_tier(stack: LocalStack) -> str:
    """A plan of four requests a day, created beside the root's tiers."""
    tier = f"tight{uuid.uuid4().hex[:6]}"
    api, prefix = stack.apis["partner"], stack.tables["partner"].removesuffix("-partner")
    aws.client("apigateway").create_usage_plan(
        name=f"{prefix}-partner-{tier}",
        apiStages=[{"apiId": api.id, "stage": api.stage}],
        throttle={"rateLimit": 100, "burstLimit": 100},
        quota={"limit": 4, "period": "DAY"},
    )
    return tier


def test_a_client_generated_from_the_running_api_runs_the_guides_journey(
    client_package: Any, base_url: str, stack: LocalStack, catalog_items: dict[str, str]
) -> None:
    api = importlib.import_module(f"{PACKAGE}.api.partner_v1")
    for name in (
        "list_products",
        "get_product",
        "get_availability",
        "place_order",
        "get_order",
        "list_orders",
    ):
        importlib.import_module(f"{PACKAGE}.api.partner_v1.{name}")
    models = importlib.import_module(f"{PACKAGE}.models")
    coffee, tea = catalog_items["coffee"], catalog_items["tea"]

    def keyed(value: str) -> Any:
        # The generated client authenticates as the security scheme says: the key in `x-api-key`.
        return client_package.AuthenticatedClient(
            base_url=base_url,
            token=value,
            prefix="",
            auth_header_name="x-api-key",
            raise_on_unexpected_status=True,
        )

    def problem(answer: Any, status: int, type_: str) -> Any:
        assert answer.status_code == status, answer.content
        assert isinstance(answer.parsed, models.Problem), answer.content
        assert (answer.parsed.status, answer.parsed.type_) == (status, type_)
        assert answer.parsed.correlation_id, answer.content  # every error names the request
        return answer.parsed

    # What the contract makes of the generated functions: a key is required, a required header is a str.
    place = inspect.signature(api.place_order.sync_detailed).parameters
    assert place["client"].annotation is client_package.AuthenticatedClient
    assert place["idempotency_key"].annotation is str

    me, other = keyed(issue(stack, "gold")), keyed(issue(stack, "gold"))
    page = api.list_products.sync(client=me, limit=2)
    assert isinstance(page, models.ProductPage)
    assert len(page.items) == 2
    assert api.get_product.sync(client=me, sku=coffee).price.amount == 1890
    stock = api.get_availability.sync(client=me, skus=f"{coffee},{tea}")
    assert [(a.sku, a.available) for a in stock.items] == [(coffee, 5), (tea, 0)]

    body = models.OrderIn(lines=[models.LineIn(sku=coffee, quantity=2)], reference="PO-1001")
    key = str(uuid.uuid4())
    placed = api.place_order.sync_detailed(client=me, body=body, idempotency_key=key)
    assert placed.status_code == 201, placed.content
    order = placed.parsed
    assert isinstance(order, models.PartnerOrder)
    assert order.total.amount == 3780
    assert placed.headers["location"].endswith(f"/v1/orders/{order.order_id}")
    replay = api.place_order.sync_detailed(client=me, body=body, idempotency_key=key)
    assert (replay.headers["idempotent-replayed"], replay.parsed.order_id) == ("true", order.order_id)
    assert api.get_order.sync(client=me, order_id=order.order_id).status == "PENDING"
    assert [o.order_id for o in api.list_orders.sync(client=me).items] == [order.order_id]

    other_body = models.OrderIn(lines=[models.LineIn(sku=coffee, quantity=1)])
    reused = api.place_order.sync_detailed(client=me, body=other_body, idempotency_key=key)
    problem(reused, 422, "urn:foyer:problem:idempotency-key-reused")
    problem(
        api.get_order.sync_detailed(client=other, order_id=order.order_id),
        404,
        "urn:foyer:problem:order-not-found",
    )
    bad_list = problem(
        api.get_availability.sync_detailed(client=me, skus=f"{coffee}, {tea}"), 422, "about:blank"
    )
    assert bad_list.errors
    anonymous = api.list_products.sync_detailed(client=client_package.Client(base_url=base_url))
    assert anonymous.status_code == 403
    assert isinstance(anonymous.parsed, models.Problem)
    assert anonymous.parsed.correlation_id
    unknown = keyed("not-a-key-of-anyone-000000000000000000000")
    refused = api.list_products.sync_detailed(client=unknown)
    assert refused.status_code == 403
    assert isinstance(refused.parsed, models.Problem)
    assert refused.parsed.correlation_id

    spent = keyed(issue(stack, tight_tier(stack)))
    assert [api.list_products.sync_detailed(client=spent, limit=1).status_code for _ in range(4)] == [200] * 4
    over = api.list_products.sync_detailed(client=spent, limit=1)
    assert over.status_code == 429
    assert isinstance(over.parsed, models.Problem)
    assert over.parsed.correlation_id
    assert int(over.headers["retry-after"]) > 0
