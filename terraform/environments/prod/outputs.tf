output "functions" {
  description = "App name => { function_name, handler, arn }."
  value       = module.platform.functions
}

output "tables" {
  description = "App name => its DynamoDB table's name."
  value       = module.platform.tables
}

output "event_bus" {
  description = "Name of the environment's EventBridge bus."
  value       = module.platform.event_bus
}

output "service_urls" {
  description = "Domain service => its function URL (SigV4-signed callers only)."
  value       = module.platform.service_urls
}

output "alarm_topic_arn" {
  description = "The SNS topic every alarm notifies."
  value       = module.platform.alarm_topic_arn
}

output "web_acl_arn" {
  description = "The web ACL in front of the API stages."
  value       = module.platform.web_acl_arn
}
