variable "function_name" {
  description = "Lambda function name; also names its role and its log group `/aws/lambda/<function_name>`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of a-z, A-Z, 0-9, '_' or '-'."
  }
}

variable "description" {
  description = "Function description."
  type        = string
  default     = ""
}

variable "artifact_path" {
  description = "Path to the deployment zip built by `make package` (`dist/<app>.zip`)."
  type        = string

  validation {
    condition     = endswith(var.artifact_path, ".zip")
    error_message = "artifact_path must point at a .zip file."
  }
}

variable "handler" {
  description = "Handler as `module.function`, e.g. `services.catalog.handler.handler`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_.]*\\.[A-Za-z_][A-Za-z0-9_]*$", var.handler))
    error_message = "handler must look like package.module.function."
  }
}

variable "runtime" {
  description = "Lambda runtime; the zips are built for CPython 3.12."
  type        = string
  default     = "python3.12"

  validation {
    condition     = can(regex("^python3\\.[0-9]+$", var.runtime))
    error_message = "runtime must be a python3.x runtime."
  }
}

variable "architectures" {
  description = "Instruction set; the zips carry arm64 wheels."
  type        = list(string)
  default     = ["arm64"]

  validation {
    condition     = length(var.architectures) == 1 && contains(["arm64", "x86_64"], var.architectures[0])
    error_message = "architectures must be exactly one of [\"arm64\"] or [\"x86_64\"]."
  }
}

variable "memory_size" {
  description = "Memory in MB (CPU scales with it)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout in seconds. Behind API Gateway REST keep it at or below 29."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "environment_variables" {
  description = "Environment variables. Never secrets: pass secret ARNs and read them at run time."
  type        = map(string)
  default     = {}
}

variable "policy_statements" {
  description = "Extra IAM statements (Allow) for the function's inline role policy: sid, actions, resources."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "Each sid must be alphanumeric."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each statement needs at least one action and one resource."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : !contains(s.actions, "*") && !contains(s.resources, "*")])
    error_message = "Least privilege: wildcard-only actions or resources are not allowed; name them."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "log_kms_key_arn" {
  description = "Customer managed KMS key encrypting the function's log group, or null for CloudWatch Logs' own encryption. Its key policy must allow the `logs.<region>.amazonaws.com` principal."
  type        = string
  default     = null
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency, or null for the unreserved pool."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0, false)
    error_message = "reserved_concurrent_executions must be null or >= 0."
  }
}

variable "snap_start" {
  description = "Turn on SnapStart for published versions (python3.12 and later): the function publishes a version on every code or configuration change and invokes it through the alias. Keep false where the emulator lacks SnapStart (local)."
  type        = bool
  default     = false
  nullable    = false

  validation {
    condition     = !var.snap_start || try(tonumber(split(".", var.runtime)[1]) >= 12, false)
    error_message = "snap_start needs a python3.12 or later runtime: Lambda offers SnapStart for Python from 3.12 only."
  }
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrent executions on the alias, or 0 for none. Lambda refuses it together with SnapStart."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.provisioned_concurrency >= 0 && floor(var.provisioned_concurrency) == var.provisioned_concurrency
    error_message = "provisioned_concurrency must be a whole number >= 0 (0 = none)."
  }

  # Cross-variable validation (Terraform >= 1.9): fail at plan time, not at Lambda's API after a
  # version was already published.
  validation {
    condition     = !(var.snap_start && var.provisioned_concurrency > 0)
    error_message = "snap_start and provisioned_concurrency cannot be combined: Lambda refuses SnapStart on a function version with provisioned concurrency. Choose one (set provisioned_concurrency = 0, or snap_start = false)."
  }
}

variable "alias_name" {
  description = "Name of the alias that follows the latest published version (created only with snap_start or provisioned_concurrency)."
  type        = string
  default     = "live"
  nullable    = false

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_-]{0,127}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must be 1-128 characters of a-z, A-Z, 0-9, '_' or '-', starting with a letter."
  }
}

variable "tags" {
  description = "Tags applied to the function, role and log group."
  type        = map(string)
  default     = {}
}

variable "async_invocation" {
  description = "For a function invoked asynchronously (an EventBridge schedule): where an invocation that still fails after Lambda's retries goes (an SQS queue ARN; the role may send to it), how often Lambda retries (0-2) and how old an event may get (60-21600 s). null: Lambda's defaults (2 retries, 6 h, then dropped)."
  type = object({
    on_failure_arn               = string
    maximum_retry_attempts       = optional(number, 2)
    maximum_event_age_in_seconds = optional(number, 3600)
  })
  default = null

  validation {
    condition     = var.async_invocation == null || can(regex("^arn:aws[a-z-]*:sqs:", var.async_invocation.on_failure_arn))
    error_message = "async_invocation.on_failure_arn must be an SQS queue ARN (arn:aws:sqs:...)."
  }
  validation {
    condition     = var.async_invocation == null || try(contains([0, 1, 2], var.async_invocation.maximum_retry_attempts), false)
    error_message = "async_invocation.maximum_retry_attempts must be 0, 1 or 2 (Lambda's range for asynchronous invocations)."
  }
  validation {
    condition     = var.async_invocation == null || try(var.async_invocation.maximum_event_age_in_seconds >= 60 && var.async_invocation.maximum_event_age_in_seconds <= 21600, false)
    error_message = "async_invocation.maximum_event_age_in_seconds must be from 60 to 21600 (Lambda's range)."
  }
}
