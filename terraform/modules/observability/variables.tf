variable "name" {
  description = "Prefix of the alarm topic, every alarm and the dashboard, e.g. foyer-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 characters of lowercase letters, digits and '-', starting with a letter; got \"${var.name}\"."
  }
}

variable "function_names" {
  description = "Key => Lambda function name: each gets an errors alarm and a throttles alarm."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in values(var.function_names) : can(regex("^[A-Za-z0-9_-]{1,64}$", name))])
    error_message = "Every function name must be 1-64 letters, digits, '_' or '-'; got ${jsonencode(var.function_names)}."
  }
}

variable "dead_letter_queues" {
  description = "Key => SQS dead-letter queue name: any visible message raises its alarm."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in values(var.dead_letter_queues) : can(regex("^[A-Za-z0-9_-]{1,80}$", name))])
    error_message = "Every queue name must be 1-80 letters, digits, '_' or '-' (not a URL nor an ARN); got ${jsonencode(var.dead_letter_queues)}."
  }
}

variable "dlq_alarms" {
  description = "Whether this module alarms on the dead-letter queues; false when their own module already does (event_consumer), so they only appear on the dashboard."
  type        = bool
  default     = true
}

variable "apis" {
  description = "Key => { api_name, stage_name } of an API Gateway REST API stage: a 5XX alarm and a p99 latency alarm each."
  type = map(object({
    api_name   = string
    stage_name = string
  }))
  default = {}
}

variable "p99_latency_ms" {
  description = "An API stage's alarm threshold on its p99 latency (ms) over a period."
  type        = number
  default     = 1000

  validation {
    condition     = var.p99_latency_ms > 0 && var.p99_latency_ms <= 29000
    error_message = "p99_latency_ms must be above 0 and at most 29000 (API Gateway's integration timeout); got ${var.p99_latency_ms}."
  }
}

variable "function_errors_threshold" {
  description = "A function's errors in one period that raise its alarm."
  type        = number
  default     = 1

  validation {
    condition     = var.function_errors_threshold >= 1 && floor(var.function_errors_threshold) == var.function_errors_threshold
    error_message = "function_errors_threshold must be a whole number >= 1; got ${var.function_errors_threshold}."
  }
}

variable "period_seconds" {
  description = "The period every alarm evaluates: 60 or a multiple of 60 seconds."
  type        = number
  default     = 300

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds % 60 == 0 && var.period_seconds <= 86400
    error_message = "period_seconds must be a multiple of 60 from 60 to 86400 (CloudWatch's periods for standard metrics); got ${var.period_seconds}."
  }
}

variable "stuck_orders_metric" {
  description = "The metric the reconciler emits per sweep with the orders it found stuck (EMF, namespace Foyer); any value >= 1 raises the alarm. null: no such alarm."
  type = object({
    namespace   = optional(string, "Foyer")
    metric_name = optional(string, "StuckOrders")
    dimensions  = optional(map(string), { service = "orders" })
  })
  default = {
    namespace   = "Foyer"
    metric_name = "StuckOrders"
    dimensions  = { service = "orders" }
  }
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm by e-mail)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", e))])
    error_message = "Every alarm e-mail must be an address; got ${jsonencode(var.alarm_emails)}."
  }
}

variable "tags" {
  description = "Tags for the key, the topic and every alarm."
  type        = map(string)
  default     = {}
}
