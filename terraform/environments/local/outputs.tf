# The local stack reads exactly these shapes (foyer/devstack): keep them stable.

output "region" {
  description = "Region the emulator was addressed as."
  value       = var.region
}

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
    for name, app in module.app : name => {
      function_name = app.function_name
      handler       = app.handler
      arn           = app.arn
    }
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
  description = "Tables whose outbox a relay publishes to the bus (locally: python -m foyer.devstack.relays)."
  value       = [for name in sort(tolist(local.outbox_apps)) : module.table[name].name]
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
  description = "BFF name => its REST API: { id, stage, invoke_url, authorizer, authorizer_ttl, api_key_required } (the local gateway serves the same)."
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

output "partner_keys" {
  description = "API key id => { partner_id, tier } (also the partner BFF's FOYER_PARTNER_KEYS)."
  value       = local.partner_keys
}

output "demo_partner_api_key" {
  description = "The API key of demo-partner (the stack file's demo.partner_api_key), or null before the partner BFF exists."
  value       = try(module.api["partner"].partner_api_key_values["demo-partner"], null)
  sensitive   = true
}
