# What only the cloud roots turn on: alarms and a dashboard (module observability), and a web ACL in
# front of each API stage (module waf), with rate rules that fit that API's clients. The local root leaves both null: the emulator stores WAF ACLs
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
  description = "A web ACL in front of each API stage (module waf): `rate_rules` per API (web, mobile, partner => the module's rate_rules: per IP, or per `key_header` value such as the partner's x-api-key), log retention; null for none (local)."
  type = object({
    rate_rules = map(list(object({
      name           = string
      limit          = number
      window_seconds = optional(number, 300)
      key_header     = optional(string)
    })))
    log_retention_days = optional(number, 30)
  })
  default = null

  # A partner's key must never be blocked by WAF below what its tier pays for: the gateway's usage
  # plan is what holds a partner to its tier, with a 429 the partner guide documents.
  validation {
    condition = var.waf == null ? true : alltrue([
      for rule in lookup(var.waf.rate_rules, "partner", []) :
      rule.limit / rule.window_seconds > max(0, [for tier in values(var.partner_tiers) : tier.rate]...)
      if rule.key_header != null
    ])
    error_message = "The partner API's per-key WAF limit must allow more than the top partner tier (${jsonencode({ for name, tier in var.partner_tiers : name => tier.rate })} requests/s): WAF would block a partner below its plan."
  }
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

# One web ACL per API: browsers, apps and partners need different rate rules, and a stage takes one ACL.
module "waf" {
  source   = "../waf"
  for_each = var.waf == null ? {} : local.apis

  name               = "${var.name_prefix}-${each.key}"
  stage_arns         = { (each.key) = local.api_stages[each.key].arn }
  rate_rules         = lookup(var.waf.rate_rules, each.key, [])
  cors_allow_origin  = each.value.browsers ? local.gateway_origin : null
  log_retention_days = var.waf.log_retention_days
  tags               = var.tags
}
