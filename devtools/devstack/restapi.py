"""A REST API as API Gateway holds it (resources, methods, authorizers, validators, gateway responses),
read from the emulator where Terraform created it, and the decisions API Gateway takes from it before
any integration runs: which resource and method a request selects, and what the gateway's own answers
look like.

Resource selection follows API Gateway: a literal path part beats a `{param}` part, which beats a
greedy `{proxy+}`; another resource is tried only where the more specific one cannot match the whole
path. The method is then the resource's own (`GET`) before its `ANY`; a resource that has neither is
not left for a less specific one: the request is the gateway's MISSING_AUTHENTICATION_TOKEN, as a
path or method no resource serves is in AWS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient

# What `ANY` stands for (API Gateway's method set); anything else (TRACE, CONNECT, made-up verbs)
# matches no method, so no resource serves it.
ANY_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})

# AWS's defaults for the gateway responses an API does not declare: status, message, x-amzn-ErrorType.
DEFAULTS: dict[str, tuple[int, str | None, str]] = {
    "ACCESS_DENIED": (
        403,
        "User is not authorized to access this resource with an explicit deny",
        "AccessDeniedException",
    ),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "AUTHORIZER_FAILURE": (500, None, "AuthorizerFailureException"),
    "BAD_REQUEST_PARAMETERS": (400, "Missing required request parameters", "BadRequestException"),
    "BAD_REQUEST_BODY": (400, "Invalid request body", "BadRequestException"),
    "INTEGRATION_FAILURE": (504, "Internal server error", "InternalServerErrorException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "INVALID_API_KEY": (403, "Forbidden", "ForbiddenException"),
    "MISSING_AUTHENTICATION_TOKEN": (
        403,
        "Missing Authentication Token",
        "MissingAuthenticationTokenException",
    ),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded", "LimitExceededException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
    "RESOURCE_NOT_FOUND": (404, "Resource not found", "ResourceNotFoundException"),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException"),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type", "UnsupportedMediaTypeException"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error", "InternalServerErrorException"),
}
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'
_VARIABLE = re.compile(r"\$\{(context(?:\.[A-Za-z0-9_]+)+)\}|\$(context(?:\.[A-Za-z0-9_]+)+)")


@dataclass(frozen=True)
class Method:
    """One method of a resource: who may call it, before the integration runs."""

    http_method: str
    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    api_key_required: bool = False
    request_validator_id: str | None = None
    request_parameters: Mapping[str, bool] = field(default_factory=dict)
    mock: MockAnswer | None = None  # a MOCK integration: API Gateway answers, no Lambda runs


@dataclass(frozen=True)
class MockAnswer:
    """The integration response a MOCK integration answers with (a CORS preflight, typically)."""

    status: int
    parameters: Mapping[str, str]
    body: str = ""

    def render(self, request_headers: Mapping[str, str]) -> Answer:
        headers = {"Content-Type": "application/json"}
        for name, source in self.parameters.items():
            header = name.removeprefix("method.response.header.")
            value = _parameter(source, {}, request_headers)
            if header != name and value is not None:
                headers[header] = value
        return Answer(self.status, headers, self.body.encode())


def _mock(integration: Mapping[str, Any]) -> MockAnswer | None:
    """What a MOCK integration answers: the integration response its request template's status
    selects (by selectionPattern, else the default one)."""
    if integration.get("type") != "MOCK":
        return None
    try:
        template = (integration.get("requestTemplates") or {}).get("application/json") or "{}"
        wanted = str(json.loads(template).get("statusCode", 200))
    except (ValueError, AttributeError):
        wanted = "200"
    responses = list((integration.get("integrationResponses") or {}).values())
    chosen = next(
        (r for r in responses if r.get("selectionPattern") and re.fullmatch(r["selectionPattern"], wanted)),
        None,
    )
    chosen = chosen or next((r for r in responses if not r.get("selectionPattern")), None)
    if chosen is None:
        return MockAnswer(int(wanted), {})
    templates = chosen.get("responseTemplates") or {}
    return MockAnswer(
        int(chosen["statusCode"]),
        dict(chosen.get("responseParameters") or {}),
        templates.get("application/json") or "",
    )


@dataclass(frozen=True)
class Resource:
    """A resource path (`/products/{sku}`) and its methods by verb (`ANY` included)."""

    id: str
    path: str
    methods: Mapping[str, Method]

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(part for part in self.path.split("/") if part)


@dataclass(frozen=True)
class Authorizer:
    """A Lambda authorizer: its function, where its identity comes from, how long its answer holds."""

    id: str
    type: str  # TOKEN or REQUEST
    uri: str
    identity_source: str = "method.request.header.Authorization"
    validation_expression: str | None = None
    ttl_s: int = 300


@dataclass(frozen=True)
class Validator:
    validate_parameters: bool
    validate_body: bool


@dataclass(frozen=True)
class GatewayResponse:
    """A gateway response the API declares (`aws_api_gateway_gateway_response`)."""

    status: int | None
    parameters: Mapping[str, str]
    templates: Mapping[str, str]


@dataclass(frozen=True)
class Route:
    """What a request selected: the resource, its method and the path parameters."""

    resource: Resource
    method: Method
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class Answer:
    """A gateway response rendered for one request."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class RestApi:
    """One deployed REST API, as GetResources, GetAuthorizers, GetGatewayResponses describe it."""

    id: str
    stage: str
    resources: tuple[Resource, ...]
    authorizers: Mapping[str, Authorizer] = field(default_factory=dict)
    validators: Mapping[str, Validator] = field(default_factory=dict)
    responses: Mapping[str, GatewayResponse] = field(default_factory=dict)
    api_key_source: str = "HEADER"
    # The stage's method settings: (rate per second, burst) by "<resource path>/<METHOD>" or "*/*".
    throttles: Mapping[str, tuple[float, int]] = field(default_factory=dict)

    def throttle(self, route: Route) -> tuple[str, tuple[float, int]] | None:
        """The stage's throttle that applies to `route` (its method's own, else the stage-wide one)."""
        for key in (f"{route.resource.path}/{route.method.http_method}", "*/*"):
            if key in self.throttles:
                return key, self.throttles[key]
        return None

    def route(self, method: str, path: str) -> Route | None:
        """The resource and method API Gateway selects for `method path`, or None (no route)."""
        segments = [part for part in path.split("/") if part]
        for resource, parameters in _matches(self.resources, segments):
            chosen = resource.methods.get(method)
            if chosen is None and method in ANY_METHODS:
                chosen = resource.methods.get("ANY")
            return Route(resource, chosen, parameters) if chosen is not None else None
        return None

    def answer(
        self, response_type: str, context: Mapping[str, Any], request_headers: Mapping[str, str]
    ) -> Answer:
        """The gateway's own answer of `response_type`, rendered from what the API declares.

        `context` holds `$context` variables by dotted name (`error.messageString`, `requestId`,
        ...). An undeclared type falls back to DEFAULT_4XX / DEFAULT_5XX, then to AWS's default.
        """
        status, message, error_type = DEFAULTS.get(response_type, (500, None, "InternalServerErrorException"))
        declared = self.responses.get(response_type)
        if declared is None:
            declared = self.responses.get("DEFAULT_4XX" if status < 500 else "DEFAULT_5XX")
        variables = {
            "error.message": message,
            "error.messageString": json.dumps(message),
            "error.responseType": response_type,
            "apiId": self.id,
            "stage": self.stage,
            **context,
        }
        if declared is None:
            body = _render(DEFAULT_TEMPLATE, variables)
            headers = {"Content-Type": "application/json"}
        else:
            status = declared.status or status
            template = declared.templates.get("application/json") or next(
                iter(declared.templates.values()), ""
            )
            body = _render(template or DEFAULT_TEMPLATE, variables)
            headers = {"Content-Type": "application/json"}
            for name, source in declared.parameters.items():
                header = name.removeprefix("gatewayresponse.header.")
                if header != name:
                    value = _parameter(source, variables, request_headers)
                    if value is not None:
                        headers[header] = value
        headers["x-amzn-RequestId"] = str(variables.get("requestId", ""))
        headers["x-amzn-ErrorType"] = error_type
        return Answer(status, headers, body.encode())


