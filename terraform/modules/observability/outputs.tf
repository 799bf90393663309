output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies (give it to event_consumer's alarm_topic_arn too)."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Every alarm this module created, sorted."
  value       = sort(concat([for a in aws_cloudwatch_metric_alarm.this : a.alarm_name], [for a in aws_cloudwatch_metric_alarm.rate : a.alarm_name]))
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
