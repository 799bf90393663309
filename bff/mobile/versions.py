"""App versions: compared as numbers (1.10.0 is newer than 1.9.9)."""

from __future__ import annotations


class AppTooOld(Exception):
    """The app is older than the oldest this BFF serves (426: update the app)."""

    def __init__(self, version: str, minimum: str) -> None:
        super().__init__(version)
        self.version = version
        self.minimum = minimum


def version_tuple(version: str) -> tuple[int, ...]:
    """`1.10.0` -> (1, 10, 0)."""
    return tuple(int(part) for part in version.split("."))
