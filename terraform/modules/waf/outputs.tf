output "web_acl_arn" {
  description = "ARN of the web ACL."
  value       = aws_wafv2_web_acl.this.arn
}

output "web_acl_name" {
  description = "Name of the web ACL (the WebACL dimension of its CloudWatch metrics)."
  value       = aws_wafv2_web_acl.this.name
}

output "log_group_name" {
  description = "CloudWatch log group receiving every request's verdict."
  value       = aws_cloudwatch_log_group.this.name
}

output "associated_stages" {
  description = "Stage => the stage ARN the web ACL is associated with."
  value       = { for stage, association in aws_wafv2_web_acl_association.this : stage => association.resource_arn }
}
