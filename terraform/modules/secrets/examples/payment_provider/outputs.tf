output "secret_arn" {
  description = "What the payments function's environment carries (PAYMENT_PROVIDER_SECRET_ARN)."
  value       = module.secrets.arns["payment-provider/api-key"]
}

output "reader_policy_statements" {
  description = "What the payments role needs (lambda_app's policy_statements)."
  value       = module.secrets.reader_policy_statements["payment-provider/api-key"]
}
