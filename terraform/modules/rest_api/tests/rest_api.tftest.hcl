# The REST API's rules (usage plans that can hold, the authorizer and API keys on every method, the
# usage plans' ids for the key issuing command), planned and applied against a mocked AWS
# provider (no credentials, no network): `terraform test` in this module.

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
    condition     = aws_lambda_permission.function.source_arn == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/*"
    error_message = "API Gateway may invoke the BFF from this API only."
  }

  assert {
    condition     = aws_api_gateway_integration.this["proxy"].type == "AWS_PROXY" && aws_api_gateway_integration.this["root"].uri == var.function_invoke_arn
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
