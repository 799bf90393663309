variable "name" {
  description = "Prefix of the alarm topic, every alarm and the dashboard, e.g. foyer-prod."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 characters of lowercase letters, digits and '-', starting with a letter; got \"${var.name}\"."
  }
}

variable "function_names" {
  description = "Key => Lambda function name: each gets an error-rate alarm and a throttles alarm."
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
  description = "Key => { api_name, stage_name } of an API Gateway REST API stage: a 5XX-rate alarm and a p99 latency alarm each."
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

variable "error_rate_percent" {
  description = "A function's failed invocations, or an API stage's 5XX answers, as a percentage of all of them in a period, that raise its alarm."
  type        = number
  default     = 5

  validation {
    condition     = var.error_rate_percent > 0 && var.error_rate_percent <= 100
    error_message = "error_rate_percent must be above 0 and at most 100; got ${var.error_rate_percent}."
  }
}

variable "error_rate_min_requests" {
  description = "Invocations or requests a period needs before its error rate counts (below it the rate reads 0), so one failure among a handful is not an outage."
  type        = number
  default     = 10

  validation {
    condition     = var.error_rate_min_requests >= 1 && floor(var.error_rate_min_requests) == var.error_rate_min_requests
    error_message = "error_rate_min_requests must be a whole number >= 1; got ${var.error_rate_min_requests}."
  }
}

variable "stream_function_names" {
  description = "Key => name of a function fed by a stream (the relays): each gets an alarm on its IteratorAge."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in values(var.stream_function_names) : can(regex("^[A-Za-z0-9_-]{1,64}$", name))])
    error_message = "Every function name must be 1-64 letters, digits, '_' or '-'; got ${jsonencode(var.stream_function_names)}."
  }
}

variable "iterator_age_threshold_seconds" {
  description = "Age (s) of a stream's oldest unprocessed record that raises the stream function's alarm."
  type        = number
  default     = 300

  validation {
    condition     = var.iterator_age_threshold_seconds >= 1
    error_message = "iterator_age_threshold_seconds must be at least 1; got ${var.iterator_age_threshold_seconds}."
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
