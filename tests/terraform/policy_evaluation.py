"""IAM's decision for one request of a role in its own account: identity policies, the resource's
policy (a KMS key policy by KMS's own rule) and explicit Deny winning, with the condition operators
Foyer's policies use.

AWS's rules, as its IAM guide states them ("Policy evaluation for requests within a single account",
"IAM JSON policy elements: Condition operators") and KMS's ("Key policies in AWS KMS"):
- an explicit Deny in any policy that applies overrides every Allow;
- within one account, an Allow in the identity policies or in the resource's policy suffices;
- a KMS key policy must allow the request itself, or allow the account (its root) so that the
  identity policies may;
- a condition holds when every operator in it holds, an operator when every key in it holds, a key
  when any of its values matches; a key absent from the request fails every operator except the
  negated ones (StringNotEquals, ArnNotLike, ...), `...IfExists` and `Null`.

What Foyer's policies do not use is refused (NotPrincipal, unknown operators), never guessed.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Effect = Literal["Allow", "Deny"]
Value = str | bool | Sequence[str]


class Unsupported(ValueError):
    """A policy element this evaluator does not model: the caller must not read silence as a decision."""


@dataclass(frozen=True)
class Request:
    """One API call: who (a role ARN, or a service principal), what, on which resource, in what context."""

    action: str
    resource: str
    principal: str = ""
    service: str = ""  # a service principal (events.amazonaws.com) calling in its own name
    context: Mapping[str, Value] = field(default_factory=dict)

    @property
    def account(self) -> str:
        return self.principal.split(":")[4] if self.principal.startswith("arn:") else ""

    def keys(self) -> dict[str, Value]:
        """The request context: the given keys plus aws:PrincipalArn / aws:PrincipalAccount, lowercased."""
        found: dict[str, Value] = {k.lower(): v for k, v in self.context.items()}
        if self.principal:
            found.setdefault("aws:principalarn", self.principal)
            found.setdefault("aws:principalaccount", self.account)
        return found


@dataclass(frozen=True)
class Decision:
    """Allow, or why not: the explicit Deny that matched, or no Allow at all (implicit deny)."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _glob(pattern: str, text: str, *, case_sensitive: bool = True) -> bool:
    # IAM's wildcards are * and ?, nothing else: fnmatch's [] classes are escaped.
    escaped = pattern.replace("[", "[[]")
    if not case_sensitive:
        return fnmatch.fnmatchcase(text.lower(), escaped.lower())
    return fnmatch.fnmatchcase(text, escaped)


def _arn_like(pattern: str, arn: str) -> bool:
    """ArnLike: each of the six colon-separated parts matched on its own, wildcards allowed."""
    wanted, got = pattern.split(":", 5), arn.split(":", 5)
    if len(wanted) != 6 or len(got) != 6:
        return False
    return all(_glob(w, g) for w, g in zip(wanted, got, strict=True))


def _as_bool(value: Any) -> bool | None:
    text = str(value).lower()
    return {"true": True, "false": False}.get(text)


