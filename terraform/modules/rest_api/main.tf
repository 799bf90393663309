locals {
  guard = var.authorizer == null ? "NONE" : "CUSTOM"

  # Every resource a public route needs, its ancestors included ("/a", "/a/b", ...), by depth: a
  # resource's parent must exist first, and one resource block cannot refer to its own instances.
  public_segments = { for path in keys(var.public_routes) : path => split("/", trimprefix(path, "/")) }
  public_resources = distinct(flatten([
    for segments in values(local.public_segments) : [for depth in range(1, length(segments) + 1) : "/${join("/", slice(segments, 0, depth))}"]
  ]))
  resources_at = { for depth in [1, 2, 3, 4] : depth => toset([for path in local.public_resources : path if length(split("/", path)) - 1 == depth]) }
  resource_ids = merge(
    {
      "/"         = aws_api_gateway_rest_api.this.root_resource_id
      "/{proxy+}" = aws_api_gateway_resource.proxy.id
    },
    { for path, resource in aws_api_gateway_resource.depth1 : path => resource.id },
    { for path, resource in aws_api_gateway_resource.depth2 : path => resource.id },
    { for path, resource in aws_api_gateway_resource.depth3 : path => resource.id },
    { for path, resource in aws_api_gateway_resource.depth4 : path => resource.id },
  )
  resource_paths = concat(["/", "/{proxy+}"], local.public_resources)

  # "<METHOD> <path>" => whether it is open. Every resource answers ANY behind the guard (the
  # authorizer or an API key), as `/{proxy+}` does: API Gateway does not fall back from a resource
  # that matched to the proxy, so a public resource still passes its other methods to the BFF. The
  # public routes are open; where browsers call (cors_allow_origin) so is every preflight.
  methods = merge(
    { for path in local.resource_paths : "ANY ${path}" => { path = path, http_method = "ANY", open = false } },
    merge([for path, verbs in var.public_routes : { for verb in verbs : "${verb} ${path}" => { path = path, http_method = verb, open = true } }]...),
    var.cors_allow_origin == null ? {} : { for path in local.resource_paths : "OPTIONS ${path}" => { path = path, http_method = "OPTIONS", open = true } },
  )

  # What the edge answers itself (no Lambda ran), as RFC 9457 problems like every answer of ours, with
  # API Gateway's request id as the correlation id (the BFF adopts the same id when the caller sends
  # none). DEFAULT_4XX/5XX keep each type's own status, so their body names none. REQUEST_TOO_LARGE
  # is absent: API Gateway does not let its 413 be customised. API Gateway cannot compute a quota
  # period's end: QUOTA_EXCEEDED says to come back in an hour.
  gateway_problems = {
    DEFAULT_4XX                    = { status = null, title = "Request refused", headers = {} }
    DEFAULT_5XX                    = { status = null, title = "Gateway error", headers = {} }
    ACCESS_DENIED                  = { status = 403, title = "Forbidden", headers = {} }
    API_CONFIGURATION_ERROR        = { status = 500, title = "Internal Server Error", headers = {} }
    AUTHORIZER_CONFIGURATION_ERROR = { status = 500, title = "Internal Server Error", headers = {} }
    # The authorizer failed (the issuer's JWKS unreachable): the token may be fine, so not a 401.
    AUTHORIZER_FAILURE           = { status = 503, title = "Service Unavailable", headers = { "Retry-After" = "'5'" } }
    BAD_REQUEST_BODY             = { status = 400, title = "Bad Request", headers = {} }
    BAD_REQUEST_PARAMETERS       = { status = 400, title = "Bad Request", headers = {} }
    EXPIRED_TOKEN                = { status = 403, title = "Forbidden", headers = {} }
    INTEGRATION_FAILURE          = { status = 502, title = "Bad Gateway", headers = {} }
    INTEGRATION_TIMEOUT          = { status = 504, title = "Gateway Timeout", headers = {} }
    INVALID_API_KEY              = { status = 403, title = "Forbidden", headers = {} }
    INVALID_SIGNATURE            = { status = 403, title = "Forbidden", headers = {} }
    MISSING_AUTHENTICATION_TOKEN = { status = 403, title = "Forbidden", headers = {} }
    QUOTA_EXCEEDED               = { status = 429, title = "Too Many Requests", headers = { "Retry-After" = "'3600'" } }
    RESOURCE_NOT_FOUND           = { status = 404, title = "Not Found", headers = {} }
    THROTTLED                    = { status = 429, title = "Too Many Requests", headers = { "Retry-After" = "'1'" } }
    UNAUTHORIZED                 = { status = 401, title = "Unauthorized", headers = { "WWW-Authenticate" = "'Bearer realm=\"foyer\"'" } }
    UNSUPPORTED_MEDIA_TYPE       = { status = 415, title = "Unsupported Media Type", headers = {} }
    WAF_FILTERED                 = { status = 403, title = "Forbidden", headers = {} }
  }
  # A browser on the allowed origin may read these answers (a gateway response holds one static origin).
  cors_headers = var.cors_allow_origin == null ? {} : {
    "Access-Control-Allow-Origin"   = "'${var.cors_allow_origin}'"
    "Access-Control-Expose-Headers" = "'Retry-After, WWW-Authenticate, X-Correlation-Id'"
    "Vary"                          = "'Origin'"
  }
  gateway_responses = {
    for type, problem in local.gateway_problems : type => {
      status_code = problem.status == null ? null : tostring(problem.status)
      # $context.error.messageString is already a quoted JSON string.
      template = format(
        "{\"type\":\"about:blank\",\"title\":\"%s\",%s\"detail\":$context.error.messageString,\"correlation_id\":\"$context.requestId\"}",
        problem.title, problem.status == null ? "" : "\"status\":${problem.status},",
      )
      parameters = merge(
        { "gatewayresponse.header.Content-Type" = "'application/problem+json'" },
        { for name, value in merge(local.cors_headers, problem.headers) : "gatewayresponse.header.${name}" => value },
      )
    }
  }

  # "*/*" for the whole stage; per method "<resource path, each / as ~1>/<METHOD>" (the provider passes
  # method_path to UpdateStage as is, and API Gateway reads a nested path only so escaped).
  method_settings = var.throttling == null ? {} : merge(
    { "*/*" = { rate_limit = var.throttling.rate_limit, burst_limit = var.throttling.burst_limit } },
    {
      for key, limits in var.throttling.methods :
      "${replace(local.methods[key].path, "/", "~1")}/${local.methods[key].http_method}" => limits
      if contains(keys(local.methods), key)
    },
  )

  # Per-method throttling applies to declared methods other than ANY only.
  throttleable   = sort([for key in keys(local.methods) : key if !startswith(key, "ANY ")])
  unthrottleable = var.throttling == null ? [] : [for key in keys(var.throttling.methods) : key if !contains(local.throttleable, key)]

  # What a deployment carries: a new one is made whenever any of it changes.
  revision = sha1(jsonencode([
    [for path in local.resource_paths : local.resource_ids[path]],
    { for key, method in local.methods : key => method.open ? "NONE" : local.guard },
    [for method in aws_api_gateway_method.this : method.id],
    [for integration in aws_api_gateway_integration.this : integration.id],
    [for authorizer in aws_api_gateway_authorizer.this : authorizer.id],
    var.function_invoke_arn,
    var.authorizer,
    var.api_key_required,
    local.gateway_responses,
  ]))
}

