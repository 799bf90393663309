# The web ACL's rules (managed groups, rate rules per IP or per API key answering 429, logging, one
# association per stage, refused values),
# planned and applied against a mocked AWS provider: `terraform test` in this module.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "foyer-prod-api"
  stage_arns = {
    web     = "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod"
    partner = "arn:aws:apigateway:eu-west-1::/restapis/f6g7h8i9j0/stages/prod"
  }
  rate_rules = [
    { name = "RatePerApiKey", limit = 18000, key_header = "x-api-key" },
    { name = "RatePerIp", limit = 30000, window_seconds = 300 },
  ]
  cors_allow_origin = "https://shop.example"
}

run "every_stage_is_associated_with_the_web_acl" {
  assert {
    condition     = keys(aws_wafv2_web_acl_association.this) == ["partner", "web"]
    error_message = "Every stage must get an association."
  }
  assert {
    condition     = alltrue([for stage, a in aws_wafv2_web_acl_association.this : a.resource_arn == var.stage_arns[stage] && a.web_acl_arn == aws_wafv2_web_acl.this.arn])
    error_message = "Each association must tie its stage to this web ACL."
  }
}

run "the_three_managed_groups_and_the_rate_rule_are_in_order" {
  command = plan

  assert {
    condition = { for r in aws_wafv2_web_acl.this.rule : r.name => r.priority } == {
      AWSManagedRulesAmazonIpReputationList = 10, AWSManagedRulesCommonRuleSet = 20,
      AWSManagedRulesKnownBadInputsRuleSet  = 30, RatePerApiKey = 40, RatePerIp = 41,
    }
    error_message = "The IP reputation, common and known bad inputs groups come first, then the rate rules in their order."
  }
  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].rate_based_statement[0].limit if r.name == "RatePerIp"]) == 30000
    error_message = "A rate rule uses its own limit."
  }
  assert {
    condition     = aws_wafv2_web_acl.this.scope == "REGIONAL"
    error_message = "API Gateway stages take a regional web ACL."
  }
}

run "every_verdict_is_logged_with_credentials_redacted" {
  assert {
    condition     = one(aws_wafv2_web_acl_logging_configuration.this.log_destination_configs) == aws_cloudwatch_log_group.this.arn
    error_message = "The web ACL must log to its log group."
  }
  assert {
    condition     = startswith(aws_cloudwatch_log_group.this.name, "aws-waf-logs-")
    error_message = "WAF only writes to log groups named aws-waf-logs-*."
  }
  assert {
    condition     = length(aws_wafv2_web_acl_logging_configuration.this.redacted_fields) == 2
    error_message = "Authorization and x-api-key headers must be redacted."
  }
}

run "a_partner_is_counted_per_api_key_not_per_ip" {
  command = plan

  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].rate_based_statement[0].aggregate_key_type if r.name == "RatePerApiKey"]) == "CUSTOM_KEYS" && one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].rate_based_statement[0].custom_key[0].header[0].name if r.name == "RatePerApiKey"]) == "x-api-key"
    error_message = "A rule with key_header counts each value of that header (each partner's key), not each IP."
  }
  assert {
    condition     = one([for r in aws_wafv2_web_acl.this.rule : r.statement[0].rate_based_statement[0].aggregate_key_type if r.name == "RatePerIp"]) == "IP"
    error_message = "A rule without key_header counts per IP."
  }
}

run "a_rate_block_is_a_429_problem_with_retry_after" {
  command = plan

  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.this.rule : r.action[0].block[0].custom_response[0].response_code == 429 && r.action[0].block[0].custom_response[0].custom_response_body_key == "too-many-requests"
      if startswith(r.name, "Rate")
    ])
    error_message = "A rate block answers 429 with the problem body, not WAF's plain 403."
  }
  assert {
    condition = alltrue([
      for r in aws_wafv2_web_acl.this.rule : contains([for h in r.action[0].block[0].custom_response[0].response_header : "${h.name}: ${h.value}"], "Retry-After: 300") && contains([for h in r.action[0].block[0].custom_response[0].response_header : "${h.name}: ${h.value}"], "Access-Control-Allow-Origin: https://shop.example")
      if startswith(r.name, "Rate")
    ])
    error_message = "A rate block says when to retry (the window) and lets the allowed origin read it."
  }
  assert {
    condition     = one([for b in aws_wafv2_web_acl.this.custom_response_body : jsondecode(b.content).status if b.key == "too-many-requests"]) == 429 && one([for b in aws_wafv2_web_acl.this.custom_response_body : b.content_type if b.key == "too-many-requests"]) == "APPLICATION_JSON"
    error_message = "The 429's body is a JSON problem."
  }
}

run "a_rate_limit_below_wafs_floor_is_refused" {
  command = plan

  variables {
    rate_rules = [{ name = "RatePerIp", limit = 5 }]
  }

  expect_failures = [var.rate_rules]
}

run "a_window_waf_does_not_offer_is_refused" {
  command = plan

  variables {
    rate_rules = [{ name = "RatePerIp", limit = 500, window_seconds = 90 }]
  }

  expect_failures = [var.rate_rules]
}

run "a_stage_arn_that_is_not_a_stage_is_refused" {
  command = plan

  variables {
    stage_arns = { web = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-prod-web" }
  }

  expect_failures = [var.stage_arns]
}

run "a_log_retention_cloudwatch_refuses_is_refused" {
  command = plan

  variables {
    log_retention_days = 10
  }

  expect_failures = [var.log_retention_days]
}
