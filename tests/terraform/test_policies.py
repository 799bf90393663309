"""Every AWS call each function's code makes is allowed by its role and by the resource's policy, in
the configuration each cloud root (environments/dev, prod) applies.

The emulator enforces no IAM: a call that AWS would refuse only shows there as AccessDenied. So the
calls come from the code (aws_calls: what each function's handler can reach), the policies from
Terraform (the root applied to an emulator of this module's own, read back with `terraform show
-json`, where every ARN is known), and policy_evaluation decides each call as IAM does: the role's
identity policies and the resource's policy (secret, KMS key, queue, function permission), explicit
Deny winning. What the Lambda service does with the role (logs, X-Ray, event source mappings) and
what AWS services do in their own name (EventBridge to queues and functions, API Gateway to
functions) are decided the same way. parliament lints every planned policy.
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_calls
import pytest
from cloud_roots import EMULATOR_OVERRIDE, copy_terraform, emulator_only_env, set_api_gateway_logging
from policy_evaluation import Decision, Policy, Request, evaluate

from devtools.devstack.emulator import Emulator
from devtools.devstack.stack import DIST
from devtools.devstack.terraform import Terraform

# The first test of each root pays for its apply (4-5 minutes on a busy machine).
pytestmark = [pytest.mark.terraform, pytest.mark.integration, pytest.mark.timeout(900)]

# dev and prod: staging is dev's shape with other values; prod adds the aliases (provisioned
# concurrency) that callers must be granted instead of the unqualified functions.
ENVIRONMENTS = ("dev", "prod")
REGION = "eu-west-1"

# parliament findings that are not mistakes: (issue, policy name prefix, text in the detail) => why.
ACCEPTED_LINT = {
    ("UNKNOWN_CONDITION_FOR_ACTION", "role policy", "lambda:InvokedViaFunctionUrl"): (
        "newer than parliament's copy of the IAM reference; AWS's Lambda guide documents it for function URLs"
    ),
    ("RESOURCE_STAR", "role policy", "xray:"): "X-Ray's trace actions support no resource-level permissions",
    (
        "RESOURCE_STAR",
        "key policy",
        "kms:",
    ): "a key policy's Resource is always * (the key it is attached to)",
    ("RESOURCE_MISMATCH", "role policy", "dynamodb:ListStreams"): (
        "AWS's DynamoDB guide grants a stream-fed Lambda the four stream actions on the stream's ARN"
    ),
}


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


# The emulator implements no provisioned concurrency (PutProvisionedConcurrencyConfig answers 404);
# no policy depends on it, and the aliases it sits on are still created.
NO_PROVISIONED_CONCURRENCY = """resource "aws_lambda_provisioned_concurrency_config" "this" {
  count = 0
}
"""


class Applied:
    """Each root applied on first use to an emulator of its own (their web ACLs would clash in one),
    its resources as `terraform show -json` prints the state: every ARN known, unlike a plan's."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.terraform = copy_terraform(work / "terraform")
        (self.terraform / "modules" / "lambda_app" / "emulator_override.tf").write_text(
            NO_PROVISIONED_CONCURRENCY
        )
        for environment in ENVIRONMENTS:
            root = self.terraform / "environments" / environment
            (root / "emulator_override.tf").write_text(EMULATOR_OVERRIDE)
        self.accounts: Applied = {}

    def __getitem__(self, environment: str) -> Account:
        if environment not in self.accounts:
            self.accounts[environment] = Account(self._apply(environment))
        return self.accounts[environment]

    def _apply(self, environment: str) -> list[dict[str, Any]]:
        with Emulator(log_path=self.work / f"moto-{environment}.log") as emulator:
            set_api_gateway_logging(emulator.endpoint)  # what environments/bootstrap does once per account
            runner = Terraform(
                self.terraform / "environments" / environment,
                self.work / f"data-{environment}",
                env=emulator_only_env(emulator.endpoint),
            )
            runner.init(backend_path=self.work / f"{environment}.tfstate")
            runner.apply({"artifacts_dir": str(DIST)})
            shown = subprocess.run(
                [runner.binary, "show", "-json", "-no-color"],
                cwd=runner.working_dir,
                env=runner.env,
                capture_output=True,
                text=True,
                check=True,
            )
        return list(_resources(json.loads(shown.stdout)["values"]["root_module"]))


