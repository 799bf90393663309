"""What every event contract is: a typed payload that knows its event's type, version and source."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class EventData(BaseModel):
    """The data of one event type at one version; the class is the contract.

    A subclass is named after its event (`class StockReserved(EventData, source="foyer.inventory")`)
    or names it (`class OrderPlacedV2(EventData, event_type="OrderPlaced", version=2, ...)`).
    Readers are tolerant: fields they do not know are ignored, so a producer may add one without a
    new version; a field removed or changed in meaning is a new version.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    version: ClassVar[int]
    source: ClassVar[str]

    def __init_subclass__(
        cls, *, event_type: str | None = None, version: int = 1, source: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if source is None:  # an intermediate base (fields shared by several events), not a contract
            return
        cls.event_type = event_type or cls.__name__
        cls.version = version
        cls.source = source

    @classmethod
    def key(cls) -> tuple[str, int]:
        """(event type, version): what an envelope says and a consumer routes on."""
        return cls.event_type, cls.version

    def to_data(self) -> dict[str, Any]:
        """The payload as the envelope's `data` (JSON types only): an optional field the producer
        did not give is left out, one it gave (None included) is kept."""
        return self.model_dump(mode="json", exclude_unset=True)
