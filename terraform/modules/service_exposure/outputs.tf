output "urls" {
  description = "Service => its function URL (https://<id>.lambda-url.<region>.on.aws/), answering SigV4-signed requests only."
  value       = { for service, url in aws_lambda_function_url.this : service => url.function_url }
}

output "function_arns" {
  description = "Service => the (qualified) function ARN its callers are allowed to invoke."
  value       = local.function_arns
}

output "grants" {
  description = "Caller => the services its role may invoke, sorted."
  value       = { for caller, spec in local.calling : caller => sort(distinct(spec.services)) }
}
