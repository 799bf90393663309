locals {
  # Only the keys the consumer filters on: an empty list would match nothing, an absent key everything.
  event_pattern = merge(
    { source = var.sources },
    length(var.detail_types) == 0 ? {} : { "detail-type" = var.detail_types },
  )

  # Lambda retries a throttled batch within the visibility timeout: six function timeouts, plus the
  # batching window during which received messages already count down (AWS' guidance, and the floor
  # that visibility_timeout_seconds' validation enforces).
  visibility_timeout_seconds = coalesce(
    var.visibility_timeout_seconds,
    6 * var.function_timeout + var.maximum_batching_window_in_seconds,
  )

  # "foyer-dev-inventory" => "FoyerDevInventory": statement ids are alphanumeric, and one function may
  # consume several queues, so each statement carries its consumer's name.
  sid_suffix = replace(title(replace(var.name, "_", "-")), "/[^A-Za-z0-9]/", "")

  # Server-side encryption: SQS-managed keys unless a customer managed key is given.
  sse_managed = var.kms_key_arn == null ? true : null
}

resource "aws_cloudwatch_event_rule" "this" {
  name           = var.name
  description    = "Events for ${var.name}: ${join(", ", concat(var.sources, var.detail_types))}."
  event_bus_name = var.event_bus_name
  event_pattern  = jsonencode(local.event_pattern)
  state          = "ENABLED"
  tags           = var.tags
}

# Standard queues count a message's retention from its first enqueue, also once it is in the DLQ: the
# DLQ keeps the maximum (14 days), so a message never expires there sooner than it could in the queue.
resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = local.sse_managed
  kms_master_key_id         = var.kms_key_arn
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = local.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  sqs_managed_sse_enabled    = local.sse_managed
  kms_master_key_id          = var.kms_key_arn
  tags                       = var.tags
}

# The redrive policies are their own resources rather than queue arguments, so the two queues are
# created in parallel: the AWS provider waits about 25 s after creating each queue (the emulator
# included), and a queue naming its DLQ would have to wait for the DLQ first.
resource "aws_sqs_queue_redrive_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
}

# Only this consumer's queue may use the DLQ, and its messages may be moved back there (redrive).
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
  })
}

# EventBridge may send to the queue only for this rule (aws:SourceArn), and to the DLQ only what the
# rule could not deliver (the target's dead-letter config).
locals {
  rule_sends = {
    Sid       = "EventBridgeRuleSends"
    Effect    = "Allow"
    Principal = { Service = "events.amazonaws.com" }
    Action    = "sqs:SendMessage"
    Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.this.arn } }
  }
}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [merge(local.rule_sends, { Resource = aws_sqs_queue.this.arn })]
  })
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [merge(local.rule_sends, { Resource = aws_sqs_queue.dlq.arn })]
  })
}

resource "aws_cloudwatch_event_target" "this" {
  rule           = aws_cloudwatch_event_rule.this.name
  event_bus_name = var.event_bus_name
  target_id      = "queue"
  arn            = aws_sqs_queue.this.arn

  # An event EventBridge cannot deliver (after its retries for up to 24 h) lands beside the consumer's
  # failures, as the same envelope, so one redrive serves both.
  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }

  # The first matching event must not be refused for want of a policy.
  depends_on = [aws_sqs_queue_policy.this, aws_sqs_queue_policy.dlq]
}

resource "aws_lambda_event_source_mapping" "this" {
  event_source_arn                   = aws_sqs_queue.this.arn
  function_name                      = var.function_name
  enabled                            = var.enabled
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  # The consumer answers {"batchItemFailures": [...]}: only the failed messages are retried.
  function_response_types = ["ReportBatchItemFailures"]

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  tags = var.tags

  # No message is received (and no receive counted) before its DLQ is in place.
  depends_on = [aws_sqs_queue_redrive_policy.this]
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  alarm_name        = "${var.name}-dlq-not-empty"
  alarm_description = "${aws_sqs_queue.dlq.name} holds messages ${var.name} could not process (or EventBridge could not deliver): inspect with `python -m foyer.cli.dlq show`, fix, then redrive."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions        = { QueueName = aws_sqs_queue.dlq.name }
  statistic         = "Maximum"
  period            = 60
  # One minute with any message is enough: nothing lands in a DLQ by accident.
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # SQS publishes no datapoints for a queue that stays empty and idle.
  treat_missing_data = "notBreaching"
  alarm_actions      = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  ok_actions         = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  tags               = var.tags
}
