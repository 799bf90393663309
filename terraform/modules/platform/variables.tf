variable "artifacts_dir" {
  description = "Directory holding the Lambda zips from `make package` (<app>.zip), absolute or relative to the calling root."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name (foyer-<environment> in the cloud; several local stacks can share one emulator)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "payment_provider_url" {
  description = "Base URL of the payment provider payments charges through (locally the sandbox, devtools/devstack/payment_sandbox)."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/\\s]+/?$", var.payment_provider_url))
    error_message = "payment_provider_url must be an http(s) URL with a host and optional port, e.g. http://127.0.0.1:8199."
  }
}

variable "payment_provider_key" {
  description = "The provider's API key to store in the secret; null (the cloud roots) leaves the value to be put by hand or by rotation, never through Terraform state."
  type        = string
  default     = null
  sensitive   = true
}

variable "sender_email" {
  description = "The address notifications e-mails customers from (an SES identity is created for it)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", var.sender_email))
    error_message = "sender_email must be an e-mail address, e.g. orders@foyer.example."
  }
}

variable "environment" {
  description = "Which environment this is: local, dev, staging or prod (each function's FOYER_ENV)."
  type        = string

  validation {
    condition     = contains(["local", "dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of local, dev, staging, prod; got \"${var.environment}\"."
  }
}

variable "memory_size" {
  description = "Memory (MB) of every function; `make cost` names the cheapest that meets the latency goal."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240 (Lambda's range); got ${var.memory_size}."
  }
}

variable "memory_size_by_app" {
  description = "Memory (MB) per HTTP app where it differs from memory_size (app name => MB); `make cost` names it when an app's cheapest setting differs."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for mb in values(var.memory_size_by_app) : mb >= 128 && mb <= 10240 && floor(mb) == mb])
    error_message = "memory_size_by_app values must be whole numbers of MB from 128 to 10240 (Lambda's range)."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps every function's logs (one of the values CloudWatch Logs accepts)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653); got ${var.log_retention_days}."
  }
}

variable "deletion_protection" {
  description = "Deletion protection on every table (off only where the stack is torn down freely: local, dev)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery" {
  description = "Point-in-time recovery on every table."
  type        = bool
  default     = true
}

variable "event_source_mappings_enabled" {
  description = "Whether queues and streams invoke their functions; false locally, where the emulator would try to run them in Docker and the local stack polls instead."
  type        = bool
  default     = true
}

variable "provisioned_concurrency" {
  description = "App name => provisioned concurrent executions on its alias (prod's BFFs); apps not listed get none."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for n in values(var.provisioned_concurrency) : n >= 0 && floor(n) == n])
    error_message = "provisioned_concurrency values must be whole numbers >= 0; got ${jsonencode(var.provisioned_concurrency)}."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them (the provider's default_tags add project and environment)."
  type        = map(string)
  default     = {}
}

variable "secret_recovery_window_in_days" {
  description = "Days a deleted secret can still be restored: 0 (delete at once: local) or 7 to 30."
  type        = number
  default     = 30
}

variable "payment_key_rotation_lambda_arn" {
  description = "Rotation function of the payment provider's key (modules/secrets README: Rotation); null for none."
  type        = string
  default     = null
}

variable "jwt_issuer" {
  description = "The `iss` of the user tokens the web and mobile authorizer accepts (the identity provider)."
  type        = string

  validation {
    condition     = can(regex("^https?://", var.jwt_issuer))
    error_message = "jwt_issuer must be the issuer's URL (https://...); got \"${var.jwt_issuer}\"."
  }
}

variable "jwt_audience" {
  description = "The `aud` of the user tokens the authorizer accepts."
  type        = string
  default     = "foyer-bff"
}

variable "jwks_url" {
  description = "Where the authorizer reads the issuer's public keys (https://, or file:// for the local issuer)."
  type        = string

  validation {
    condition     = can(regex("^(https?|file)://", var.jwks_url))
    error_message = "jwks_url must be an https://, http:// or file:// URL; got \"${var.jwks_url}\"."
  }
}

variable "partner_tiers" {
  description = "Usage plan per partner tier (rest_api's `usage_plans`): requests per second, burst, and an optional quota per DAY, WEEK or MONTH (its `offset`: requests taken from the first period)."
  type = map(object({
    rate  = number
    burst = number
    quota = optional(object({ limit = number, period = string, offset = optional(number, 0) }))
  }))
  default = {}
}


variable "order_deadlines" {
  description = "The reconciler's deadlines (s) for an order left open: resend its pending step after resend_after_s, expire it after expire_after_s. Expiry must come after payments' bound on an unanswered charge (its queue's deliveries x visibility timeout), or a charge still being retried could be expired under it."
  type = object({
    resend_after_s = number
    expire_after_s = number
  })

  validation {
    condition     = var.order_deadlines.resend_after_s >= 1 && var.order_deadlines.expire_after_s > var.order_deadlines.resend_after_s
    error_message = "order_deadlines: resend_after_s must be >= 1 and expire_after_s above it; got ${jsonencode(var.order_deadlines)}."
  }
}

variable "event_concurrency" {
  description = "Concurrency reserved for each queue consumer and relay function, so a spike on the APIs cannot take it, and the most each consumer's queue mapping invokes at once (SQS maximum_concurrency; 2 or more). null reserves none (an account at Lambda's default quota has none to reserve)."
  type        = number
  default     = null

  validation {
    condition     = var.event_concurrency == null || try(var.event_concurrency >= 2 && var.event_concurrency <= 1000 && floor(var.event_concurrency) == var.event_concurrency, false)
    error_message = "event_concurrency must be null or a whole number from 2 to 1000 (SQS maximum_concurrency's range); got ${jsonencode(var.event_concurrency)}."
  }
}

variable "event_archive_retention_days" {
  description = "Days the event bus' archive keeps every event for replay (0 = indefinitely); null for no archive (local)."
  type        = number
  default     = null
}

variable "sqs_redrive_allow_policies" {
  description = "Whether each dead-letter queue names the only queue that may use it (consumer DLQs) or refuses every source (failure queues). False only against the emulator: moto neither stores nor returns RedriveAllowPolicy, so the provider would wait for it forever."
  type        = bool
  default     = true
}

variable "cors_origins" {
  description = "Origins (`scheme://host[:port]`) whose pages may call the web BFF: its CORS_ORIGINS; the first is also the one origin the web API's own answers (gateway responses, WAF's 429) admit."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for origin in var.cors_origins : can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", origin))])
    error_message = "cors_origins must be origins (scheme://host[:port], no path or trailing slash); got ${jsonencode(var.cors_origins)}."
  }
}

variable "api_throttling" {
  description = "API (web, mobile, partner) => its stage's throttling (rest_api's `throttling`): `rate_limit` requests/s and `burst_limit` for every method, and `methods` overrides keyed \"<METHOD> <path>\" of a public route (e.g. \"GET /home\"); APIs not listed keep API Gateway's account defaults."
  type = map(object({
    rate_limit  = number
    burst_limit = number
    methods = optional(map(object({
      rate_limit  = number
      burst_limit = number
    })), {})
  }))
  default  = {}
  nullable = false
}
