# The consumer's rules (visibility timeout, partial batch responses, the DLQ and its alarm, least
# privilege), planned and applied against a mocked AWS provider (no credentials, no network):
# `terraform test` in this module.

mock_provider "aws" {
  source = "./tests/mocks"
}

# The mock gives every queue the same ARN; the DLQ gets its own so the tests can tell them apart.
override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory-dlq"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/foyer-dev-inventory-dlq"
  }
}

variables {
  name             = "foyer-dev-inventory"
  event_bus_name   = "foyer-dev"
  sources          = ["foyer.orders"]
  detail_types     = ["OrderPlaced", "OrderCancelled"]
  function_name    = "foyer-dev-inventory"
  function_timeout = 10
}

run "visibility_below_six_function_timeouts_is_refused" {
  command = plan

  variables {
    visibility_timeout_seconds = 59
  }

  expect_failures = [var.visibility_timeout_seconds]
}

run "visibility_of_exactly_six_function_timeouts_is_accepted" {
  command = plan

  variables {
    visibility_timeout_seconds = 60
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 60
    error_message = "A visibility timeout of 6 x the function timeout is the floor, and must be accepted."
  }
}

run "visibility_defaults_to_six_timeouts_plus_the_batching_window" {
  command = plan

  variables {
    maximum_batching_window_in_seconds = 5
  }

  assert {
    condition     = aws_sqs_queue.this.visibility_timeout_seconds == 65
    error_message = "Without a visibility timeout the queue gets 6 x function_timeout + the batching window."
  }
}

run "batch_size_out_of_range_is_refused" {
  command = plan

  variables {
    batch_size = 0
  }

  expect_failures = [var.batch_size]
}

run "batch_over_ten_without_a_window_is_refused" {
  command = plan

  variables {
    batch_size = 100
  }

  expect_failures = [var.batch_size]
}

run "max_receive_count_out_of_range_is_refused" {
  command = plan

  variables {
    max_receive_count = 1001
  }

  expect_failures = [var.max_receive_count]
}

run "a_name_sqs_or_eventbridge_refuses_is_refused" {
  command = plan

  variables {
    name = "foyer.dev/inventory"
  }

  expect_failures = [var.name]
}

run "a_rule_without_sources_is_refused" {
  command = plan

  variables {
    sources = []
  }

  expect_failures = [var.sources]
}

run "partial_batch_responses_on_and_enabled_by_default" {
  assert {
    condition     = aws_lambda_event_source_mapping.this.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The mapping must report batch item failures (partial batch responses)."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.enabled == true
    error_message = "The mapping is enabled unless the caller says otherwise."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.event_source_arn == "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory"
    error_message = "The mapping must read the consumer's queue, not its DLQ."
  }
  assert {
    condition     = aws_lambda_event_source_mapping.this.batch_size == 10 && aws_lambda_event_source_mapping.this.maximum_batching_window_in_seconds == 0
    error_message = "Default batch: 10 messages, no batching window."
  }
  assert {
    condition     = output.event_source_mapping_uuid == "6f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"
    error_message = "event_source_mapping_uuid must be the mapping's UUID."
  }
}

run "the_local_root_can_create_the_mapping_disabled" {
  variables {
    enabled = false
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this.enabled == false
    error_message = "enabled = false must reach the mapping."
  }
}

run "rule_matches_the_sources_and_detail_types" {
  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.this.event_pattern) == {
      source        = ["foyer.orders"]
      "detail-type" = ["OrderPlaced", "OrderCancelled"]
    }
    error_message = "The rule's pattern must be exactly the given sources and detail types."
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this.event_bus_name == "foyer-dev" && aws_cloudwatch_event_target.this.event_bus_name == "foyer-dev"
    error_message = "Rule and target must be on the environment's bus, not the default one."
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.arn == "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory"
    error_message = "The rule must target the consumer's queue."
  }
}

run "every_detail_type_of_the_sources_when_none_is_named" {
  command = plan

  variables {
    detail_types = []
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.this.event_pattern) == { source = ["foyer.orders"] }
    error_message = "Without detail types the pattern must not carry an empty detail-type list (it would match nothing)."
  }
}

