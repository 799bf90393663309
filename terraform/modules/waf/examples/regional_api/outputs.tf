output "web_acl_arn" {
  description = "The web ACL."
  value       = module.waf.web_acl_arn
}