@pytest.fixture(scope="module")
def accounts(tmp_path_factory: pytest.TempPathFactory) -> Applied:
    if not any(DIST.glob("*.zip")):
        pytest.fail("dist/ has no Lambda zips: run the suite with `make test` (it packages first)")
    return Applied(tmp_path_factory.mktemp("policies"))


def _document(text: str | None) -> dict[str, Any]:
    return json.loads(text) if text else {}


@dataclass
class Account:
    """What one applied root holds that a call is decided by, indexed by ARN or name."""

    resources: list[dict[str, Any]]
    functions: list[dict[str, Any]] = field(default_factory=list)
    role_policies: dict[str, list[Policy]] = field(default_factory=dict)
    by_type: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for resource in self.resources:
            if resource["mode"] == "managed":
                self.by_type.setdefault(resource["type"], []).append(resource["values"])
        self.functions = self.by_type.get("aws_lambda_function", [])
        for policy in self.by_type.get("aws_iam_role_policy", []):
            self.role_policies.setdefault(policy["role"], []).append(
                Policy(f"{policy['role']}:{policy['name']}", _document(policy["policy"]))
            )

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.by_type.get(kind, [])

    def role_name(self, function: dict[str, Any]) -> str:
        return str(function["role"]).rpartition("/")[2]

    def identity(self, function: dict[str, Any]) -> list[Policy]:
        return self.role_policies.get(self.role_name(function), [])

    def secret_policy(self, arn: str) -> Policy | None:
        return next(
            (
                Policy("secret policy", _document(p["policy"]))
                for p in self.of("aws_secretsmanager_secret_policy")
                if p["secret_arn"] == arn
            ),
            None,
        )

    def key_policy(self, key: str) -> Policy:
        (found,) = [k for k in self.of("aws_kms_key") if key in (k["arn"], k["key_id"])]
        attached = [
            p for p in self.of("aws_kms_key_policy") if p["key_id"] in (found["arn"], found["key_id"])
        ]
        return Policy("key policy", _document(attached[0]["policy"] if attached else found["policy"]))

    def queue_policy(self, arn: str) -> Policy | None:
        (queue,) = [q for q in self.of("aws_sqs_queue") if q["arn"] == arn]
        attached = [p for p in self.of("aws_sqs_queue_policy") if p["queue_url"] == queue["url"]]
        text = attached[0]["policy"] if attached else queue.get("policy")
        return Policy(f"queue policy of {queue['name']}", _document(text)) if text else None

    def function_policy(self, function_arn: str) -> Policy:
        """The function's (or alias's) resource policy, as Lambda builds it from its permissions."""
        name, _, qualifier = function_arn.split(":", 6)[6].partition(":")
        statements = []
        for permission in self.of("aws_lambda_permission"):
            # function_name is a name or an ARN, either of which may carry the qualifier.
            named, _, named_qualifier = permission["function_name"].rpartition(":function:")[2].partition(":")
            if named != name or (permission.get("qualifier") or named_qualifier) != qualifier:
                continue
            principal = permission["principal"]
            statement: dict[str, Any] = {
                "Sid": permission["statement_id"],
                "Effect": "Allow",
                "Principal": {"Service": principal}
                if principal.endswith(".amazonaws.com")
                else {"AWS": principal},
                "Action": permission["action"],
                "Resource": function_arn,
            }
            condition: dict[str, Any] = {}
            if permission.get("source_arn"):
                condition["ArnLike"] = {"AWS:SourceArn": permission["source_arn"]}
            if permission.get("function_url_auth_type"):
                condition["StringEquals"] = {
                    "lambda:FunctionUrlAuthType": permission["function_url_auth_type"]
                }
            if condition:
                statement["Condition"] = condition
            statements.append(statement)
        return Policy(
            f"resource policy of {name}{':' + qualifier if qualifier else ''}", {"Statement": statements}
        )

    def arn_of(self, kind: str, key: str, value: str) -> str:
        found = [r["arn"] for r in self.of(kind) if r.get(key) == value]
        assert len(found) == 1, f"no single {kind} with {key} = {value}: {found}"
        return str(found[0])


def environment_of(function: dict[str, Any]) -> dict[str, str]:
    blocks = function.get("environment") or [{}]
    return dict(blocks[0].get("variables") or {})


