# Every alarm the platform needs exists and notifies the topic; the dashboard shows the same metrics;
# refused values. Against a mocked AWS provider: `terraform test` in this module.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name               = "foyer-prod"
  function_names     = { catalog = "foyer-prod-catalog", web = "foyer-prod-web" }
  dead_letter_queues = { "inventory-stock" = "foyer-prod-inventory-stock-dlq" }
  apis               = { web = { api_name = "foyer-prod-web", stage_name = "prod" } }
  p99_latency_ms     = 800
}

run "each_function_has_an_errors_and_a_throttles_alarm" {
  command = plan

  assert {
    condition     = [for k in keys(aws_cloudwatch_metric_alarm.this) : k if can(regex("-(errors|throttles)$", k))] == ["catalog-errors", "catalog-throttles", "web-errors", "web-throttles"]
    error_message = "Every function needs an errors alarm and a throttles alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["web-throttles"].metric_name == "Throttles" && aws_cloudwatch_metric_alarm.this["web-throttles"].dimensions.FunctionName == "foyer-prod-web"
    error_message = "The throttles alarm must watch its function's Throttles."
  }
}

run "each_api_stage_has_a_5xx_and_a_p99_alarm" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["web-5xx"].metric_name == "5XXError" && aws_cloudwatch_metric_alarm.this["web-5xx"].dimensions.ApiName == "foyer-prod-web" && aws_cloudwatch_metric_alarm.this["web-5xx"].dimensions.Stage == "prod"
    error_message = "The 5XX alarm must watch the stage's 5XXError."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["web-p99-latency"].extended_statistic == "p99" && aws_cloudwatch_metric_alarm.this["web-p99-latency"].threshold == 800
    error_message = "The latency alarm must watch p99 against p99_latency_ms."
  }
}

run "any_dlq_message_and_any_stuck_order_alarm" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["inventory-stock-dlq-message"].threshold == 1 && aws_cloudwatch_metric_alarm.this["inventory-stock-dlq-message"].dimensions.QueueName == "foyer-prod-inventory-stock-dlq"
    error_message = "One message in a DLQ must raise its alarm."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) == 8
    error_message = "2 functions x 2, 1 stage x 2, 1 DLQ and the stuck orders: 8 alarms."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["stuck-orders"].namespace == "Foyer" && aws_cloudwatch_metric_alarm.this["stuck-orders"].metric_name == "StuckOrders"
    error_message = "The reconciler's StuckOrders metric must be watched by default."
  }
}

run "every_alarm_notifies_the_topic_which_cloudwatch_may_use" {
  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this : a.alarm_actions == toset([aws_sns_topic.alarms.arn])
    ])
    error_message = "Every alarm must notify the alarm topic."
  }
  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == aws_kms_key.alarms.arn
    error_message = "The topic must use the module's key (CloudWatch cannot use aws/sns)."
  }
  assert {
    condition     = contains([for s in jsondecode(aws_kms_key.alarms.policy).Statement : s.Principal], { Service = "cloudwatch.amazonaws.com" })
    error_message = "CloudWatch must be allowed to use the topic's key."
  }
}

run "the_dashboard_shows_functions_apis_dlqs_and_stuck_orders" {
  command = plan

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 7
    error_message = "Three Lambda widgets, two API widgets, the DLQs and the stuck orders."
  }
}

run "dlqs_alarmed_elsewhere_are_only_on_the_dashboard" {
  command = plan

  variables {
    dlq_alarms = false
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "inventory-stock-dlq-message") && strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "foyer-prod-inventory-stock-dlq")
    error_message = "dlq_alarms = false must create no DLQ alarm but keep the queues on the dashboard."
  }
}

run "no_stuck_orders_alarm_when_disabled" {
  command = plan

  variables {
    stuck_orders_metric = null
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "stuck-orders")
    error_message = "stuck_orders_metric = null must create no such alarm."
  }
}

run "a_latency_above_api_gateways_timeout_is_refused" {
  command = plan

  variables {
    p99_latency_ms = 30000
  }

  expect_failures = [var.p99_latency_ms]
}

run "a_period_cloudwatch_does_not_take_is_refused" {
  command = plan

  variables {
    period_seconds = 90
  }

  expect_failures = [var.period_seconds]
}

run "a_queue_url_instead_of_a_name_is_refused" {
  command = plan

  variables {
    dead_letter_queues = { x = "https://sqs.eu-west-1.amazonaws.com/123456789012/foyer-prod-x-dlq" }
  }

  expect_failures = [var.dead_letter_queues]
}
