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

variable "rate_rules" {
  description = "Rate-based rules after the managed groups, in this order: `name`, `limit` requests per `window_seconds` (60, 120, 300 or 600) per client, the client being its IP or, with `key_header`, that header's value (a partner's `x-api-key`; requests without the header are not counted by that rule). A blocked request gets 429 problem+json with `Retry-After`."
  type = list(object({
    name           = string
    limit          = number
    window_seconds = optional(number, 300)
    key_header     = optional(string)
  }))
  default  = [{ name = "RatePerIp", limit = 2000, window_seconds = 300, key_header = null }]
  nullable = false

  validation {
    condition     = alltrue([for rule in var.rate_rules : rule.limit >= 10 && rule.limit <= 2000000000 && floor(rule.limit) == rule.limit])
    error_message = "Each rate rule's limit must be a whole number from 10 to 2,000,000,000 (WAF's range for a rate-based rule); got ${jsonencode([for rule in var.rate_rules : rule.limit])}."
  }

  validation {
    condition     = alltrue([for rule in var.rate_rules : contains([60, 120, 300, 600], rule.window_seconds)])
    error_message = "Each rate rule's window_seconds must be 60, 120, 300 or 600 (the windows WAF offers); got ${jsonencode([for rule in var.rate_rules : rule.window_seconds])}."
  }

  validation {
    condition     = alltrue([for rule in var.rate_rules : can(regex("^[A-Za-z0-9]{1,64}$", rule.name))]) && length(distinct([for rule in var.rate_rules : rule.name])) == length(var.rate_rules)
    error_message = "Rate rule names must be distinct, 1-64 letters or digits (they name CloudWatch metrics too); got ${jsonencode([for rule in var.rate_rules : rule.name])}."
  }

  validation {
    condition     = alltrue([for rule in var.rate_rules : rule.key_header == null || can(regex("^[a-z0-9-]{1,64}$", rule.key_header))])
    error_message = "A rate rule's key_header must be a lower-case header name such as x-api-key; got ${jsonencode([for rule in var.rate_rules : rule.key_header])}."
  }
}

variable "cors_allow_origin" {
  description = "The browser origin a rate block's 429 admits (Access-Control-Allow-Origin), so the page can read it; null where no browser calls."
  type        = string
  default     = null
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
