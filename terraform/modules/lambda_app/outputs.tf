output "function_name" {
  description = "Lambda function name."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "Lambda function ARN."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN for API Gateway integrations of the unqualified function (`$LATEST`); with an alias use `qualified_invoke_arn`."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "Execution role ARN."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Execution role name (attach further policies to it from the caller)."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "handler" {
  description = "Handler the function runs (the local stack uses it to run the same entry point)."
  value       = aws_lambda_function.this.handler
}

output "version" {
  description = "Latest published version, or \"$LATEST\" when versions are not published."
  value       = aws_lambda_function.this.version
}

output "alias_arn" {
  description = "ARN of the alias on the latest published version, or null without snap_start or provisioned_concurrency."
  value       = local.publish ? aws_lambda_alias.this[0].arn : null
}

output "qualified_invoke_arn" {
  description = "What API Gateway should invoke: the alias when there is one (SnapStart and provisioned concurrency apply only there), else the function."
  value       = local.publish ? aws_lambda_alias.this[0].invoke_arn : aws_lambda_function.this.invoke_arn
}