def _matches(
    resources: tuple[Resource, ...], segments: list[str]
) -> Iterator[tuple[Resource, dict[str, str]]]:
    """Resources whose path matches `segments`, most specific first (literal, `{param}`, `{proxy+}`)."""
    by_parts = {resource.parts: resource for resource in resources}
    children: dict[tuple[str, ...], list[str]] = {}
    for parts in by_parts:
        for depth in range(len(parts)):
            siblings = children.setdefault(parts[:depth], [])
            if parts[depth] not in siblings:
                siblings.append(parts[depth])

    def walk(
        prefix: tuple[str, ...], rest: list[str], found: dict[str, str]
    ) -> Iterator[tuple[Resource, dict[str, str]]]:
        if not rest:
            if prefix in by_parts:
                yield by_parts[prefix], found
            return
        options = children.get(prefix, [])
        literal = [part for part in options if not part.startswith("{")]
        single = [part for part in options if part.startswith("{") and not part.endswith("+}")]
        greedy = [part for part in options if part.endswith("+}")]
        for part in literal:
            if part == rest[0]:
                yield from walk((*prefix, part), rest[1:], found)
        for part in single:
            yield from walk((*prefix, part), rest[1:], {**found, part[1:-1]: rest[0]})
        for part in greedy:
            if (*prefix, part) in by_parts:
                yield by_parts[(*prefix, part)], {**found, part[1:-2]: "/".join(rest)}

    yield from walk((), segments, {})


