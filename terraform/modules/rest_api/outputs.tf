output "id" {
  description = "The REST API's id."
  value       = aws_api_gateway_rest_api.this.id
}

output "execution_arn" {
  description = "The REST API's execution ARN (for more Lambda permissions)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "name" {
  description = "The REST API's name."
  value       = aws_api_gateway_rest_api.this.name
}

output "stage_arn" {
  description = "The stage's ARN (a web ACL is associated with it)."
  value       = aws_api_gateway_stage.this.arn
}

output "stage_name" {
  description = "The stage clients call."
  value       = aws_api_gateway_stage.this.stage_name
}

output "invoke_url" {
  description = "The stage's URL (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`)."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "routes" {
  description = "What the API routes, for a local gateway to serve the same: its resources, whether the authorizer and an API key guard their ANY method, and the \"<METHOD> <path>\" methods open to anyone (public routes and preflights)."
  value = {
    resources        = local.resource_paths
    http_method      = "ANY"
    authorizer       = var.authorizer != null
    authorizer_ttl   = var.authorizer == null ? 0 : var.authorizer.result_ttl_seconds
    api_key_required = var.api_key_required
    open_methods     = sort([for key, method in local.methods : key if method.open])
  }
}

output "revision" {
  description = "Hash of everything a deployment carries (resources, methods, integrations, gateway responses): the stage is redeployed whenever it changes."
  value       = local.revision
}

output "usage_plans" {
  description = "Tier => { id, name, rate, burst, quota } as created: partner keys are attached to these plans by `python -m devtools.cli.partner_keys`, never by Terraform (no key value in state)."
  value = {
    for tier, plan in aws_api_gateway_usage_plan.this : tier => {
      id    = plan.id
      name  = plan.name
      rate  = var.usage_plans[tier].rate
      burst = var.usage_plans[tier].burst
      quota = var.usage_plans[tier].quota
    }
  }
}
