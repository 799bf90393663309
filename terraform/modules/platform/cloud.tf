# What only the cloud roots turn on: alarms and a dashboard (module observability), and a web ACL in
# front of the API stages (module waf). The local root leaves both null: the emulator stores WAF ACLs
# and alarms but enforces and evaluates none of them.

variable "alarms" {
  description = "Alarms to an SNS topic and a dashboard (module observability): who is e-mailed and the API latency goal; null for none (local)."
  type = object({
    emails         = optional(list(string), [])
    p99_latency_ms = optional(number, 1000)
  })
  default = null
}

variable "waf" {
  description = "The web ACL in front of every API stage (module waf): per-IP rate limit per window, log retention; null for none (local)."
  type = object({
    rate_limit                = number
    rate_limit_window_seconds = optional(number, 300)
    log_retention_days        = optional(number, 30)
  })
  default = null
}

locals {
  alarm_topic_arn = var.alarms == null ? null : module.observability[0].alarm_topic_arn
}

module "observability" {
  source = "../observability"
  count  = var.alarms == null ? 0 : 1

  name = var.name_prefix
  function_names = merge(
    { for name, app in local.functions : name => app.function_name },
    { for name, consumer in module.consumer_function : name => consumer.function_name },
    { for name, relay in module.relay : "${name}-relay" => relay.function_name },
    { for name, scheduled in module.scheduled_function : name => scheduled.function_name },
  )
  stream_function_names = { for name, relay in module.relay : "${name}-relay" => relay.function_name }
  # event_consumer alarms on its own DLQ and events.tf on each failure queue (to this topic): here
  # they are only on the dashboard.
  dead_letter_queues = merge(
    { for name in keys(local.consumers) : name => "${var.name_prefix}-${name}-dlq" },
    { for name, queue in local.failure_queues : "${name}-failures" => queue.name },
  )
  dlq_alarms     = false
  apis           = { for key, stage in local.api_stages : key => { api_name = stage.api_name, stage_name = stage.stage_name } }
  p99_latency_ms = var.alarms.p99_latency_ms
  alarm_emails   = var.alarms.emails
  tags           = var.tags
}

module "waf" {
  source = "../waf"
  count  = var.waf == null ? 0 : 1

  name                      = "${var.name_prefix}-api"
  stage_arns                = { for key, stage in local.api_stages : key => stage.arn }
  rate_limit                = var.waf.rate_limit
  rate_limit_window_seconds = var.waf.rate_limit_window_seconds
  log_retention_days        = var.waf.log_retention_days
  tags                      = var.tags
}
