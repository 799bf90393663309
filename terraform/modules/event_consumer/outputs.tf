output "rule_arn" {
  description = "ARN of the EventBridge rule feeding the queue (the only sender the queue policies allow)."
  value       = aws_cloudwatch_event_rule.this.arn
}

output "queue_arn" {
  description = "ARN of the consumer's queue."
  value       = aws_sqs_queue.this.arn
}

output "queue_url" {
  description = "URL of the consumer's queue."
  value       = aws_sqs_queue.this.id
}

output "queue_name" {
  description = "Name of the consumer's queue."
  value       = aws_sqs_queue.this.name
}

output "visibility_timeout_seconds" {
  description = "Visibility timeout the queue got (given, or derived from function_timeout)."
  value       = aws_sqs_queue.this.visibility_timeout_seconds
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  description = "URL of the dead-letter queue (what `python -m devtools.cli.dlq` inspects and redrives)."
  value       = aws_sqs_queue.dlq.id
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = aws_sqs_queue.dlq.name
}

output "event_source_mapping_uuid" {
  description = "UUID of the event source mapping (the local stack reads its settings with `get-event-source-mapping`)."
  value       = aws_lambda_event_source_mapping.this.uuid
}

output "dlq_alarm_name" {
  description = "Name of the alarm raised while the DLQ holds any message."
  value       = aws_cloudwatch_metric_alarm.dlq.alarm_name
}

output "policy_statements" {
  description = "IAM statements the consumer function's role needs for this queue, and nothing else: pass them in lambda_app's `policy_statements`."
  value = concat(
    [{
      sid = "Consume${local.sid_suffix}"
      # What Lambda's poller calls on the function's behalf, plus ChangeMessageVisibility for a
      # consumer that defers a message.
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [local.queue_arn]
    }],
    var.kms_key_arn == null ? [] : [{
      sid       = "Decrypt${local.sid_suffix}"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]
    }],
  )
}
