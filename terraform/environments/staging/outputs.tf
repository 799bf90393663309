output "platform" {
  description = "Everything the platform module outputs: functions, tables, event_bus, service_urls, alarm_topic_arn, web_acl_arns, ..."
  # Without the partners' key values: an output holding a sensitive value must be marked sensitive
  # as a whole, which would hide every other value from `terraform output`.
  value = { for name, value in module.platform : name => value if name != "partner_api_keys" }
}

output "partner_api_keys" {
  description = "Partner id => its API key's value, to hand to the partner (`terraform output -json partner_api_keys`)."
  value       = module.platform.partner_api_keys
  sensitive   = true
}
