# The topology's rules across its modules, planned against a mocked AWS provider. The functions are
# overridden (lambda_app has its own tests, and needs the zips): what is tested is how the platform
# wires them. `terraform test` in this module.

mock_provider "aws" {
  source = "./tests/mocks"
}

override_module {
  target = module.app
  outputs = {
    function_name        = "foyer-dev-orders"
    arn                  = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders"
    invoke_arn           = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders/invocations"
    qualified_invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders/invocations"
    role_arn             = "arn:aws:iam::123456789012:role/foyer-dev-orders"
    role_name            = "foyer-dev-orders"
    log_group_name       = "/aws/lambda/foyer-dev-orders"
    handler              = "services.orders.handler.handler"
    version              = "$LATEST"
    alias_arn            = null
  }
}

override_module {
  target = module.app_layer1
  outputs = {
    function_name        = "foyer-dev-orders"
    arn                  = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders"
    invoke_arn           = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders/invocations"
    qualified_invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders/invocations"
    role_arn             = "arn:aws:iam::123456789012:role/foyer-dev-orders"
    role_name            = "foyer-dev-orders"
    log_group_name       = "/aws/lambda/foyer-dev-orders"
    handler              = "services.orders.handler.handler"
    version              = "$LATEST"
    alias_arn            = null
  }
}

override_module {
  target = module.app_layer2
  outputs = {
    function_name        = "foyer-dev-orders"
    arn                  = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders"
    invoke_arn           = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders/invocations"
    qualified_invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders/invocations"
    role_arn             = "arn:aws:iam::123456789012:role/foyer-dev-orders"
    role_name            = "foyer-dev-orders"
    log_group_name       = "/aws/lambda/foyer-dev-orders"
    handler              = "services.orders.handler.handler"
    version              = "$LATEST"
    alias_arn            = null
  }
}

override_module {
  target = module.consumer_function
  outputs = {
    function_name = "foyer-dev-orders-saga"
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders-saga"
    role_arn      = "arn:aws:iam::123456789012:role/foyer-dev-orders-saga"
    role_name     = "foyer-dev-orders-saga"
    handler       = "services.orders.consumers.handler"
  }
}

override_module {
  target = module.authorizer
  outputs = {
    function_name = "foyer-dev-authorizer"
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-authorizer"
    invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-authorizer/invocations"
    role_arn      = "arn:aws:iam::123456789012:role/foyer-dev-authorizer"
    role_name     = "foyer-dev-authorizer"
    handler       = "bff.authorizer.handler.handler"
  }
}

override_module {
  target = module.scheduled_function
  outputs = {
    function_name = "foyer-dev-orders-reconciler"
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders-reconciler"
    role_arn      = "arn:aws:iam::123456789012:role/foyer-dev-orders-reconciler"
    role_name     = "foyer-dev-orders-reconciler"
    handler       = "services.orders.reconciler.handler"
  }
}

override_module {
  target = module.relay
  outputs = {
    function_name = "foyer-dev-orders-relay"
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders-relay"
    role_arn      = "arn:aws:iam::123456789012:role/foyer-dev-orders-relay"
    role_name     = "foyer-dev-orders-relay"
    handler       = "foyer.events.handler.handler"
  }
}

# Known at plan time, so the runs below can follow the failure queues' ARNs and the schedule rule's.
override_resource {
  target          = aws_sqs_queue.relay_failures
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-relay-failures" }
}

override_resource {
  target          = aws_sqs_queue.schedule_failures
  override_during = plan
  values          = { arn = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-orders-reconciler-failures" }
}

override_resource {
  target          = aws_cloudwatch_event_rule.schedule
  override_during = plan
  values          = { arn = "arn:aws:events:eu-west-1:123456789012:rule/foyer-dev-orders-reconciler" }
}

variables {
  environment          = "dev"
  name_prefix          = "foyer-dev"
  artifacts_dir        = "/opt/foyer/dist"
  payment_provider_url = "https://api.payments.example"
  sender_email         = "orders@foyer.example"
  jwt_issuer           = "https://auth.foyer.example"
  jwks_url             = "https://auth.foyer.example/.well-known/jwks.json"
  order_deadlines      = { resend_after_s = 120, expire_after_s = 1800 }
}

run "every_queue_waits_six_consumer_timeouts" {
  command = plan

  assert {
    condition     = length(module.consumer) > 0 && alltrue([for name, c in module.consumer : c.visibility_timeout_seconds >= 6 * local.consumers[name].timeout])
    error_message = "Every consumer queue's visibility timeout must be at least 6 x its function's timeout."
  }
}

run "no_statement_any_function_gets_holds_a_wildcard_action" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for statements in concat(values(local.own_table_statements), values(local.extra_statements)) : [
        for s in statements : [for a in s.actions : !strcontains(a, "*")]
      ]
    ]))
    error_message = "No role's statement may hold a * action."
  }
}