@dataclass(frozen=True)
class Checked:
    """One decided request: who, what, on which resource, why it is asked (the code's line), the answer."""

    function: str
    request: Request
    because: str
    decision: Decision

    def __str__(self) -> str:
        return (
            f"{self.function}: {self.request.action} on {self.request.resource} ({self.because}): "
            f"{self.decision.reason}"
        )


def _code_calls(
    account: Account, function: dict[str, Any]
) -> Iterator[tuple[Request, str, Policy | None, bool]]:
    """The requests a function's code makes: (request, where in the code, resource policy, is a key)."""
    role = str(function["role"])
    variables = environment_of(function)
    found = aws_calls.reach(function["handler"])
    for action, where in aws_calls.actions(found.calls).items():
        because = f"{where[0]}" + (f" and {len(where) - 1} more" if len(where) > 1 else "")
        service = action.split(":")[0]
        if service == "dynamodb":
            table = account.arn_of(
                "aws_dynamodb_table", "name", variables.get("TABLE_NAME", "<no TABLE_NAME>")
            )
            yield Request(action, table, role), because, None, False
        elif action == "secretsmanager:GetSecretValue":
            secrets = [v for v in variables.values() if v.startswith("arn:aws:secretsmanager:")]
            assert secrets, (
                f"{function['function_name']} reads a secret ({because}) but its environment names none"
            )
            for arn in secrets:
                yield Request(action, arn, role), because, account.secret_policy(arn), False
                (secret,) = [s for s in account.of("aws_secretsmanager_secret") if s["arn"] == arn]
                via = {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}
                key = account.key_policy(secret["kms_key_id"])
                key_arn = next(
                    k["arn"]
                    for k in account.of("aws_kms_key")
                    if secret["kms_key_id"] in (k["arn"], k["key_id"])
                )
                yield (
                    Request("kms:Decrypt", key_arn, role, context=via),
                    f"{because}, decrypted by Secrets Manager",
                    key,
                    True,
                )
        elif action == "events:PutEvents":
            bus = account.arn_of(
                "aws_cloudwatch_event_bus", "name", variables.get("EVENT_BUS_NAME", "<none>")
            )
            yield Request(action, bus, role), because, None, False
        elif action == "ses:SendEmail":
            identity = account.arn_of(
                "aws_ses_email_identity", "email", variables.get("SENDER_EMAIL", "<none>")
            )
            yield Request(action, identity, role), because, None, False
        elif action == "sns:Publish":
            topic = variables.get("TOPIC_ARN", "<no TOPIC_ARN>")
            policies = [
                Policy("topic policy", _document(p["policy"]))
                for p in account.of("aws_sns_topic_policy")
                if p["arn"] == topic
            ]
            # The topic's key is SNS's AWS managed key (alias/aws/sns): its policy admits the account's
            # principals through SNS, so only the topic decides.
            yield Request(action, topic, role), because, policies[0] if policies else None, False
        else:
            pytest.fail(
                f"{function['function_name']} calls {action} ({because}): say which resource it acts on"
            )


def _url_calls(
    account: Account, function: dict[str, Any]
) -> Iterator[tuple[Request, str, Policy | None, bool]]:
    """A caller's invokes of the function URLs its environment names (FOYER_SERVICE_URLS)."""
    role = str(function["role"])
    urls = json.loads(environment_of(function).get("FOYER_SERVICE_URLS", "{}"))
    for service, url in sorted(urls.items()):
        (target,) = [
            u
            for u in account.of("aws_lambda_function_url")
            if u["function_url"].rstrip("/") == url.rstrip("/")
        ]
        arn = target["function_arn"] + (f":{target['qualifier']}" if target.get("qualifier") else "")
        policy = account.function_policy(arn)
        because = f"calls {service} at {url}"
        auth = {"lambda:FunctionUrlAuthType": target["authorization_type"]}
        yield Request("lambda:InvokeFunctionUrl", arn, role, context=auth), because, policy, False
        via_url = {"lambda:InvokedViaFunctionUrl": True}
        yield Request("lambda:InvokeFunction", arn, role, context=via_url), because, policy, False


