output "alarm_topic_arn" {
  description = "The topic every alarm notifies."
  value       = module.observability.alarm_topic_arn
}
