output "web_url" {
  description = "The web API's stage URL."
  value       = module.web_api.invoke_url
}

output "partner_url" {
  description = "The partner API's stage URL."
  value       = module.partner_api.invoke_url
}

output "partner_usage_plans" {
  description = "Tier => its usage plan's id and name: issue each partner's key under one (python -m devtools.cli.partner_keys)."
  value       = { for tier, plan in module.partner_api.usage_plans : tier => { id = plan.id, name = plan.name } }
}
