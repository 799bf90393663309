"""The fixed local ports of `make dev` (documented in the README; docker-compose.yml uses the same)."""

from __future__ import annotations

EMULATOR_PORT = 4566

# BFFs on 80xx, domain services on 81xx: a URL tells which room it belongs to.
PORTS: dict[str, int] = {
    "emulator": EMULATOR_PORT,
    "web": 8001,
    "mobile": 8002,
    "partner": 8003,
    "catalog": 8101,
    "inventory": 8102,
    "orders": 8103,
    "payments": 8104,
    "notifications": 8105,
}


def port(name: str, offset: int = 0) -> int:
    """The port of `name`, shifted by `offset` (tests run a second stack beside a developer's)."""
    try:
        return PORTS[name] + offset
    except KeyError:
        raise KeyError(f"no local port is assigned to {name!r}: add it to foyer/devstack/ports.py") from None