def _render(template: str, variables: Mapping[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        found = variables.get((match.group(1) or match.group(2)).removeprefix("context."))
        return "" if found is None else str(found)

    return _VARIABLE.sub(value, template)


def _parameter(source: str, variables: Mapping[str, Any], request_headers: Mapping[str, str]) -> str | None:
    """A gateway response header's value: a 'literal', a request header, or a context variable."""
    if len(source) >= 2 and source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("method.request.header."):
        wanted = source.removeprefix("method.request.header.").lower()
        return next((v for k, v in request_headers.items() if k.lower() == wanted), None)
    if source.startswith("context."):
        found = variables.get(source.removeprefix("context."))
        return None if found is None else str(found)
    return None


def _all(fetch: Callable[..., Any], key: str = "items", **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged API Gateway list operation."""
    items: list[dict[str, Any]] = []
    position: str | None = None
    while True:
        page = fetch(**params, **({"position": position} if position else {}), limit=500)
        items.extend(page.get(key, []))
        position = page.get("position")
        if not position:
            return items


def read(client: APIGatewayClient, api_id: str, stage: str) -> RestApi:
    """The REST API `api_id` as the API Gateway behind `client` holds it, served on `stage`."""
    deployed = client.get_stage(restApiId=api_id, stageName=stage)  # a stage that does not exist fails
    throttles = {}
    for key, settings in (deployed.get("methodSettings") or {}).items():
        if "throttlingRateLimit" in settings or "throttlingBurstLimit" in settings:
            path, _, verb = key.rpartition("/")
            # A setting's key escapes the resource path's slashes as `~1` (a JSON Pointer).
            resource_path = path if path == "*" else path.replace("~1", "/")
            rate = float(settings.get("throttlingRateLimit", 10_000.0))
            throttles[f"{resource_path}/{verb}"] = (rate, int(settings.get("throttlingBurstLimit", 5_000)))
    api = client.get_rest_api(restApiId=api_id)
    resources = []
    for item in _all(client.get_resources, restApiId=api_id, embed=["methods"]):
        methods = {}
        for verb in item.get("resourceMethods") or {}:
            # GetMethod: the embedded summary may omit what the method holds (validator, parameters).
            found = client.get_method(restApiId=api_id, resourceId=item["id"], httpMethod=verb)
            methods[verb] = Method(
                http_method=verb,
                authorization_type=found.get("authorizationType", "NONE"),
                authorizer_id=found.get("authorizerId"),
                api_key_required=bool(found.get("apiKeyRequired", False)),
                request_validator_id=found.get("requestValidatorId") or None,
                request_parameters=dict(found.get("requestParameters") or {}),
                mock=_mock(found.get("methodIntegration") or {}),
            )
        resources.append(Resource(item["id"], item["path"], methods))
    authorizers = {
        item["id"]: Authorizer(
            id=item["id"],
            type=item.get("type", "TOKEN"),
            uri=item.get("authorizerUri", ""),
            identity_source=item.get("identitySource") or "method.request.header.Authorization",
            validation_expression=item.get("identityValidationExpression") or None,
            ttl_s=int(item.get("authorizerResultTtlInSeconds", 300)),
        )
        for item in _all(client.get_authorizers, restApiId=api_id)
    }
    validators = {
        item["id"]: Validator(
            validate_parameters=bool(item.get("validateRequestParameters", False)),
            validate_body=bool(item.get("validateRequestBody", False)),
        )
        for item in _all(client.get_request_validators, restApiId=api_id)
    }
    responses = {
        item["responseType"]: GatewayResponse(
            status=int(item["statusCode"]) if item.get("statusCode") else None,
            parameters=dict(item.get("responseParameters") or {}),
            templates=dict(item.get("responseTemplates") or {}),
        )
        for item in _all(client.get_gateway_responses, restApiId=api_id)
        if not item.get("defaultResponse", False)
    }
    return RestApi(
        id=api_id,
        stage=stage,
        resources=tuple(resources),
        authorizers=authorizers,
        validators=validators,
        responses=responses,
        api_key_source=api.get("apiKeySource", "HEADER"),
        throttles=throttles,
    )
