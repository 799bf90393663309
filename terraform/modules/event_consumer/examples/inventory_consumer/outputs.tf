output "queue_url" {
  description = "The inventory consumer's queue."
  value       = module.inventory_orders.queue_url
}

output "dlq_url" {
  description = "Its dead-letter queue (`python -m devtools.cli.dlq show|redrive`)."
  value       = module.inventory_orders.dlq_url
}

output "dlq_alarm_name" {
  description = "The alarm raised while the DLQ holds anything."
  value       = module.inventory_orders.dlq_alarm_name
}
