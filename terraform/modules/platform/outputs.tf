# The local stack reads exactly these shapes through the local root's re-exports (devtools/devstack):
# keep them stable.

output "tables" {
  description = "App name => its DynamoDB table's name (apps without a table are absent)."
  value       = { for service, table in module.table : service => table.name }

  precondition {
    condition     = alltrue([for app in local.apps : (app.table == null) == (length(app.actions) == 0)])
    error_message = "In locals.apps an app with a table lists the DynamoDB actions its code calls on it, and an app without a table (table = null) lists none."
  }
}

output "functions" {
  description = "App name => { function_name, handler, arn }."
  value = {
    for name, app in local.functions : name => {
      function_name = app.function_name
      handler       = app.handler
      arn           = app.arn
    }
  }

  precondition {
    condition     = alltrue([for name in keys(var.provisioned_concurrency) : contains(keys(local.apps), name)])
    error_message = "provisioned_concurrency names apps that are not in locals.apps: ${jsonencode([for name in keys(var.provisioned_concurrency) : name if !contains(keys(local.apps), name)])}; apps: ${join(", ", sort(keys(local.apps)))}."
  }

  precondition {
    condition     = alltrue([for name in keys(var.memory_size_by_app) : contains(keys(local.apps), name)])
    error_message = "memory_size_by_app names apps that are not in locals.apps: ${jsonencode([for name in keys(var.memory_size_by_app) : name if !contains(keys(local.apps), name)])}; apps: ${join(", ", sort(keys(local.apps)))}."
  }
}

output "ports" {
  description = "App name => its fixed local port under `make dev` (before any --port-offset)."
  value       = { for name, app in local.apps : name => app.port }

  precondition {
    condition     = length(local.port_clashes) == 0
    error_message = "Two apps cannot share a local port: ${jsonencode(local.port_clashes)} (port => apps). Give each app its own port in locals.apps."
  }

  precondition {
    condition     = alltrue([for app in local.apps : app.port >= 1024 && app.port <= 60000 && floor(app.port) == app.port])
    error_message = "Each app's port must be a whole number from 1024 to 60000 (unprivileged, with room for --port-offset)."
  }
}

output "event_bus" {
  description = "Name of the environment's EventBridge bus."
  value       = module.bus.name
}

output "outboxes" {
  description = "Tables whose outbox a relay publishes to the bus (locally: python -m devtools.devstack.relays)."
  value       = [for name in sort(tolist(local.outbox_apps)) : module.table[name].name]
}

output "roles" {
  description = "App name => its function's execution role { name, arn } (to grant it more: a service's URL, a secret)."
  value       = { for name, app in local.functions : name => { name = app.role_name, arn = app.role_arn } }
}

output "dead_letter_queues" {
  description = "Consumer (<app>-<name>) => its dead-letter queue's name."
  value       = { for name, consumer in module.consumer : name => consumer.dlq_name }
}

output "payment_provider_secret_arn" {
  description = "ARN of the secret holding the payment provider's API key (put its value outside Terraform in the cloud)."
  value       = module.secrets.arns["payment-provider/api-key"]
}

output "service_urls" {
  description = "Domain service => its function URL, answering SigV4-signed callers only (module service_exposure)."
  value       = local.service_urls
}

output "alarm_topic_arn" {
  description = "The SNS topic every alarm notifies, or null without alarms."
  value       = local.alarm_topic_arn
}

output "web_acl_arns" {
  description = "API => the web ACL in front of its stage (empty without waf)."
  value       = { for name, waf in module.waf : name => waf.web_acl_arn }
}

output "schedules" {
  description = "Scheduled function => { function_name, expression, local_interval_s }: the local stack calls each one's handler every local_interval_s seconds (python -m devtools.devstack.schedules)."
  value = {
    for name, schedule in local.schedules : name => {
      function_name    = module.scheduled_function[name].function_name
      expression       = schedule.expression
      local_interval_s = schedule.local_interval_s
    }
  }
}

output "authorizer" {
  description = "The JWT authorizer's function: { function_name, handler, arn }."
  value = {
    function_name = module.authorizer.function_name
    handler       = module.authorizer.handler
    arn           = module.authorizer.arn
  }
}

output "apis" {
  description = "BFF name => its REST API: { id, stage, invoke_url, authorizer, authorizer_ttl, api_key_required }."
  value = {
    for name, api in module.api : name => {
      id               = api.id
      stage            = api.stage_name
      invoke_url       = api.invoke_url
      authorizer       = api.routes.authorizer
      authorizer_ttl   = api.routes.authorizer_ttl
      api_key_required = api.routes.api_key_required
    }
  }
}

output "partner_usage_plans" {
  description = "Partner tier => its usage plan's { id, name }: `python -m devtools.cli.partner_keys` issues keys under them (no key is in Terraform)."
  value       = { for tier, plan in try(module.api["partner"].usage_plans, {}) : tier => { id = plan.id, name = plan.name } }
}
