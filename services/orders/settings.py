"""Orders' settings: its table, and where the catalog answers (prices come from it, over HTTP)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from foyer.settings import ServiceSettings

SERVICE = "orders"


class OrdersSettings(ServiceSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field(SERVICE, validation_alias=AliasChoices("FOYER_SERVICE"))
    # Seconds a catalog read may take before the order is refused as "catalog unavailable".
    catalog_timeout_s: float = Field(2.0, gt=0, le=10, validation_alias=AliasChoices("CATALOG_TIMEOUT_S"))

    @property
    def catalog_url(self) -> str:
        try:
            return self.service_urls["catalog"]
        except KeyError:
            raise LookupError("no URL for the catalog: set FOYER_SERVICE_URLS or run `make dev`") from None