run "only_the_payments_role_reads_the_provider_key" {
  command = plan

  assert {
    condition     = module.secrets.names == { "payment-provider/api-key" = "foyer-dev/payment-provider/api-key" }
    error_message = "The payment provider's key lives under the environment's prefix."
  }
  assert {
    condition     = length(aws_secretsmanager_secret_version.payment_provider) == 0
    error_message = "Without payment_provider_key no value passes through Terraform state."
  }
}

run "every_domain_service_is_exposed_to_signed_callers" {
  command = plan

  assert {
    condition     = keys(local.service_function_arns) == ["catalog", "inventory", "notifications", "orders", "payments"]
    error_message = "Every services.* app must get an AWS_IAM function URL."
  }
}

run "alarms_and_waf_only_where_asked" {
  command = plan

  assert {
    condition     = length(module.observability) == 0 && length(module.waf) == 0
    error_message = "Without alarms and waf values (local) neither module is created."
  }
}

run "a_cloud_environment_gets_alarms_and_a_web_acl_on_every_stage" {
  command = plan

  variables {
    alarms = { emails = ["platform-oncall@foyer.example"] }
    waf = {
      rate_rules = {
        web     = [{ name = "RatePerIp", limit = 500 }]
        partner = [{ name = "RatePerApiKey", limit = 18000, key_header = "x-api-key" }]
      }
    }
  }

  assert {
    condition     = length(module.observability) == 1 && keys(module.waf) == ["mobile", "partner", "web"]
    error_message = "alarms and waf values create the alarms and one web ACL per API."
  }
  assert {
    condition     = alltrue([for name, waf in module.waf : keys(waf.associated_stages) == [name]])
    error_message = "Each API's stage gets its own web ACL."
  }
}

run "a_partner_waf_limit_below_the_top_tier_is_refused" {
  command = plan

  variables {
    partner_tiers = { gold = { rate = 50, burst = 100 } }
    waf = {
      # 500 requests per 5 minutes per key: 1.7 requests/s, far below gold's 50.
      rate_rules = { partner = [{ name = "RatePerApiKey", limit = 500, key_header = "x-api-key" }] }
    }
  }

  expect_failures = [var.waf]
}

run "the_web_bff_is_told_its_cors_origins" {
  command = plan

  variables {
    cors_origins = ["https://shop.foyer.example", "https://m.foyer.example"]
  }

  assert {
    condition     = local.app_environment["web"]["CORS_ORIGINS"] == "https://shop.foyer.example,https://m.foyer.example" && !contains(keys(local.app_environment["mobile"]), "CORS_ORIGINS")
    error_message = "The web BFF's CORS_ORIGINS comes from the root's cors_origins; no other app gets one."
  }
  assert {
    condition     = local.gateway_origin == "https://shop.foyer.example"
    error_message = "The web API's own answers admit the first origin."
  }
}

run "public_routes_and_the_alias_reach_each_api" {
  command = plan

  variables {
    provisioned_concurrency = { web = 2 }
  }

  assert {
    condition     = jsonencode(local.edge_qualifiers) == jsonencode({ mobile = null, partner = null, web = "live" })
    error_message = "An API invokes its BFF's alias exactly where provisioned concurrency sits on it."
  }
  assert {
    condition     = contains(module.api["web"].routes.open_methods, "GET /products/{sku}") && !contains(module.api["partner"].routes.open_methods, "GET /home")
    error_message = "Each API opens its own BFF's public routes."
  }
}

