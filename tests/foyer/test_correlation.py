"""foyer.correlation: accept safe ids, mint new ones, keep one per context."""

from __future__ import annotations

import asyncio
import contextvars
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foyer import correlation


def test_a_new_id_is_a_uuid4() -> None:
    value = correlation.new_id()
    assert uuid.UUID(value).version == 4
    assert correlation.new_id() != value


@pytest.mark.parametrize(
    "good", ["abc", "77375676-xmpl-4b79-853a-f982474efe18", "Root=1"[:4], "a.b_c:d-e", "x" * 128]
)
def test_safe_ids_are_accepted(good: str) -> None:
    assert correlation.accept(good) == good


@pytest.mark.parametrize("bad", [None, "", "x" * 129, "a b", "a\r\nSet-Cookie: x", "é", "a/b", "a;b"])
def test_unsafe_ids_are_replaced(bad: str | None) -> None:
    accepted = correlation.accept(bad)
    assert accepted != bad
    assert uuid.UUID(accepted)


@given(st.text(max_size=200))
def test_whatever_comes_in_what_goes_out_is_header_and_log_safe(candidate: str) -> None:
    accepted = correlation.accept(candidate)
    assert 1 <= len(accepted) <= 128
    assert accepted.isascii()
    assert not any(ch in accepted for ch in " \r\n\t,;\"'<>\\/")


def test_the_current_id_is_per_context() -> None:
    def in_fresh_context() -> str | None:
        before = correlation.get()
        correlation.set_current("inner")
        return before

    outer = contextvars.copy_context()
    assert outer.run(in_fresh_context) in (None, correlation.get())
    assert outer.run(correlation.get) == "inner"


def test_concurrent_tasks_keep_their_own_id() -> None:
    async def request(cid: str) -> str | None:
        correlation.set_current(cid)
        await asyncio.sleep(0)
        return correlation.get()

    async def main() -> list[str | None]:
        return list(await asyncio.gather(*(request(f"r{i}") for i in range(20))))

    assert asyncio.run(main()) == [f"r{i}" for i in range(20)]
