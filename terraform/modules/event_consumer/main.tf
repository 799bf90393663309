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

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # Built from the names, so each queue's policy can name the queue itself and go with CreateQueue, and
  # the consumer's role statement is known at plan time: its function need not wait for the queues.
  queue_arn_prefix = "arn:${data.aws_partition.current.partition}:sqs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  queue_name       = var.name
  queue_arn        = "${local.queue_arn_prefix}:${local.queue_name}"
  dlq_name         = "${var.name}-dlq"

  # EventBridge may send to the queue only for this rule (aws:SourceArn), and to the DLQ only what the
  # rule could not deliver (the target's dead-letter config).
  rule_may_send = {
    for name in [local.queue_name, local.dlq_name] : name => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "EventBridgeRuleSends"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = "${local.queue_arn_prefix}:${name}"
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.this.arn } }
      }]
    })
  }
}

# Policies and the redrive policy are queue arguments, sent with CreateQueue, not separate
# aws_sqs_queue_policy / aws_sqs_queue_redrive_policy resources: the emulator (moto 5.2.5) drops a
# queue's Policy on every SetQueueAttributes that does not repeat it, so two such resources on one
# queue undo each other and the provider waits out its 2-minute propagation timeout; each
# separate resource would also add the provider's ~25 s propagation wait. The DLQ's redrive allow
# policy is the one separate resource, and only where redrive_allow_policy is set: moto never returns
# RedriveAllowPolicy, so against the emulator the provider would wait for it forever.

# Standard queues count a message's retention from its first enqueue, also once it is in the DLQ: the
# DLQ keeps the maximum (14 days), so a message never expires there sooner than it could in the queue.
resource "aws_sqs_queue" "dlq" {
  name                      = local.dlq_name
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = local.sse_managed
  kms_master_key_id         = var.kms_key_arn
  policy                    = local.rule_may_send[local.dlq_name]
  tags                      = var.tags

  lifecycle {
    postcondition {
      condition     = self.arn == "${local.queue_arn_prefix}:${local.dlq_name}"
      error_message = "The DLQ's ARN ${self.arn} is not the one its policy names (${local.queue_arn_prefix}:${local.dlq_name})."
    }
  }
}

resource "aws_sqs_queue" "this" {
  name                       = local.queue_name
  visibility_timeout_seconds = local.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  sqs_managed_sse_enabled    = local.sse_managed
  kms_master_key_id          = var.kms_key_arn
  policy                     = local.rule_may_send[local.queue_name]
  # SQS refuses a redrive policy naming a queue that does not exist yet: the DLQ is created first.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags

  lifecycle {
    # The queue policy and the role statement name the ARN built from the name: it must be the real one.
    postcondition {
      condition     = self.arn == local.queue_arn
      error_message = "The queue's ARN ${self.arn} is not the one its policy and the role's statement name (${local.queue_arn})."
    }
  }
}

# Only this consumer's queue may use the DLQ: without a redrive allow policy SQS lets any queue of the
# account dead-letter into it (`allowAll`), mixing another consumer's failures into this one's redrive.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  count = var.redrive_allow_policy ? 1 : 0

  queue_url = aws_sqs_queue.dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this.arn]
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
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  alarm_name        = "${var.name}-dlq-not-empty"
  alarm_description = "${aws_sqs_queue.dlq.name} holds messages ${var.name} could not process (or EventBridge could not deliver): inspect with `python -m devtools.cli.dlq show`, fix, then redrive."
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