run "an_unknown_environment_is_refused" {
  command = plan

  variables {
    environment = "production"
  }

  expect_failures = [var.environment]
}

run "a_log_retention_cloudwatch_refuses_is_refused" {
  command = plan

  variables {
    log_retention_days = 10
  }

  expect_failures = [var.log_retention_days]
}

run "provisioned_concurrency_for_an_unknown_app_is_refused" {
  command = plan

  variables {
    provisioned_concurrency = { carts = 2 }
  }

  expect_failures = [output.functions]
}

run "a_negative_provisioned_concurrency_is_refused" {
  command = plan

  variables {
    provisioned_concurrency = { web = -1 }
  }

  expect_failures = [var.provisioned_concurrency]
}

run "memory_per_app_for_an_unknown_app_is_refused" {
  command = plan

  variables {
    memory_size_by_app = { carts = 1024 }
  }

  expect_failures = [output.functions]
}

run "memory_per_app_outside_lambdas_range_is_refused" {
  command = plan

  variables {
    memory_size_by_app = { web = 64 }
  }

  expect_failures = [var.memory_size_by_app]
}

run "every_caller_gets_exactly_its_callees_urls_and_grants" {
  command = plan

  # Known at plan, and different per layer, so a URL from the wrong exposure shows.
  override_resource {
    target          = module.service_exposure.aws_lambda_function_url.this
    override_during = plan
    values          = { function_url = "https://layer0layer0layer0layer0layer0la.lambda-url.eu-west-1.on.aws/" }
  }
  override_resource {
    target          = module.service_exposure_layer1.aws_lambda_function_url.this
    override_during = plan
    values          = { function_url = "https://layer1layer1layer1layer1layer1la.lambda-url.eu-west-1.on.aws/" }
  }

  assert {
    condition     = jsonencode(local.layers) == jsonencode([["catalog", "inventory", "notifications", "payments"], ["orders"], ["mobile", "partner", "web"]])
    error_message = "Callees are declared a layer before their callers: got ${jsonencode(local.layers)}."
  }
  assert {
    condition = alltrue([
      for name, env in merge(local.caller_environment_1, local.caller_environment_2) :
      env.FOYER_SERVICE_URLS == jsonencode({ for callee in local.apps[name].calls : callee => local.service_urls[callee] })
    ])
    error_message = "Each caller's FOYER_SERVICE_URLS holds exactly its callees' function URLs."
  }
  assert {
    condition     = jsonencode([keys(local.caller_environment_1), keys(local.caller_environment_2)]) == jsonencode([["orders"], ["mobile", "partner", "web"]])
    error_message = "Only the apps that call services get FOYER_SERVICE_URLS (a service calling nobody gets none)."
  }
  assert {
    condition = jsonencode(local.service_grants) == jsonencode({
      mobile  = ["catalog", "inventory", "orders", "payments"]
      orders  = ["catalog"]
      partner = ["catalog", "inventory", "orders"]
      web     = ["catalog", "inventory", "orders", "payments"]
    })
    error_message = "Each caller's role may invoke exactly its callees' URLs: got ${jsonencode(local.service_grants)}."
  }
  assert {
    condition     = alltrue([for env in merge(local.caller_environment_1, local.caller_environment_2) : env.FOYER_SIGN_SERVICE_CALLS == "true"])
    error_message = "In the cloud every caller signs its service calls."
  }
}

run "locally_service_calls_are_unsigned" {
  command = plan

  variables {
    environment = "local"
  }

  assert {
    condition     = alltrue([for env in merge(local.caller_environment_1, local.caller_environment_2) : !contains(keys(env), "FOYER_SIGN_SERVICE_CALLS")])
    error_message = "Locally the services take unsigned calls."
  }
}

# The apps map is fixed in main.tf, so a refused call graph is given to the layering module itself.
run "a_call_cycle_is_refused" {
  command = plan

  module {
    source = "../call_layers"
  }

  variables {
    calls = { catalog = [], orders = ["payments"], payments = ["orders"] }
  }

  expect_failures = [var.calls]
}

run "a_chain_deeper_than_three_layers_is_refused" {
  command = plan

  module {
    source = "../call_layers"
  }

  variables {
    calls = { catalog = [], orders = ["catalog"], web = ["orders"], gateway = ["web"] }
  }

  expect_failures = [var.calls]
}

