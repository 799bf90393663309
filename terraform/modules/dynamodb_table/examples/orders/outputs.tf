output "table_name" {
  description = "Name of the orders table."
  value       = module.orders_table.name
}

output "table_arn" {
  description = "ARN of the orders table."
  value       = module.orders_table.arn
}

output "stream_arn" {
  description = "Stream the outbox relay reads."
  value       = module.orders_table.stream_arn
}
