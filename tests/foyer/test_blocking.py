"""foyer.blocking.run_blocking: inline in Lambda, in a worker thread elsewhere."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import anyio
import pytest

from foyer import correlation, settings
from foyer.blocking import run_blocking


@pytest.fixture
def lambda_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "foyer-test-catalog")
    settings.platform.cache_clear()
    yield
    settings.platform.cache_clear()


@pytest.fixture
def server_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    settings.platform.cache_clear()
    yield
    settings.platform.cache_clear()


def where(*args: object, **kwargs: object) -> tuple[int, str | None, tuple[object, ...], dict[str, object]]:
    return threading.get_ident(), correlation.get(), args, kwargs


async def call_from_a_request() -> tuple[int, tuple[int, str | None, tuple[object, ...], dict[str, object]]]:
    correlation.set_current("req-1")
    # `fn` is positional-only: a keyword of the same name reaches the function.
    return threading.get_ident(), await run_blocking(where, 1, 2, fn="kw")


@pytest.mark.usefixtures("lambda_mode")
def test_in_lambda_the_call_runs_inline() -> None:
    loop_thread, (call_thread, cid, args, kwargs) = anyio.run(call_from_a_request)
    assert call_thread == loop_thread
    assert (cid, args, kwargs) == ("req-1", (1, 2), {"fn": "kw"})


@pytest.mark.usefixtures("server_mode")
def test_under_a_server_the_call_runs_in_a_worker_thread_with_the_requests_context() -> None:
    loop_thread, (call_thread, cid, args, kwargs) = anyio.run(call_from_a_request)
    assert call_thread != loop_thread
    assert (cid, args, kwargs) == ("req-1", (1, 2), {"fn": "kw"})


@pytest.mark.usefixtures("server_mode")
def test_under_a_server_the_loop_serves_others_while_a_call_blocks() -> None:
    release = threading.Event()
    order: list[str] = []

    def blocking() -> None:
        # Blocks until the loop has run another task: inline, this would wait forever (timeout).
        assert release.wait(timeout=10), "the event loop was blocked by the call"
        order.append("blocking call done")

    async def other_request() -> None:
        order.append("other request served")
        release.set()

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(run_blocking, blocking)
            group.start_soon(other_request)

    anyio.run(main)
    assert order == ["other request served", "blocking call done"]


@pytest.mark.usefixtures("server_mode")
def test_errors_reach_the_caller() -> None:
    def fail() -> None:
        raise LookupError("gone")

    async def main() -> None:
        await run_blocking(fail)

    with pytest.raises(LookupError, match="gone"):
        anyio.run(main)
