output "platform" {
  description = "Everything the platform module outputs: functions, tables, event_bus, service_urls, alarm_topic_arn, web_acl_arns, partner_usage_plans, ..."
  value       = module.platform
}