run "dead_letter_queue_redrive_and_encryption" {
  variables {
    max_receive_count = 3
  }

  assert {
    condition = jsondecode(aws_sqs_queue.this.redrive_policy) == {
      deadLetterTargetArn = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory-dlq"
      maxReceiveCount     = 3
    }
    error_message = "The queue must redrive to its DLQ after max_receive_count receives."
  }
  assert {
    condition     = aws_sqs_queue.dlq.message_retention_seconds == 1209600 && aws_sqs_queue.dlq.name == "foyer-dev-inventory-dlq"
    error_message = "The DLQ keeps messages 14 days."
  }
  assert {
    condition     = aws_sqs_queue.this.sqs_managed_sse_enabled && aws_sqs_queue.dlq.sqs_managed_sse_enabled
    error_message = "Both queues are encrypted at rest (SSE-SQS without a customer managed key)."
  }
  assert {
    condition     = aws_cloudwatch_event_target.this.dead_letter_config[0].arn == "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory-dlq"
    error_message = "Events EventBridge cannot deliver must land in the DLQ."
  }
}

run "dlq_alarm_fires_on_any_message" {
  variables {
    alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:foyer-dev-alarms"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq.dimensions == tomap({ QueueName = "foyer-dev-inventory-dlq" })
    error_message = "The alarm must watch the DLQ."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.dlq.namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.dlq.metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.dlq.comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.dlq.threshold == 0
    )
    error_message = "The alarm must fire as soon as the DLQ holds one message."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:foyer-dev-alarms"])
    error_message = "The alarm must notify the given topic."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq.ok_actions == toset(["arn:aws:sns:eu-west-1:123456789012:foyer-dev-alarms"])
    error_message = "The topic must also hear when the DLQ is empty again."
  }
}

run "dlq_alarm_exists_without_a_topic" {
  assert {
    condition     = aws_cloudwatch_metric_alarm.dlq.alarm_name == "foyer-dev-inventory-dlq-not-empty" && length(aws_cloudwatch_metric_alarm.dlq.alarm_actions) == 0
    error_message = "Without a topic the alarm still exists, with no actions."
  }
}

run "queue_policies_admit_only_the_rule" {
  assert {
    condition = jsondecode(aws_sqs_queue.this.policy).Statement == [{
      Sid       = "EventBridgeRuleSends"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory"
      Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:events:eu-west-1:123456789012:rule/foyer-dev/foyer-dev-inventory" } }
    }]
    error_message = "The queue policy must allow exactly sqs:SendMessage, by EventBridge, for this rule."
  }
  assert {
    condition = jsondecode(aws_sqs_queue.dlq.policy).Statement == [{
      Sid       = "EventBridgeRuleSends"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory-dlq"
      Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:events:eu-west-1:123456789012:rule/foyer-dev/foyer-dev-inventory" } }
    }]
    error_message = "The DLQ policy must allow exactly the rule's undeliverable events."
  }
}

run "the_role_gets_its_own_queue_and_no_wildcard" {
  assert {
    condition = output.policy_statements == [{
      sid       = "ConsumeFoyerDevInventory"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = ["arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory"]
    }]
    error_message = "The consumer's role may consume its own queue only."
  }
  assert {
    condition = alltrue(flatten([
      [for s in output.policy_statements : [for a in concat(s.actions, s.resources) : !strcontains(a, "*")]],
      [for p in [aws_sqs_queue.this.policy, aws_sqs_queue.dlq.policy] : !strcontains(p, "*")],
    ]))
    error_message = "No action or resource may be a wildcard, in the role's statements or the queue policies."
  }
}

run "a_customer_managed_key_encrypts_both_queues_and_the_role_may_decrypt" {
  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = aws_sqs_queue.this.kms_master_key_id == var.kms_key_arn && aws_sqs_queue.dlq.kms_master_key_id == var.kms_key_arn
    error_message = "Both queues must use the customer managed key instead of SSE-SQS."
  }
  assert {
    condition = contains(output.policy_statements, {
      sid       = "DecryptFoyerDevInventory"
      actions   = ["kms:Decrypt"]
      resources = ["arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    })
    error_message = "With a customer managed key the consumer needs kms:Decrypt on that key only."
  }
}

run "only_its_own_queue_may_dead_letter_into_the_dlq" {
  assert {
    condition     = aws_sqs_queue_redrive_allow_policy.dlq[0].queue_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/foyer-dev-inventory-dlq"
    error_message = "The redrive allow policy belongs on the DLQ."
  }
  assert {
    condition = jsondecode(aws_sqs_queue_redrive_allow_policy.dlq[0].redrive_allow_policy) == {
      redrivePermission = "byQueue"
      sourceQueueArns   = ["arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory"]
    }
    error_message = "Only the consumer's own queue may use its DLQ."
  }
}

run "the_emulator_gets_no_redrive_allow_policy" {
  command = plan

  variables {
    redrive_allow_policy = false
  }

  assert {
    condition     = length(aws_sqs_queue_redrive_allow_policy.dlq) == 0
    error_message = "redrive_allow_policy = false must create none."
  }
}
