"""The two ways a notification leaves: an e-mail through SES v2 and a message on the SNS topic.

Clients are injectable (tests, another region) and otherwise the process-wide ones of foyer.aws,
resolved on first use. A send that fails raises (botocore's ClientError, after its own retries): the
consumer then lets the message fail and SQS redelivers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from foyer import aws
from foyer.events import Envelope
from services.notifications.messages import Email

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient

# SNS message attribute names; subscriptions filter on EVENT_TYPE (a FilterPolicy on message attributes).
CORRELATION_ID = "correlation_id"
EVENT_TYPE = "event_type"


class Mailer:
    """Sends plain-text e-mail from one verified SES identity."""

    def __init__(self, sender: str, *, client: SESV2Client | None = None) -> None:
        self.sender = sender
        self._given_client = client

    @property
    def client(self) -> SESV2Client:
        return self._given_client or aws.client("sesv2")

    def send(self, to: str, email: Email) -> str:
        """Send `email` to `to`; the SES message id."""
        response = self.client.send_email(
            FromEmailAddress=self.sender,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": email.body, "Charset": "UTF-8"}},
                }
            },
        )
        return response["MessageId"]


class Topic:
    """Publishes events, whole, on one SNS topic."""

    def __init__(self, arn: str, *, client: SNSClient | None = None) -> None:
        self.arn = arn
        self._given_client = client

    @property
    def client(self) -> SNSClient:
        return self._given_client or aws.client("sns")

    def publish(self, envelope: Envelope) -> str:
        """Publish `envelope` (its JSON), tagged with its correlation id and type; the SNS message id."""
        response = self.client.publish(
            TopicArn=self.arn,
            Message=envelope.to_json(),
            MessageAttributes={
                CORRELATION_ID: {"DataType": "String", "StringValue": envelope.correlation_id},
                EVENT_TYPE: {"DataType": "String", "StringValue": envelope.type},
            },
        )
        return response["MessageId"]