resource "aws_api_gateway_rest_api" "this" {
  #checkov:skip=CKV_AWS_237:Replacing the API changes its id and so every client's URL; a new API before the old one goes would not keep them either, so the module keeps Terraform's default order.
  name           = var.name
  description    = "BFF ${var.name}: every path proxied to ${var.function_name}."
  api_key_source = "HEADER"
  tags           = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

# `/` and `/{proxy+}`, any method, straight to the BFF (Lambda proxy integration): the app routes.
resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "{proxy+}"
}

# The public routes' resources, one block per depth (a parent is always one block up).
resource "aws_api_gateway_resource" "depth1" {
  for_each = local.resources_at[1]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = element(split("/", each.key), 1)
}

resource "aws_api_gateway_resource" "depth2" {
  for_each = local.resources_at[2]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth1[join("/", slice(split("/", each.key), 0, 2))].id
  path_part   = element(split("/", each.key), 2)
}

resource "aws_api_gateway_resource" "depth3" {
  for_each = local.resources_at[3]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth2[join("/", slice(split("/", each.key), 0, 3))].id
  path_part   = element(split("/", each.key), 3)
}

resource "aws_api_gateway_resource" "depth4" {
  for_each = local.resources_at[4]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.depth3[join("/", slice(split("/", each.key), 0, 4))].id
  path_part   = element(split("/", each.key), 4)
}

