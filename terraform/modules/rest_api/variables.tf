variable "name" {
  description = "API name, e.g. `foyer-dev-partner`: names the REST API, its access log group `/aws/apigateway/<name>`, and its usage plans `<name>-<tier>`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'; got \"${var.name}\"."
  }
}

variable "stage_name" {
  description = "The stage clients call (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`)."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 characters of A-Z, a-z, 0-9 or '_' (API Gateway's rule); got \"${var.stage_name}\"."
  }
}

variable "function_name" {
  description = "The BFF's Lambda function (name or ARN) that every route proxies to; API Gateway gets permission to invoke it from this API only."
  type        = string

  validation {
    condition     = can(regex("^([A-Za-z0-9_-]{1,64}|arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?)$", var.function_name))
    error_message = "function_name must be a Lambda function name or ARN; got \"${var.function_name}\"."
  }
}

variable "function_invoke_arn" {
  description = "The BFF function's invoke ARN (lambda_app's `invoke_arn`, or `qualified_invoke_arn` for its alias)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/.+/invocations$", var.function_invoke_arn))
    error_message = "function_invoke_arn must be a Lambda invoke ARN (arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations); got \"${var.function_invoke_arn}\"."
  }
}

variable "function_qualifier" {
  description = "The alias function_invoke_arn invokes (lambda_app's alias, e.g. `live`), or null for the unqualified function: API Gateway's permission is granted on the same qualifier."
  type        = string
  default     = null

  validation {
    condition     = var.function_qualifier == null || can(regex("^[A-Za-z0-9_-]{1,128}$", var.function_qualifier))
    error_message = "function_qualifier must be an alias name (1-128 of A-Z, a-z, 0-9, '_', '-'); got ${jsonencode(var.function_qualifier)}."
  }
}

variable "authorizer" {
  description = "The Lambda TOKEN authorizer every method but the public routes requires (web, mobile), or null for none. `result_ttl_seconds`: how long API Gateway caches its policy per token (0 to 3600); `identity_validation_expression`: the Authorization values worth invoking it for (others get a 401 at once; \"\" for none)."
  type = object({
    function_name                  = string
    invoke_arn                     = string
    result_ttl_seconds             = optional(number, 300)
    identity_validation_expression = optional(string, "^Bearer [-0-9A-Za-z._~+/]+=*$")
  })
  default = null

  validation {
    condition     = var.authorizer == null || try(var.authorizer.result_ttl_seconds >= 0 && var.authorizer.result_ttl_seconds <= 3600, false)
    error_message = "authorizer.result_ttl_seconds must be from 0 to 3600 (API Gateway's limits)."
  }
}

variable "public_routes" {
  description = "Resource path (API Gateway's syntax, e.g. `/products/{sku}`) => the methods on it that need no identity: no authorizer, no API key. The BFF's OpenAPI says which routes these are (tests/terraform/test_local_apply.py compares them). Paths up to 4 segments."
  type        = map(list(string))
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for path in keys(var.public_routes) : can(regex("^(/([A-Za-z0-9._-]+|\\{[A-Za-z0-9_]+\\})){1,4}$", path))])
    error_message = "public_routes paths must be 1-4 segments of A-Z, a-z, 0-9, '.', '_', '-' or a {variable} (no greedy {proxy+}); got ${jsonencode(keys(var.public_routes))}."
  }

  validation {
    condition     = alltrue(flatten([for verbs in values(var.public_routes) : [for verb in verbs : contains(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], verb)]]))
    error_message = "public_routes methods must be GET, HEAD, POST, PUT, PATCH or DELETE (OPTIONS is open wherever cors_allow_origin is set); got ${jsonencode(var.public_routes)}."
  }
}

variable "cors_allow_origin" {
  description = "The browser origin (`scheme://host[:port]`) the API's own answers (gateway responses) admit, or null where no browser calls. With it every resource's OPTIONS is open, proxied to the BFF, which answers the preflight for all its configured origins."
  type        = string
  default     = null

  validation {
    condition     = var.cors_allow_origin == null || can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", var.cors_allow_origin))
    error_message = "cors_allow_origin must be an origin (scheme://host[:port], no path); got ${jsonencode(var.cors_allow_origin)}."
  }
}

