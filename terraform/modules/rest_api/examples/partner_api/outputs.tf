output "web_url" {
  description = "The web API's stage URL."
  value       = module.web_api.invoke_url
}

output "partner_url" {
  description = "The partner API's stage URL."
  value       = module.partner_api.invoke_url
}

output "partner_api_keys" {
  description = "Partner id => its API key, to hand over to each partner."
  value       = module.partner_api.partner_api_key_values
  sensitive   = true
}
