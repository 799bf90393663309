output "name" {
  description = "Name of the bus (what rules and `PutEvents` entries name as `EventBusName`)."
  value       = aws_cloudwatch_event_bus.this.name
}

output "arn" {
  description = "ARN of the bus."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "archive_arn" {
  description = "ARN of the replay archive, or null without one."
  value       = var.archive_retention_days == null ? null : aws_cloudwatch_event_archive.this[0].arn
}

output "publisher_policy_statements" {
  description = "IAM statements a publisher (the outbox relay) needs on this bus, for lambda_app's `policy_statements`. A customer managed key needs no caller permission: EventBridge uses it on its own behalf."
  value = [{
    sid       = "PublishToEventBus"
    actions   = ["events:PutEvents"]
    resources = [aws_cloudwatch_event_bus.this.arn]
  }]
}