def _runtime_calls(
    account: Account, function: dict[str, Any]
) -> Iterator[tuple[Request, str, Policy | None, bool]]:
    """What Lambda does with the function's role: its logs (EMF metrics ride them), traces, sources."""
    role, name = str(function["role"]), function["function_name"]
    account_id = role.split(":")[4]
    stream = (
        f"arn:aws:logs:{REGION}:{account_id}:log-group:/aws/lambda/{name}:log-stream:2026/01/01/[$LATEST]0"
    )
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        yield Request(action, stream, role), "Lambda writes its logs and EMF metrics", None, False
    if (function.get("tracing_config") or [{}])[0].get("mode") == "Active":
        for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords"):
            yield Request(action, "*", role), "active tracing", None, False
    for mapping in account.of("aws_lambda_event_source_mapping"):
        if mapping["function_arn"].rpartition(":function:")[2].split(":")[0] != name:
            continue
        source = mapping["event_source_arn"]
        if source.startswith("arn:aws:sqs:"):
            for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
                yield (
                    Request(action, source, role),
                    "its queue's event source mapping",
                    account.queue_policy(source),
                    False,
                )
        elif ":dynamodb:" in source:
            for action in (
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ):
                yield Request(action, source, role), "its stream's event source mapping", None, False
        else:
            pytest.fail(f"{name} is mapped to {source}: say what Lambda calls on it")


def decide(account: Account) -> list[Checked]:
    """Every request of every function, decided."""
    checked = []
    for function in sorted(account.functions, key=lambda f: f["function_name"]):
        identity = account.identity(function)
        for calls in (_code_calls, _url_calls, _runtime_calls):
            for request, because, resource, is_key in calls(account, function):
                decision = evaluate(request, identity, resource, key_policy=is_key)
                checked.append(Checked(function["function_name"], request, because, decision))
    return checked


