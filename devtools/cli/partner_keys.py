"""`python -m devtools.cli.partner_keys issue|list|rotate|revoke`: partner API keys, kept out of Terraform.

    issue PARTNER --tier TIER   a new key under TIER's usage plan; its value goes to Secrets Manager
    list [PARTNER]              the environment's partner keys: id, partner, tier, enabled (no values)
    rotate PARTNER [--tier T]   a second key for PARTNER (the old one keeps working until revoked)
    revoke KEY_ID               delete the key: API Gateway refuses it from then on

`--prefix` is the environment's name prefix (`foyer-dev`); with the local stack running it defaults
to the stack's. The key's value is generated here and written only to the secret
`<prefix>/partner-api-keys/<partner>` (hand-over: docs/partners.md); Terraform keeps the usage plans,
this command the keys. The endpoint is the one every Foyer tool uses: `AWS_ENDPOINT_URL` or the local
stack's `.local/stack.json` (the emulator), else the account the AWS credentials name.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from foyer.identity.partners import PARTNER_TAG, TIER_TAG, key_record_pk

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from foyer.dynamodb import Table

PARTNER_ID = re.compile(r"[A-Za-z0-9-]{1,63}")
KEY_BYTES = 30  # 40 URL-safe characters (API Gateway wants at least 20)


class PartnerKeyError(Exception):
    """A command that cannot be done as asked; the message says why (exit 1)."""


@dataclass(frozen=True)
class IssuedKey:
    """A key just issued: its id, its partner and tier, where its value is kept, and the value."""

    key_id: str
    partner_id: str
    tier: str
    secret_name: str
    value: str


@dataclass(frozen=True)
class KeyInfo:
    """A partner key as API Gateway lists it (never its value)."""

    key_id: str
    name: str
    partner_id: str
    tier: str
    enabled: bool
    created: str


class PartnerKeys:
    """The partner keys of one environment (`prefix`: its name prefix, e.g. `foyer-dev`).

    Names follow the platform module: the partner API `<prefix>-partner`, its usage plans
    `<prefix>-partner-<tier>`, the partner BFF's table `<prefix>-partner`.
    """

    def __init__(
        self,
        prefix: str,
        *,
        apigateway: APIGatewayClient,
        secretsmanager: SecretsManagerClient,
        table: Table,
    ) -> None:
        self.prefix = prefix
        self._api = apigateway
        self._secrets = secretsmanager
        self._table = table

    @classmethod
    def of(cls, prefix: str) -> PartnerKeys:
        """The keys of environment `prefix`, through the process's AWS clients."""
        from foyer import aws
        from foyer.dynamodb import Table

        return cls(
            prefix,
            apigateway=aws.client("apigateway"),
            secretsmanager=aws.client("secretsmanager"),
            table=Table(f"{prefix}-partner"),
        )

    def secret_name(self, partner_id: str) -> str:
        """The secret holding `partner_id`'s newest key value."""
        return f"{self.prefix}/partner-api-keys/{partner_id}"

    def plan_id(self, tier: str) -> str:
        """The id of `tier`'s usage plan (Terraform's `<prefix>-partner-<tier>`)."""
        plans = {plan["name"]: plan["id"] for plan in _all(self._api.get_usage_plans)}
        wanted = f"{self.prefix}-partner-{tier}"
        if wanted not in plans:
            tiers = sorted(
                name.removeprefix(f"{self.prefix}-partner-")
                for name in plans
                if name.startswith(f"{self.prefix}-partner-")
            )
            raise PartnerKeyError(
                f"no usage plan {wanted!r}; tiers of {self.prefix}: {', '.join(tiers) or 'none'}"
            )
        return str(plans[wanted])

    def issue(self, partner_id: str, tier: str) -> IssuedKey:
        """A new enabled key for `partner_id` under `tier`'s plan, recorded for the partner BFF, its
        value stored in the partner's secret (a partner's other keys keep working)."""
        if not PARTNER_ID.fullmatch(partner_id):  # never `_`: a user's customer id (u_...) is no partner's
            raise PartnerKeyError(f"partner id {partner_id!r}: 1-63 letters, digits or '-'")
        plan_id = self.plan_id(tier)
        value = secrets.token_urlsafe(KEY_BYTES)
        stamp = datetime.now(UTC)
        key = self._api.create_api_key(
            name=f"{self.prefix}-partner-{partner_id}-{stamp:%Y%m%d%H%M%S}-{secrets.token_hex(2)}",
            description=f"API key of partner {partner_id} (tier {tier}), issued by the partner keys CLI.",
            enabled=True,
            value=value,
            tags={PARTNER_TAG: partner_id, TIER_TAG: tier},
        )
        key_id = key["id"]
        try:
            self._table.put(
                {
                    "pk": key_record_pk(key_id),
                    "partner_id": partner_id,
                    "tier": tier,
                    "issued_at": stamp.isoformat(),
                }
            )
            self._api.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
            self._store(
                partner_id, {"partner_id": partner_id, "tier": tier, "api_key_id": key_id, "api_key": value}
            )
        except Exception:
            self._forget(key_id)  # a key half issued is no key: nothing of it stays behind
            raise
        return IssuedKey(key_id, partner_id, tier, self.secret_name(partner_id), value)

    def keys(self, partner_id: str | None = None) -> list[KeyInfo]:
        """The environment's partner keys (of `partner_id` only, if given), oldest first."""
        found = []
        for key in _all(self._api.get_api_keys, nameQuery=f"{self.prefix}-partner-"):
            tags = key.get("tags") or {}
            if PARTNER_TAG not in tags or (partner_id is not None and tags[PARTNER_TAG] != partner_id):
                continue
            created = key.get("createdDate")
            found.append(
                KeyInfo(
                    key_id=key["id"],
                    name=key.get("name", ""),
                    partner_id=tags[PARTNER_TAG],
                    tier=tags.get(TIER_TAG, ""),
                    enabled=bool(key.get("enabled")),
                    created=created.isoformat() if isinstance(created, datetime) else str(created or ""),
                )
            )
        return sorted(found, key=lambda info: (info.created, info.name))

    def rotate(self, partner_id: str, tier: str | None = None) -> tuple[IssuedKey, list[KeyInfo]]:
        """A new key for `partner_id` (in its newest key's tier unless `tier`), and the keys it
        replaces: they keep working until revoked, so the partner can switch without downtime."""
        current = [info for info in self.keys(partner_id) if info.enabled]
        if not current:
            raise PartnerKeyError(f"partner {partner_id!r} holds no enabled key in {self.prefix}: issue one")
        return self.issue(partner_id, tier or current[-1].tier), current

    def revoke(self, key_id: str) -> KeyInfo:
        """Delete key `key_id` (a partner key of this environment) and its record."""
        info = next((info for info in self.keys() if info.key_id == key_id), None)
        if info is None:
            raise PartnerKeyError(f"no partner key {key_id!r} in {self.prefix}")
        self._forget(key_id)
        secret = self._read_secret(info.partner_id)
        if secret is not None and secret.get("api_key_id") == key_id:
            # The partner's newest value is gone: nothing is left to hand over.
            self._secrets.delete_secret(
                SecretId=self.secret_name(info.partner_id), ForceDeleteWithoutRecovery=True
            )
        return info

    def _forget(self, key_id: str) -> None:
        from botocore.exceptions import ClientError

        for plan in _all(self._api.get_usage_plans, keyId=key_id):
            try:
                self._api.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key_id)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "NotFoundException":
                    raise
        self._api.delete_api_key(apiKey=key_id)
        self._table.delete({"pk": key_record_pk(key_id)})

    def _store(self, partner_id: str, content: dict[str, str]) -> None:
        name = self.secret_name(partner_id)
        text = json.dumps(content)
        if self._read_secret(partner_id) is None:
            self._secrets.create_secret(
                Name=name,
                Description=f"API key of partner {partner_id}, for hand-over (devtools.cli.partner_keys).",
                SecretString=text,
                Tags=[{"Key": PARTNER_TAG, "Value": partner_id}],
            )
        else:
            self._secrets.put_secret_value(SecretId=name, SecretString=text)

    def _read_secret(self, partner_id: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            found = self._secrets.get_secret_value(SecretId=self.secret_name(partner_id))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None
            raise
        content: dict[str, Any] = json.loads(found.get("SecretString") or "{}")
        return content


def _all(operation: Any, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged API Gateway list operation."""
    items: list[dict[str, Any]] = []
    position: str | None = None
    while True:
        page = operation(**params, **({"position": position} if position else {}), limit=500)
        items.extend(page.get("items", []))
        position = page.get("position")
        if not position:
            return items


def _default_prefix() -> str | None:
    from foyer.settings import DEFAULT_STACK_FILE, read_stack_file

    stack = read_stack_file(Path(os.environ.get("FOYER_STACK_FILE", DEFAULT_STACK_FILE)).absolute())
    table = stack.tables.get("partner") if stack else None
    return table.removesuffix("-partner") if table else None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.cli.partner_keys",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--prefix", help="the environment's name prefix, e.g. foyer-dev (default: the local stack's)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    issue = commands.add_parser("issue", help="a new key under a tier's usage plan")
    issue.add_argument("partner")
    issue.add_argument("--tier", required=True, help="a partner tier (a usage plan Terraform created)")
    listing = commands.add_parser("list", help="the partner keys (ids, never values)")
    listing.add_argument("partner", nargs="?")
    rotate = commands.add_parser("rotate", help="a second key for a partner; revoke the old one later")
    rotate.add_argument("partner")
    rotate.add_argument("--tier", help="move to this tier (default: the newest key's)")
    revoke = commands.add_parser("revoke", help="delete a key: the gateway refuses it from then on")
    revoke.add_argument("key_id")
    return parser


def main(argv: list[str] | None = None, *, keys: PartnerKeys | None = None) -> int:
    """Run one command; 0 on success, 1 when it cannot be done (the reason on stderr), 2 on bad usage."""
    args = _parser().parse_args(argv)
    if keys is None:
        prefix = args.prefix or _default_prefix()
        if not prefix:
            print("no --prefix given and no local stack running: pass --prefix foyer-<env>", file=sys.stderr)
            return 2
        keys = PartnerKeys.of(prefix)
    try:
        if args.command == "issue":
            _print_issued(keys.issue(args.partner, args.tier))
        elif args.command == "rotate":
            issued, replaced = keys.rotate(args.partner, args.tier)
            _print_issued(issued)
            for old in replaced:
                print(
                    f"still working: {old.key_id} (issued {old.created}); revoke it once the partner switched"
                )
        elif args.command == "revoke":
            info = keys.revoke(args.key_id)
            print(f"revoked {info.key_id} of {info.partner_id} ({info.tier})")
        else:
            for info in keys.keys(args.partner):
                state = "enabled" if info.enabled else "disabled"
                print(f"{info.key_id}\t{info.partner_id}\t{info.tier}\t{state}\t{info.created}")
    except PartnerKeyError as error:
        print(str(error), file=sys.stderr)
        return 1
    return 0


def _print_issued(issued: IssuedKey) -> None:
    print(f"issued {issued.key_id} to {issued.partner_id} ({issued.tier})")
    print(f"value in Secrets Manager: {issued.secret_name}")


if __name__ == "__main__":
    sys.exit(main())