run "relays_take_only_outbox_inserts_and_never_block_a_shard" {
  command = plan

  assert {
    condition = alltrue([
      for m in aws_lambda_event_source_mapping.relay : jsondecode(one(one(m.filter_criteria).filter).pattern) == {
        eventName = ["INSERT"]
        dynamodb  = { NewImage = { pk = { S = [{ prefix = "outbox#" }] } } }
      }
    ]) && length(aws_lambda_event_source_mapping.relay) == 3
    error_message = "Each relay's mapping must pass it only INSERTs of outbox# items (foyer/events/outbox.py)."
  }
  assert {
    condition = alltrue([
      for m in aws_lambda_event_source_mapping.relay :
      m.bisect_batch_on_function_error && m.maximum_retry_attempts > 0 && m.maximum_retry_attempts <= 10 && m.maximum_record_age_in_seconds > 0 && m.maximum_record_age_in_seconds <= 3600
    ])
    error_message = "A failing batch must be bisected, with bounded retries and record age (not -1: forever)."
  }
  assert {
    condition = alltrue([
      for app, m in aws_lambda_event_source_mapping.relay :
      one(one(m.destination_config).on_failure).destination_arn == aws_sqs_queue.relay_failures[app].arn
    ])
    error_message = "A batch the relay gave up on must be recorded in its failure queue."
  }
}

run "a_failed_reconciler_run_is_retried_then_recorded" {
  command = plan

  assert {
    condition = (
      one(aws_cloudwatch_event_target.schedule["orders-reconciler"].retry_policy).maximum_retry_attempts > 0 &&
      one(aws_cloudwatch_event_target.schedule["orders-reconciler"].retry_policy).maximum_event_age_in_seconds <= 300 &&
      one(aws_cloudwatch_event_target.schedule["orders-reconciler"].dead_letter_config).arn == aws_sqs_queue.schedule_failures["orders-reconciler"].arn
    )
    error_message = "The schedule's target must retry a failed delivery, then dead-letter it."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue_policy.schedule_failures["orders-reconciler"].policy).Statement[0].Principal == { Service = "events.amazonaws.com" } && jsondecode(aws_sqs_queue_policy.schedule_failures["orders-reconciler"].policy).Statement[0].Resource == aws_sqs_queue.schedule_failures["orders-reconciler"].arn
    error_message = "EventBridge must be allowed to send to the schedule's DLQ."
  }
}

run "failure_queues_refuse_to_be_a_redrive_target_and_alarm" {
  command = plan

  assert {
    condition = keys(aws_sqs_queue_redrive_allow_policy.failures) == ["inventory-relay", "orders-reconciler", "orders-relay", "payments-relay"] && alltrue([
      for p in aws_sqs_queue_redrive_allow_policy.failures : jsondecode(p.redrive_allow_policy) == { redrivePermission = "denyAll" }
    ])
    error_message = "Every failure queue refuses every source queue."
  }
  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.failures) == keys(aws_sqs_queue_redrive_allow_policy.failures)
    error_message = "Every failure queue alarms on its first message."
  }
}

run "the_emulator_gets_no_redrive_allow_policies" {
  command = plan

  variables {
    sqs_redrive_allow_policies = false
  }

  assert {
    condition     = length(aws_sqs_queue_redrive_allow_policy.failures) == 0
    error_message = "sqs_redrive_allow_policies = false must create none (moto never returns them)."
  }
}

run "an_expiry_within_payments_charge_retries_is_refused" {
  command = plan

  variables {
    order_deadlines = { resend_after_s = 15, expire_after_s = 900 }
  }

  expect_failures = [aws_cloudwatch_event_rule.schedule]
}

run "the_reconciler_gets_the_roots_deadlines" {
  command = plan

  variables {
    order_deadlines = { resend_after_s = 300, expire_after_s = 3600 }
  }

  assert {
    condition     = local.schedules["orders-reconciler"].environment == { ORDER_RESEND_AFTER_S = "300", ORDER_EXPIRE_AFTER_S = "3600" }
    error_message = "The reconciler's deadlines must be the ones the root chose."
  }
}