variable "throttling" {
  description = "Stage throttling: steady `rate_limit` (requests/s) and `burst_limit` for every method, and per-method overrides keyed \"<METHOD> <path>\" of a declared method other than ANY (a public route, e.g. \"GET /home\"); null for API Gateway's account-level defaults."
  type = object({
    rate_limit  = number
    burst_limit = number
    methods = optional(map(object({
      rate_limit  = number
      burst_limit = number
    })), {})
  })
  default = null

  validation {
    condition = var.throttling == null ? true : alltrue([
      for limits in concat([{ rate_limit = var.throttling.rate_limit, burst_limit = var.throttling.burst_limit }], values(var.throttling.methods)) :
      limits.rate_limit > 0 && limits.burst_limit >= 1 && floor(limits.burst_limit) == limits.burst_limit
    ])
    error_message = "Each throttling limit needs a rate above 0 and a whole burst of at least 1; got ${jsonencode(var.throttling)}."
  }
}

variable "api_key_required" {
  description = "Every method but the public routes requires an API key (`x-api-key`) under one of the usage plans (partner)."
  type        = bool
  default     = false
}

variable "usage_plans" {
  description = "Usage plan per partner tier: steady `rate` (requests/s), `burst`, and an optional `quota` of `limit` requests per `period` (DAY, WEEK or MONTH), less `offset` requests in the plan's first period (API Gateway's QuotaSettings.offset)."
  type = map(object({
    rate  = number
    burst = number
    quota = optional(object({
      limit  = number
      period = string
      offset = optional(number, 0)
    }))
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for plan in values(var.usage_plans) : plan.rate > 0 && plan.burst >= 1 && floor(plan.burst) == plan.burst])
    error_message = "Each usage plan needs a rate above 0 and a whole burst of at least 1; got ${jsonencode(var.usage_plans)}."
  }

  validation {
    condition     = alltrue([for plan in values(var.usage_plans) : plan.burst >= plan.rate])
    error_message = "Each usage plan's burst must be at least its rate (a bucket smaller than a second's worth of requests never fills): ${jsonencode({ for tier, plan in var.usage_plans : tier => { rate = plan.rate, burst = plan.burst } if plan.burst < plan.rate })}."
  }

  validation {
    condition     = alltrue([for plan in values(var.usage_plans) : plan.quota == null || try(plan.quota.limit >= 0 && floor(plan.quota.limit) == plan.quota.limit, false)])
    error_message = "A usage plan's quota limit must be a whole number, not negative; got ${jsonencode({ for tier, plan in var.usage_plans : tier => plan.quota.limit if plan.quota != null })}."
  }

  validation {
    condition     = alltrue([for plan in values(var.usage_plans) : plan.quota == null || try(contains(["DAY", "WEEK", "MONTH"], plan.quota.period), false)])
    error_message = "A usage plan's quota period must be DAY, WEEK or MONTH; got ${jsonencode([for plan in values(var.usage_plans) : plan.quota.period if plan.quota != null])}."
  }

  validation {
    condition     = alltrue([for plan in values(var.usage_plans) : plan.quota == null || try(plan.quota.offset >= 0 && plan.quota.offset <= plan.quota.limit && floor(plan.quota.offset) == plan.quota.offset, false)])
    error_message = "A usage plan's quota offset (requests taken from the first period) must be a whole number from 0 to its limit; got ${jsonencode({ for tier, plan in var.usage_plans : tier => plan.quota if plan.quota != null })}."
  }
}

variable "access_log_retention_days" {
  description = "Days CloudWatch keeps the stage's access log."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.access_log_retention_days)
    error_message = "access_log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653); got ${var.access_log_retention_days}."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the access log group, or null for CloudWatch's default encryption."
  type        = string
  default     = null
}

variable "tracing_enabled" {
  description = "X-Ray tracing on the stage."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
  nullable    = false
}
