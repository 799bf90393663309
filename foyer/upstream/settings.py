"""What every BFF is told about its dependencies: where they answer (FoyerSettings.service_urls),
how long a request may spend on them and when a breaker opens (FoyerSettings: whether calls are signed)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from foyer.settings import FoyerSettings


class BffSettings(FoyerSettings):
    # Seconds a request may spend on its dependencies where no Lambda deadline exists (uvicorn);
    # in Lambda the smaller of this and the invocation's remaining time minus the margin.
    budget_s: float = Field(2.5, gt=0, le=30, validation_alias=AliasChoices("BFF_BUDGET_S"))
    # Kept back from the Lambda deadline to shape and send the answer.
    budget_margin_s: float = Field(0.25, ge=0, le=5, validation_alias=AliasChoices("BFF_BUDGET_MARGIN_S"))
    breaker_threshold: int = Field(5, ge=1, le=100, validation_alias=AliasChoices("BFF_BREAKER_THRESHOLD"))
    breaker_reset_s: float = Field(10.0, gt=0, le=300, validation_alias=AliasChoices("BFF_BREAKER_RESET_S"))
