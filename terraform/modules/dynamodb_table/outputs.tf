output "name" {
  description = "Table name."
  value       = aws_dynamodb_table.this.name
}

output "arn" {
  description = "Table ARN (index ARNs are this followed by `/index/<name>`)."
  value       = aws_dynamodb_table.this.arn
}

output "stream_arn" {
  description = "Latest stream ARN, or null when streams are disabled."
  value       = var.stream_enabled ? aws_dynamodb_table.this.stream_arn : null
}