resource "aws_api_gateway_authorizer" "this" {
  count = var.authorizer == null ? 0 : 1

  name            = "${var.name}-jwt"
  rest_api_id     = aws_api_gateway_rest_api.this.id
  type            = "TOKEN"
  authorizer_uri  = var.authorizer.invoke_arn
  identity_source = "method.request.header.Authorization"
  # A header that is not a bearer token is refused with a 401 before the authorizer is invoked.
  identity_validation_expression   = var.authorizer.identity_validation_expression == "" ? null : var.authorizer.identity_validation_expression
  authorizer_result_ttl_in_seconds = var.authorizer.result_ttl_seconds
}

resource "aws_api_gateway_method" "this" {
  #checkov:skip=CKV2_AWS_53:Every path is proxied to the BFF, which validates each request against its OpenAPI and answers problem+json (a gateway validator would answer in its own shape).
  #checkov:skip=CKV_AWS_59:Open methods are the public routes (var.public_routes, checked against the BFF's OpenAPI) and CORS preflights; every other method requires the authorizer or an API key.
  for_each = local.methods

  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = local.resource_ids[each.value.path]
  http_method      = each.value.http_method
  authorization    = each.value.open ? "NONE" : local.guard
  authorizer_id    = each.value.open || var.authorizer == null ? null : aws_api_gateway_authorizer.this[0].id
  api_key_required = each.value.open ? false : var.api_key_required
}

# Every method, preflights included, is a Lambda proxy integration: the BFF answers CORS itself.
resource "aws_api_gateway_integration" "this" {
  for_each = aws_api_gateway_method.this

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = each.value.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
}

moved {
  from = aws_api_gateway_method.this["root"]
  to   = aws_api_gateway_method.this["ANY /"]
}
moved {
  from = aws_api_gateway_method.this["proxy"]
  to   = aws_api_gateway_method.this["ANY /{proxy+}"]
}
moved {
  from = aws_api_gateway_integration.this["root"]
  to   = aws_api_gateway_integration.this["ANY /"]
}
moved {
  from = aws_api_gateway_integration.this["proxy"]
  to   = aws_api_gateway_integration.this["ANY /{proxy+}"]
}

resource "aws_api_gateway_gateway_response" "problem" {
  for_each = local.gateway_responses

  rest_api_id         = aws_api_gateway_rest_api.this.id
  response_type       = each.key
  status_code         = each.value.status_code
  response_templates  = { "application/json" = each.value.template }
  response_parameters = each.value.parameters
}

