"""Notifications' settings: its table (the read API needs only that) and, for the consumer, the SNS topic
it publishes to and the SES identity it sends from."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from foyer.settings import ServiceSettings

SERVICE = "notifications"


class NotificationsSettings(ServiceSettings):
    # Redeclared only for the default; the alias keeps `FOYER_SERVICE` as the one env name.
    service: str = Field(SERVICE, validation_alias=AliasChoices("FOYER_SERVICE"))


class SendingSettings(NotificationsSettings):
    """What the event consumer needs besides the table: where to publish and whom mail comes from."""

    topic_arn: str = Field(pattern=r"^arn:aws[a-z-]*:sns:", validation_alias=AliasChoices("TOPIC_ARN"))
    # A verified SES identity (the address, or an address of a verified domain).
    sender: str = Field(min_length=3, max_length=320, validation_alias=AliasChoices("SENDER_EMAIL"))
