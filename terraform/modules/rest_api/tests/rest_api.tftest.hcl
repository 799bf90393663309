# The REST API's rules (usage plans that can hold, the authorizer and API keys on every method but the
# public routes, preflights open where browsers call, every gateway answer a problem, the usage plans'
# ids for the key issuing command), planned and applied against a mocked AWS provider (no
# credentials, no network): `terraform test` in this module.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                = "foyer-dev-partner"
  function_name       = "foyer-dev-partner"
  function_invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-partner/invocations"
  api_key_required    = true
  usage_plans = {
    bronze = { rate = 5, burst = 10, quota = { limit = 1000, period = "DAY", offset = 200 } }
    gold   = { rate = 50, burst = 100 }
  }
}

run "a_burst_below_the_rate_is_refused" {
  command = plan

  variables {
    usage_plans = { bronze = { rate = 10, burst = 5 } }
  }

  expect_failures = [var.usage_plans]
}

run "a_negative_quota_is_refused" {
  command = plan

  variables {
    usage_plans = { bronze = { rate = 5, burst = 10, quota = { limit = -1, period = "DAY" } } }
  }

  expect_failures = [var.usage_plans]
}

run "a_quota_period_api_gateway_does_not_know_is_refused" {
  command = plan

  variables {
    usage_plans = { bronze = { rate = 5, burst = 10, quota = { limit = 10, period = "HOUR" } } }
  }

  expect_failures = [var.usage_plans]
}

run "a_quota_offset_beyond_its_limit_is_refused" {
  command = plan

  variables {
    usage_plans = { bronze = { rate = 5, burst = 10, quota = { limit = 10, period = "DAY", offset = 11 } } }
  }

  expect_failures = [var.usage_plans]
}