# A new deployment whenever what it deploys changes; the stage moves to it before the old one goes.
resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # Ids and this module's own inputs, not whole resources: attributes the API reads back differently
  # (the emulator's normalised templates) would redeploy on every apply.
  triggers = {
    redeployment = local.revision
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_158:No environment passes log_kms_key_arn today: CloudWatch Logs encrypts the access log at rest with its own keys, and a customer managed key is a per-root decision (the check would only pass on the variable's null default).
  #checkov:skip=CKV_AWS_338:Retention is chosen per environment through access_log_retention_days (1 day locally); a 1-year floor is a compliance decision for each cloud root, not a module default.
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.access_log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV2_AWS_4:No execution logging: the stage's access log (one JSON line per request, with its request id) and the BFF's own logs say what a failure needs; execution logs at INFO would copy request bodies and tokens.
  #checkov:skip=CKV_AWS_120:Responses are per caller (a user's orders, a partner's prices); a shared stage cache would serve one caller's answer to another.
  #checkov:skip=CKV2_AWS_51:Clients are browsers, apps and partners over public TLS; there is no backend that could check an API Gateway client certificate.
  #checkov:skip=CKV2_AWS_29:WAF is attached by the cloud roots (a web ACL per API), not by this module.
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.tracing_enabled
  tags                 = var.tags

  lifecycle {
    precondition {
      condition     = length(local.unthrottleable) == 0
      error_message = "throttling.methods names methods this API does not declare, or ANY (API Gateway takes no setting for it): ${jsonencode(local.unthrottleable)}; declared: ${jsonencode(local.throttleable)}."
    }
  }

  # One JSON line per request: who called, what the edge decided (authorizer, WAF, error type) and
  # what the BFF answered, with the X-Ray trace to follow it further.
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId            = "$context.requestId"
      xrayTraceId          = "$context.xrayTraceId"
      ip                   = "$context.identity.sourceIp"
      requestTime          = "$context.requestTime"
      httpMethod           = "$context.httpMethod"
      path                 = "$context.path"
      resourcePath         = "$context.resourcePath"
      status               = "$context.status"
      responseLength       = "$context.responseLength"
      latencyMs            = "$context.responseLatency"
      apiKeyId             = "$context.identity.apiKeyId"
      principalId          = "$context.authorizer.principalId"
      authorizerStatus     = "$context.authorizer.status"
      authorizerError      = "$context.authorizer.error"
      authorizerLatencyMs  = "$context.authorizer.latency"
      integrationStatus    = "$context.integration.status"
      integrationError     = "$context.integration.error"
      integrationLatencyMs = "$context.integration.latency"
      wafStatus            = "$context.waf.status"
      wafResponseCode      = "$context.wafResponseCode"
      errorType            = "$context.error.responseType"
      errorMessage         = "$context.error.message"
    })
  }
}

# Stage-wide throttling and per-method overrides ("<METHOD> <path>" of a declared method).
resource "aws_api_gateway_method_settings" "this" {
  #checkov:skip=CKV_AWS_225:Responses are per caller (a user's orders, a partner's prices); a cache would serve one caller's answer to another.
  #checkov:skip=CKV_AWS_308:No cache is enabled, so there is no cache data to encrypt.
  for_each = local.method_settings

  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = each.key

  settings {
    throttling_rate_limit  = each.value.rate_limit
    throttling_burst_limit = each.value.burst_limit
  }
}

# API Gateway may invoke the BFF (its alias, when it has one) from this API's stage only, and the
# authorizer for this API's authorizer only.
resource "aws_lambda_permission" "function" {
  statement_id  = "AllowApiGateway-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = var.function_qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/${var.stage_name}/*/*"
}

resource "aws_lambda_permission" "authorizer" {
  count = var.authorizer == null ? 0 : 1

  statement_id  = "AllowApiGatewayAuthorizer-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.authorizer.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/authorizers/${aws_api_gateway_authorizer.this[0].id}"
}

# One usage plan per tier on this stage. Partner keys are issued outside Terraform
# (devtools.cli.partner_keys) and attached to these plans, so that no key's value enters state or a plan.
resource "aws_api_gateway_usage_plan" "this" {
  for_each = var.usage_plans

  name        = "${var.name}-${each.key}"
  description = "Tier ${each.key} of ${var.name}."
  tags        = merge(var.tags, { tier = each.key })

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.this.stage_name
  }

  throttle_settings {
    rate_limit  = each.value.rate
    burst_limit = each.value.burst
  }

  dynamic "quota_settings" {
    for_each = each.value.quota == null ? [] : [each.value.quota]
    content {
      limit  = quota_settings.value.limit
      period = quota_settings.value.period
      offset = quota_settings.value.offset
    }
  }
}
