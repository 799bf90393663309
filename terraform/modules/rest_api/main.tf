locals {
  authorization = var.authorizer == null ? "NONE" : "CUSTOM"

  # What the edge answers itself (no Lambda ran), as RFC 9457 problems like every answer of ours.
  # API Gateway cannot compute a quota period's end: QUOTA_EXCEEDED says to come back in an hour.
  gateway_problems = {
    UNAUTHORIZED    = { status = 401, title = "Unauthorized", headers = { "WWW-Authenticate" = "'Bearer realm=\"foyer\"'" } }
    ACCESS_DENIED   = { status = 403, title = "Forbidden", headers = {} }
    INVALID_API_KEY = { status = 403, title = "Forbidden", headers = {} }
    THROTTLED       = { status = 429, title = "Too Many Requests", headers = { "Retry-After" = "'1'" } }
    QUOTA_EXCEEDED  = { status = 429, title = "Too Many Requests", headers = { "Retry-After" = "'3600'" } }
    # The authorizer failed (the issuer's JWKS unreachable): the token may be fine, so not a 401.
    AUTHORIZER_FAILURE = { status = 503, title = "Service Unavailable", headers = { "Retry-After" = "'5'" } }
  }
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

resource "aws_api_gateway_authorizer" "this" {
  count = var.authorizer == null ? 0 : 1

  name                             = "${var.name}-jwt"
  rest_api_id                      = aws_api_gateway_rest_api.this.id
  type                             = "TOKEN"
  authorizer_uri                   = var.authorizer.invoke_arn
  identity_source                  = "method.request.header.Authorization"
  authorizer_result_ttl_in_seconds = var.authorizer.result_ttl_seconds
}

resource "aws_api_gateway_method" "this" {
  #checkov:skip=CKV2_AWS_53:Every path is proxied to the BFF, which validates each request against its OpenAPI and answers problem+json (a gateway validator would answer in its own shape).
  for_each = {
    root  = aws_api_gateway_rest_api.this.root_resource_id
    proxy = aws_api_gateway_resource.proxy.id
  }

  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = each.value
  http_method      = "ANY"
  authorization    = local.authorization
  authorizer_id    = var.authorizer == null ? null : aws_api_gateway_authorizer.this[0].id
  api_key_required = var.api_key_required
}

resource "aws_api_gateway_integration" "this" {
  for_each = aws_api_gateway_method.this

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = each.value.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.function_invoke_arn
}

resource "aws_api_gateway_gateway_response" "problem" {
  for_each = local.gateway_problems

  rest_api_id   = aws_api_gateway_rest_api.this.id
  response_type = each.key
  status_code   = tostring(each.value.status)

  # $context.error.messageString is already a quoted JSON string.
  response_templates = {
    "application/json" = format(
      "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%d,\"detail\":$context.error.messageString}",
      each.value.title, each.value.status,
    )
  }
  response_parameters = merge(
    { "gatewayresponse.header.Content-Type" = "'application/problem+json'" },
    { for name, value in each.value.headers : "gatewayresponse.header.${name}" => value },
  )
}

# A new deployment whenever what it deploys changes; the stage moves to it before the old one goes.
resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # Ids and this module's own inputs, not whole resources: attributes the API reads back differently
  # (the emulator's normalised templates) would redeploy on every apply.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.proxy.id,
      [for method in aws_api_gateway_method.this : method.id],
      [for integration in aws_api_gateway_integration.this : integration.id],
      [for authorizer in aws_api_gateway_authorizer.this : authorizer.id],
      var.function_invoke_arn,
      var.authorizer,
      var.api_key_required,
      local.gateway_problems,
    ]))
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
  #checkov:skip=CKV2_AWS_29:WAF is attached by the cloud roots (one web ACL per environment), not per API.
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = var.tracing_enabled
  tags                 = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTime"
      httpMethod     = "$context.httpMethod"
      path           = "$context.path"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latencyMs      = "$context.responseLatency"
      apiKeyId       = "$context.identity.apiKeyId"
      principalId    = "$context.authorizer.principalId"
      errorType      = "$context.error.responseType"
    })
  }
}

# API Gateway may invoke the BFF and the authorizer for this API only.
resource "aws_lambda_permission" "function" {
  statement_id  = "AllowApiGateway-${var.name}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.this.execution_arn}/*/*"
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
# (foyer.cli.partner_keys) and attached to these plans, so that no key's value enters state or a plan.
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
