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
    # The reconciler's deadlines (services/orders/overdue.py). Expiry outlasts payments' bound on an
    # unanswered charge: its queue's visibility timeout (180 s) times its deliveries (5), with room.
    resend_after_s: float = Field(120, gt=0, validation_alias=AliasChoices("ORDER_RESEND_AFTER_S"))
    expire_after_s: float = Field(1800, gt=0, validation_alias=AliasChoices("ORDER_EXPIRE_AFTER_S"))

    @property
    def catalog_url(self) -> str:
        try:
            return self.service_urls["catalog"]
        except KeyError:
            raise LookupError("no URL for the catalog: set FOYER_SERVICE_URLS or run `make dev`") from None
