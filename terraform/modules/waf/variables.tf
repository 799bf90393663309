variable "name" {
  description = "Name of the web ACL (its log group is aws-waf-logs-<name>), e.g. foyer-prod-api."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,110}$", var.name))
    error_message = "name must be 1-110 letters, digits, '_' or '-' (WAF's alphabet, leaving room for the log group's prefix); got \"${var.name}\"."
  }
}

variable "stage_arns" {
  description = "Stage => ARN of an API Gateway REST API stage (arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>) the web ACL protects; keys are stable names, so an ARN known only after apply still plans."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for arn in values(var.stage_arns) : can(regex("^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::/restapis/[a-z0-9]+/stages/[A-Za-z0-9_-]+$", arn))])
    error_message = "Every stage ARN must be an API Gateway REST API stage ARN (arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>); got ${jsonencode(var.stage_arns)}."
  }
}

variable "rate_limit" {
  description = "Requests one client IP may send per rate_limit_window_seconds before it is blocked."
  type        = number
  default     = 2000

  validation {
    condition     = var.rate_limit >= 10 && var.rate_limit <= 2000000000 && floor(var.rate_limit) == var.rate_limit
    error_message = "rate_limit must be a whole number from 10 to 2,000,000,000 (WAF's range for a rate-based rule); got ${var.rate_limit}."
  }
}

variable "rate_limit_window_seconds" {
  description = "The window WAF counts each IP's requests over: 60, 120, 300 or 600 seconds."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 120, 300, 600], var.rate_limit_window_seconds)
    error_message = "rate_limit_window_seconds must be 60, 120, 300 or 600 (the windows WAF offers); got ${var.rate_limit_window_seconds}."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the web ACL's logs (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653); got ${var.log_retention_days}."
  }
}

variable "log_kms_key_arn" {
  description = "Customer managed KMS key encrypting the log group, or null for CloudWatch Logs' own encryption. Its key policy must allow the logs.<region>.amazonaws.com principal."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the web ACL and its log group."
  type        = map(string)
  default     = {}
}