run "partner_methods_require_a_key_under_a_usage_plan_per_tier" {
  command = apply

  assert {
    condition     = alltrue([for m in aws_api_gateway_method.this : m.api_key_required && m.authorization == "NONE"])
    error_message = "Both the root and the proxy method must require an API key, with no authorizer."
  }

  assert {
    condition     = length(aws_api_gateway_authorizer.this) == 0 && length(aws_lambda_permission.authorizer) == 0
    error_message = "A partner API has no authorizer."
  }

  assert {
    condition     = output.usage_plans["gold"].id == aws_api_gateway_usage_plan.this["gold"].id && output.usage_plans["bronze"].name == "foyer-dev-partner-bronze"
    error_message = "The usage plans' ids and names are output: partner keys are attached to them outside Terraform."
  }

  assert {
    condition     = aws_api_gateway_usage_plan.this["bronze"].throttle_settings[0].burst_limit == 10 && aws_api_gateway_usage_plan.this["bronze"].quota_settings[0].limit == 1000 && aws_api_gateway_usage_plan.this["bronze"].quota_settings[0].offset == 200
    error_message = "The bronze plan must carry its burst and quota (with its offset)."
  }

  assert {
    condition     = length(aws_api_gateway_usage_plan.this["gold"].quota_settings) == 0
    error_message = "A plan without a quota gets no quota settings."
  }

  assert {
    condition     = aws_lambda_permission.function.source_arn == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/*/*"
    error_message = "API Gateway may invoke the BFF from this API's stage only."
  }

  assert {
    condition     = aws_api_gateway_integration.this["ANY /{proxy+}"].type == "AWS_PROXY" && aws_api_gateway_integration.this["ANY /"].uri == var.function_invoke_arn
    error_message = "Every method is a Lambda proxy integration to the BFF."
  }
}

run "web_and_mobile_methods_require_the_authorizer" {
  command = apply

  variables {
    name             = "foyer-dev-web"
    api_key_required = false
    usage_plans      = {}
    authorizer = {
      function_name = "foyer-dev-authorizer"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-authorizer/invocations"
    }
  }

  assert {
    condition     = alltrue([for m in aws_api_gateway_method.this : m.authorization == "CUSTOM" && m.authorizer_id == aws_api_gateway_authorizer.this[0].id && !m.api_key_required])
    error_message = "Both methods must require the authorizer and no API key."
  }

  assert {
    condition     = aws_api_gateway_authorizer.this[0].identity_source == "method.request.header.Authorization" && aws_api_gateway_authorizer.this[0].authorizer_result_ttl_in_seconds == 300
    error_message = "The authorizer reads the Authorization header and its policy is cached per token."
  }

  assert {
    condition     = aws_lambda_permission.authorizer[0].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/authorizers/auth01"
    error_message = "API Gateway may invoke the authorizer for this API's authorizer only."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.problem["UNAUTHORIZED"].response_parameters["gatewayresponse.header.WWW-Authenticate"] != null
    error_message = "The edge's 401 carries WWW-Authenticate."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.problem["AUTHORIZER_FAILURE"].status_code == "503" && aws_api_gateway_gateway_response.problem["AUTHORIZER_FAILURE"].response_parameters["gatewayresponse.header.Retry-After"] == "'5'"
    error_message = "An authorizer that fails (its issuer unreachable) is a 503 with Retry-After, not API Gateway's 500."
  }
}

run "public_routes_are_open_and_every_other_method_is_guarded" {
  command = apply

  variables {
    name             = "foyer-dev-web"
    api_key_required = false
    usage_plans      = {}
    authorizer = {
      function_name = "foyer-dev-authorizer"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-authorizer/invocations"
    }
    public_routes = {
      "/health"                         = ["GET"]
      "/home"                           = ["GET"]
      "/categories/{category}/products" = ["GET"]
      "/docs/oauth2-redirect"           = ["GET"]
    }
    cors_allow_origin = "https://shop.example"
  }

  assert {
    condition     = alltrue([for key in ["GET /health", "GET /home", "GET /categories/{category}/products", "GET /docs/oauth2-redirect"] : aws_api_gateway_method.this[key].authorization == "NONE" && aws_api_gateway_method.this[key].authorizer_id == null])
    error_message = "A public route needs no token at the gateway."
  }

  assert {
    condition     = alltrue([for path in ["/", "/{proxy+}", "/health", "/home", "/categories", "/categories/{category}", "/categories/{category}/products", "/docs", "/docs/oauth2-redirect"] : aws_api_gateway_method.this["ANY ${path}"].authorization == "CUSTOM"])
    error_message = "Every resource's other methods still require the authorizer (API Gateway does not fall back to the proxy)."
  }

  assert {
    condition     = alltrue([for path in ["/", "/{proxy+}", "/health", "/home", "/categories", "/categories/{category}", "/categories/{category}/products", "/docs", "/docs/oauth2-redirect"] : aws_api_gateway_method.this["OPTIONS ${path}"].authorization == "NONE" && aws_api_gateway_integration.this["OPTIONS ${path}"].type == "AWS_PROXY"])
    error_message = "A browser's preflight (no Authorization) reaches the BFF, which answers CORS, on every resource."
  }

  assert {
    condition     = length(aws_api_gateway_method.this) == 9 * 2 + 4
    error_message = "ANY and OPTIONS on each of the 9 resources, and the 4 public routes: nothing else."
  }

  assert {
    condition     = aws_api_gateway_resource.depth3["/categories/{category}/products"].path_part == "products" && aws_api_gateway_resource.depth2["/categories/{category}"].path_part == "{category}" && aws_api_gateway_resource.depth1["/categories"].parent_id == "r00tid0001"
    error_message = "A public route's resources are built segment by segment from the root."
  }

  assert {
    condition     = jsonencode(output.routes.open_methods) == jsonencode(sort(concat(["GET /categories/{category}/products", "GET /docs/oauth2-redirect", "GET /health", "GET /home"], [for path in ["/", "/{proxy+}", "/health", "/home", "/categories", "/categories/{category}", "/categories/{category}/products", "/docs", "/docs/oauth2-redirect"] : "OPTIONS ${path}"])))
    error_message = "The routes output names exactly the open methods."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_gateway_response.problem : response.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == "'https://shop.example'" && response.response_parameters["gatewayresponse.header.Vary"] == "'Origin'"])
    error_message = "The gateway's own answers (401, 403, 429, 5xx) admit the allowed origin, so a browser can read them."
  }

  assert {
    condition     = aws_api_gateway_authorizer.this[0].identity_validation_expression == "^Bearer [-0-9A-Za-z._~+/]+=*$"
    error_message = "A header that is not a bearer token is refused before the authorizer runs."
  }
}

run "a_new_gateway_answer_is_a_new_deployment" {
  command = plan

  # The previous web API's values, but for the origin its gateway responses carry.
  variables {
    name             = "foyer-dev-web"
    api_key_required = false
    usage_plans      = {}
    authorizer = {
      function_name = "foyer-dev-authorizer"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-authorizer/invocations"
    }
    public_routes = {
      "/health"                         = ["GET"]
      "/home"                           = ["GET"]
      "/categories/{category}/products" = ["GET"]
      "/docs/oauth2-redirect"           = ["GET"]
    }
    cors_allow_origin = "https://other.example"
  }

  assert {
    condition     = output.revision != run.public_routes_are_open_and_every_other_method_is_guarded.revision
    error_message = "Changing a gateway response must redeploy the stage."
  }
}

run "every_gateway_answer_is_a_problem_with_the_correlation_id" {
  command = plan

  assert {
    condition = length(setsubtract([
      "DEFAULT_4XX", "DEFAULT_5XX", "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR",
      "AUTHORIZER_FAILURE", "BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS", "EXPIRED_TOKEN", "INTEGRATION_FAILURE",
      "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE", "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED",
      "RESOURCE_NOT_FOUND", "THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
    ], keys(aws_api_gateway_gateway_response.problem))) == 0
    error_message = "Every customisable gateway response type is declared."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_gateway_response.problem : response.response_parameters["gatewayresponse.header.Content-Type"] == "'application/problem+json'" && strcontains(response.response_templates["application/json"], "\"correlation_id\":\"$context.requestId\"") && strcontains(response.response_templates["application/json"], "\"detail\":$context.error.messageString")])
    error_message = "Every gateway answer is problem+json naming its correlation id (API Gateway's request id)."
  }

  assert {
    condition     = alltrue([for response in aws_api_gateway_gateway_response.problem : can(jsondecode(replace(replace(response.response_templates["application/json"], "$context.error.messageString", "\"x\""), "$context.requestId", "x")))])
    error_message = "Every template is valid JSON once API Gateway fills in its variables."
  }

  assert {
    condition     = aws_api_gateway_gateway_response.problem["DEFAULT_4XX"].status_code == null && aws_api_gateway_gateway_response.problem["INTEGRATION_TIMEOUT"].status_code == "504"
    error_message = "The defaults keep each type's own status; specific types state theirs."
  }

  assert {
    condition     = alltrue([for name in ["integrationStatus", "integrationError", "integrationLatencyMs", "authorizerError", "wafStatus", "wafResponseCode", "xrayTraceId"] : contains(keys(jsondecode(aws_api_gateway_stage.this.access_log_settings[0].format)), name)])
    error_message = "The access log says what the integration, the authorizer and WAF did, with the X-Ray trace id."
  }
}

run "an_alias_is_what_api_gateway_invokes_and_may_invoke" {
  command = apply

  variables {
    function_invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-partner:live/invocations"
    function_qualifier  = "live"
  }

  assert {
    condition     = alltrue([for integration in aws_api_gateway_integration.this : endswith(integration.uri, ":function:foyer-dev-partner:live/invocations")])
    error_message = "Every integration invokes the alias (where provisioned concurrency sits)."
  }

  assert {
    condition     = aws_lambda_permission.function.qualifier == "live"
    error_message = "The permission is on the alias the integrations invoke."
  }
}

run "throttling_is_set_for_the_stage_and_per_method" {
  command = apply

  variables {
    public_routes = { "/health" = ["GET"] }
    throttling = {
      rate_limit  = 100
      burst_limit = 200
      methods     = { "GET /health" = { rate_limit = 10, burst_limit = 20 } }
    }
  }

  assert {
    condition     = aws_api_gateway_method_settings.this["*/*"].settings[0].throttling_rate_limit == 100 && aws_api_gateway_method_settings.this["~1health/GET"].settings[0].throttling_burst_limit == 20
    error_message = "The stage's default and the per-method limit are both set."
  }

  assert {
    condition     = aws_api_gateway_method.this["GET /health"].api_key_required == false && aws_api_gateway_method.this["ANY /health"].api_key_required == true
    error_message = "A partner API's public route needs no key; its other methods do."
  }
}

run "throttling_an_undeclared_method_is_refused" {
  command = plan

  variables {
    throttling = {
      rate_limit  = 100
      burst_limit = 200
      methods     = { "POST /checkout" = { rate_limit = 10, burst_limit = 20 } }
    }
  }

  expect_failures = [aws_api_gateway_stage.this]
}

run "throttling_an_any_method_is_refused" {
  command = plan

  variables {
    throttling = {
      rate_limit  = 100
      burst_limit = 200
      methods     = { "ANY /{proxy+}" = { rate_limit = 10, burst_limit = 20 } }
    }
  }

  expect_failures = [aws_api_gateway_stage.this]
}

run "a_greedy_public_route_is_refused" {
  command = plan

  variables {
    public_routes = { "/{proxy+}" = ["GET"] }
  }

  expect_failures = [var.public_routes]
}
