output "bus_name" {
  description = "What publishers pass as `EventBusName` and rules name as their bus."
  value       = module.bus.name
}

output "archive_arn" {
  description = "The archive to start a replay from."
  value       = module.bus.archive_arn
}

output "publisher_policy_statements" {
  description = "What the outbox relay's role needs (lambda_app's policy_statements)."
  value       = module.bus.publisher_policy_statements
}
