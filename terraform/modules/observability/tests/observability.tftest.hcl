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

run "each_function_has_an_error_rate_and_a_throttles_alarm" {
  command = plan

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.rate) == ["catalog-error-rate", "web-5xx-rate", "web-error-rate"] && [for k in keys(aws_cloudwatch_metric_alarm.this) : k if endswith(k, "-throttles")] == ["catalog-throttles", "web-throttles"]
    error_message = "Every function needs an error-rate alarm and a throttles alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["web-throttles"].metric_name == "Throttles" && aws_cloudwatch_metric_alarm.this["web-throttles"].dimensions.FunctionName == "foyer-prod-web"
    error_message = "The throttles alarm must watch its function's Throttles."
  }
}

run "errors_alarm_on_their_share_of_the_invocations_not_on_one" {
  command = plan

  assert {
    condition = toset([
      for q in aws_cloudwatch_metric_alarm.rate["web-error-rate"].metric_query : q.metric[0].metric_name if length(q.metric) > 0
    ]) == toset(["Errors", "Invocations"])
    error_message = "A function's errors alarm must divide its Errors by its Invocations."
  }
  assert {
    condition = [
      for q in aws_cloudwatch_metric_alarm.rate["web-error-rate"].metric_query : q.expression if q.return_data == true
    ] == ["IF(total >= 10, 100 * failures / total, 0)"]
    error_message = "The alarm must evaluate the failure percentage, and only over at least error_rate_min_requests invocations."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.rate["web-error-rate"].threshold == 5 && aws_cloudwatch_metric_alarm.rate["web-error-rate"].metric_name == null
    error_message = "The alarm must be raised at error_rate_percent on the expression, not on one metric."
  }
}

run "each_api_stage_has_a_5xx_rate_and_a_p99_alarm" {
  command = plan

  assert {
    condition = toset([
      for q in aws_cloudwatch_metric_alarm.rate["web-5xx-rate"].metric_query : q.metric[0].metric_name if length(q.metric) > 0
    ]) == toset(["5XXError", "Count"])
    error_message = "The 5XX alarm must divide the stage's 5XXError by its Count."
  }
  assert {
    condition = alltrue([
      for q in aws_cloudwatch_metric_alarm.rate["web-5xx-rate"].metric_query : q.metric[0].dimensions["ApiName"] == "foyer-prod-web" && q.metric[0].dimensions["Stage"] == "prod" if length(q.metric) > 0
    ])
    error_message = "The 5XX rate must be the stage's."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["web-p99-latency"].extended_statistic == "p99" && aws_cloudwatch_metric_alarm.this["web-p99-latency"].threshold == 800
    error_message = "The latency alarm must watch p99 against p99_latency_ms."
  }
}

run "each_stream_function_alarms_on_its_iterator_age" {
  command = plan

  variables {
    stream_function_names = { orders-relay = "foyer-prod-orders-relay" }
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["orders-relay-iterator-age"].metric_name == "IteratorAge" && aws_cloudwatch_metric_alarm.this["orders-relay-iterator-age"].statistic == "Maximum" && aws_cloudwatch_metric_alarm.this["orders-relay-iterator-age"].threshold == 300000
    error_message = "A stream function must alarm when its oldest unprocessed record is iterator_age_threshold_seconds old (IteratorAge is in ms)."
  }
}

run "an_error_rate_above_100_percent_is_refused" {
  command = plan

  variables {
    error_rate_percent = 101
  }

  expect_failures = [var.error_rate_percent]
}

run "any_dlq_message_and_any_stuck_order_alarm" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["inventory-stock-dlq-message"].threshold == 1 && aws_cloudwatch_metric_alarm.this["inventory-stock-dlq-message"].dimensions.QueueName == "foyer-prod-inventory-stock-dlq"
    error_message = "One message in a DLQ must raise its alarm."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.this) + length(aws_cloudwatch_metric_alarm.rate) == 8
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
      for a in concat(values(aws_cloudwatch_metric_alarm.this), values(aws_cloudwatch_metric_alarm.rate)) : a.alarm_actions == toset([aws_sns_topic.alarms.arn])
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
