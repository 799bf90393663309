output "state_bucket" {
  description = "The state bucket: give it to every cloud root's `terraform init -backend-config=bucket=...` and to the workflow's TF_STATE_BUCKET."
  value       = aws_s3_bucket.state.id
}

output "state_kms_key_arn" {
  description = "The KMS key encrypting the state bucket."
  value       = aws_kms_key.state.arn
}

output "deploy_role_arns" {
  description = "Environment => the role its apply job assumes (the GitHub environment <name>'s AWS_ROLE_ARN)."
  value       = { for env in var.environments : env => aws_iam_role.github["deploy-${env}"].arn }
}

output "plan_role_arns" {
  description = "Environment => the read-only role its plan jobs assume (the GitHub environment <name>-plan's AWS_ROLE_ARN)."
  value       = { for env in var.environments : env => aws_iam_role.github["plan-${env}"].arn }
}

output "github_oidc_provider_arn" {
  description = "The GitHub OIDC provider the deploy and plan roles trust."
  value       = local.github_oidc_provider_arn
}

output "api_gateway_cloudwatch_role_arn" {
  description = "The role API Gateway writes logs with (the account setting the cloud roots check for)."
  value       = aws_api_gateway_account.this.cloudwatch_role_arn
}