def _service_requests(account: Account) -> Iterator[tuple[str, Request, Policy | None]]:
    """What AWS services do in their own name: rules deliver to queues and functions, API Gateway
    invokes integrations and authorizers."""
    rules = {
        (r["name"], r.get("event_bus_name") or "default"): r["arn"]
        for r in account.of("aws_cloudwatch_event_rule")
    }
    for target in account.of("aws_cloudwatch_event_target"):
        rule = rules[(target["rule"], target.get("event_bus_name") or "default")]
        source = {"aws:SourceArn": rule}
        if target["arn"].startswith("arn:aws:sqs:"):
            yield (
                f"rule {target['rule']}",
                Request("sqs:SendMessage", target["arn"], service="events.amazonaws.com", context=source),
                account.queue_policy(target["arn"]),
            )
        elif ":lambda:" in target["arn"]:
            yield (
                f"rule {target['rule']}",
                Request(
                    "lambda:InvokeFunction", target["arn"], service="events.amazonaws.com", context=source
                ),
                account.function_policy(target["arn"]),
            )
    account_id = account.functions[0]["role"].split(":")[4]
    paths = {r["id"]: r["path"] for r in account.of("aws_api_gateway_resource")}
    for api in account.of("aws_api_gateway_rest_api"):
        paths.setdefault(api["root_resource_id"], "/")
    stages = [(s["rest_api_id"], s["stage_name"]) for s in account.of("aws_api_gateway_stage")]
    execute_api = f"arn:aws:execute-api:{REGION}:{account_id}"
    invoked = re.compile(r"functions/(arn:[^/]+)/invocations")
    for integration in account.of("aws_api_gateway_integration"):
        match = invoked.search(integration.get("uri") or "")
        if not match:
            continue
        method = "GET" if integration["http_method"] == "ANY" else integration["http_method"]
        path = paths[integration["resource_id"]].lstrip("/")
        for api_id, stage in stages:
            if api_id == integration["rest_api_id"]:
                source = {"aws:SourceArn": f"{execute_api}:{api_id}/{stage}/{method}/{path}"}
                request = Request(
                    "lambda:InvokeFunction",
                    match.group(1),
                    service="apigateway.amazonaws.com",
                    context=source,
                )
                yield f"API {api_id} stage {stage}", request, account.function_policy(match.group(1))
    for authorizer in account.of("aws_api_gateway_authorizer"):
        match = invoked.search(authorizer.get("authorizer_uri") or "")
        if match:
            api_id = authorizer["rest_api_id"]
            source = {"aws:SourceArn": f"{execute_api}:{api_id}/authorizers/{authorizer['id']}"}
            request = Request(
                "lambda:InvokeFunction", match.group(1), service="apigateway.amazonaws.com", context=source
            )
            yield f"authorizer {authorizer['name']}", request, account.function_policy(match.group(1))


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_call_of_every_function_is_allowed(accounts: Applied, environment: str) -> None:
    checked = decide(accounts[environment])
    assert len(checked) > 4 * len(accounts[environment].functions), (
        "too few calls found: is the scan still right?"
    )
    denied = [str(c) for c in checked if not c.decision]
    assert not denied, "AWS would refuse:\n" + "\n".join(denied)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_call_of_the_code_is_attributed(accounts: Applied, environment: str) -> None:
    problems = {
        f"{function['function_name']}: {problem.where}: {problem.what}"
        for function in accounts[environment].functions
        for problem in aws_calls.reach(function["handler"]).problems
    }
    assert not problems, "the scan cannot tell what these do:\n" + "\n".join(sorted(problems))


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_caller_of_a_signed_url_signs(accounts: Applied, environment: str) -> None:
    account = accounts[environment]
    iam_urls = {
        u["function_url"].rstrip("/")
        for u in account.of("aws_lambda_function_url")
        if u["authorization_type"] == "AWS_IAM"
    }
    for function in account.functions:
        urls = json.loads(environment_of(function).get("FOYER_SERVICE_URLS", "{}"))
        if not {url.rstrip("/") for url in urls.values()} & iam_urls:
            continue
        assert environment_of(function).get("FOYER_SIGN_SERVICE_CALLS") == "true", function["function_name"]
        assert ("foyer.signing", "SigV4") in aws_calls.reach(function["handler"]).units, function[
            "function_name"
        ]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_a_secret_admits_exactly_the_functions_that_read_it(accounts: Applied, environment: str) -> None:
    account = accounts[environment]
    for secret in account.of("aws_secretsmanager_secret"):
        readers = {
            f["function_name"]
            for f in account.functions
            if secret["arn"] in environment_of(f).values()
            and "secretsmanager:GetSecretValue" in aws_calls.actions(aws_calls.reach(f["handler"]).calls)
        }
        admitted = {
            f["function_name"]
            for f in account.functions
            if evaluate(
                Request("secretsmanager:GetSecretValue", secret["arn"], str(f["role"])),
                account.identity(f),
                account.secret_policy(secret["arn"]),
            )
        }
        assert readers, f"nobody reads {secret['name']}: is the scan still right?"
        assert admitted == readers, secret["name"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_service_delivery_is_admitted_by_its_target(accounts: Applied, environment: str) -> None:
    requests = list(_service_requests(accounts[environment]))
    assert requests
    denied = [
        f"{who}: {request.service} {request.action} on {request.resource}: {decision.reason}"
        for who, request, policy in requests
        if not (decision := evaluate(request, [], policy))
    ]
    assert not denied, "AWS would refuse:\n" + "\n".join(denied)


def _documents(account: Account) -> Iterator[tuple[str, str]]:
    for policy in account.of("aws_iam_role_policy"):
        yield f"role policy {policy['role']}:{policy['name']}", policy["policy"]
    for policy in account.of("aws_secretsmanager_secret_policy"):
        yield f"secret policy {policy['secret_arn']}", policy["policy"]
    for key in account.of("aws_kms_key"):
        yield f"key policy {key['arn']}", json.dumps(account.key_policy(key["arn"]).document)
    for queue in account.of("aws_sqs_queue"):
        if queue.get("policy"):
            yield f"queue policy {queue['name']}", queue["policy"]
    for topic in account.of("aws_sns_topic_policy"):
        yield f"topic policy {topic['arn']}", topic["policy"]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_parliament_finds_nothing_in_the_planned_policies(accounts: Applied, environment: str) -> None:
    with warnings.catch_warnings():
        # parliament imports pkg_resources and compiles regexes with invalid escapes: its own noise.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from parliament import analyze_policy_string

    findings = []
    for name, text in _documents(accounts[environment]):
        for finding in analyze_policy_string(text).findings:
            detail = json.dumps(finding.detail)
            if any(
                finding.issue == issue and name.startswith(kind) and part in detail
                for issue, kind, part in ACCEPTED_LINT
            ):
                continue
            findings.append(f"{name}: {finding.issue} {detail}")
    assert not findings, "\n".join(findings)