_MATCHERS = {
    "StringEquals": lambda want, got: want == got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringLike": lambda want, got: _glob(want, got),
    "ArnEquals": lambda want, got: want == got,
    "ArnLike": _arn_like,
    "Bool": lambda want, got: _as_bool(want) is not None and _as_bool(want) == _as_bool(got),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _operator_holds(operator: str, block: Mapping[str, Any], context: Mapping[str, Value]) -> bool:
    qualifier = ""
    for prefix in ("ForAnyValue:", "ForAllValues:"):
        if operator.startswith(prefix):
            qualifier, operator = prefix[:-1], operator[len(prefix) :]
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    for key, wanted in block.items():
        got = context.get(key.lower())
        if base == "Null":
            if (got is None) != bool(_as_bool(_listed(wanted)[0])):
                return False
            continue
        if got is None:
            if if_exists or base in _NEGATED:
                continue
            return False
        negated = base in _NEGATED
        matcher = _MATCHERS.get(_NEGATED.get(base, base))
        if matcher is None:
            raise Unsupported(f"condition operator {operator}")
        values = [str(v) for v in _listed(got)]
        if len(values) > 1 and not qualifier:
            raise Unsupported(f"{key} has several values: say ForAnyValue or ForAllValues")

        def matches(one: str, wanted: Any = wanted, matcher: Any = matcher) -> bool:
            return any(matcher(str(w), one) for w in _listed(wanted))

        if qualifier == "ForAllValues":
            held = all(matches(v) != negated for v in values)
        else:
            held = any(matches(v) != negated for v in values)
        if not held:
            return False
    return True


def conditions_hold(condition: Mapping[str, Mapping[str, Any]] | None, request: Request) -> bool:
    """Whether a statement's Condition element holds for `request` (no Condition: it does)."""
    context = request.keys()
    return all(_operator_holds(op, block, context) for op, block in (condition or {}).items())


def _principal_matches(principal: Any, request: Request) -> Literal["direct", "account", ""]:
    """How a resource policy's Principal names the caller: itself (or everyone), its account, or not."""
    if principal == "*":
        return "direct"
    if not isinstance(principal, Mapping):
        raise Unsupported(f"Principal {principal!r}")
    if request.service:
        return "direct" if request.service in _listed(principal.get("Service", [])) else ""
    for named in _listed(principal.get("AWS", [])):
        if named == "*" or named == request.principal:
            return "direct"
        if named in (request.account, f"arn:aws:iam::{request.account}:root"):
            return "account"
    return ""


def _statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "NotPrincipal" in statement:
        raise Unsupported("NotPrincipal")
    if "Action" in statement:
        acts = any(_glob(a, request.action, case_sensitive=False) for a in _listed(statement["Action"]))
    else:
        acts = not any(
            _glob(a, request.action, case_sensitive=False) for a in _listed(statement["NotAction"])
        )
    if "Resource" in statement:
        on = any(_glob(r, request.resource) for r in _listed(statement["Resource"]))
    elif "NotResource" in statement:
        on = not any(_glob(r, request.resource) for r in _listed(statement["NotResource"]))
    else:
        on = True  # a resource policy's statement may leave Resource out: the resource it is attached to
    return acts and on and conditions_hold(statement.get("Condition"), request)


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _listed(policy.get("Statement", []))


@dataclass(frozen=True)
class Policy:
    """A policy document with the name a failure message uses for it."""

    name: str
    document: Mapping[str, Any]


def evaluate(
    request: Request,
    identity: Iterable[Policy] = (),
    resource: Policy | None = None,
    *,
    key_policy: bool = False,
) -> Decision:
    """IAM's decision on `request` given the caller's identity policies and the resource's policy.

    `key_policy`: `resource` is a KMS key policy, which must allow the request itself or delegate to
    the account. A service principal's request is decided by the resource policy alone.
    """
    identity = [] if request.service else list(identity)
    allowed_by_identity = ""
    for policy in identity:
        for statement in _statements(policy.document):
            if _statement_applies(statement, request):
                sid = f"{policy.name} {statement.get('Sid', '')}".strip()
                if statement["Effect"] == "Deny":
                    return Decision(False, f"explicitly denied by {sid}")
                allowed_by_identity = allowed_by_identity or sid
    direct, delegated = "", ""
    if resource is not None:
        for statement in _statements(resource.document):
            named = _principal_matches(statement.get("Principal"), request)
            if not named or not _statement_applies(statement, request):
                continue
            sid = f"{resource.name} {statement.get('Sid', '')}".strip()
            if statement["Effect"] == "Deny":
                return Decision(False, f"explicitly denied by {sid}")
            if named == "direct":
                direct = direct or sid
            else:
                delegated = delegated or sid
    if direct:
        return Decision(True, f"allowed by {direct}")
    if key_policy:
        if delegated and allowed_by_identity:
            return Decision(
                True, f"allowed by {allowed_by_identity} (the key policy delegates in {delegated})"
            )
        if allowed_by_identity:
            return Decision(
                False,
                "the key policy allows neither the caller nor its account (identity policies do not count)",
            )
        return Decision(False, "no statement allows it")
    if allowed_by_identity:
        return Decision(True, f"allowed by {allowed_by_identity}")
    if delegated:
        return Decision(False, f"{delegated} leaves it to the identity policies, and none allows it")
    return Decision(False, "no statement allows it")
