# The local environment: the platform module (every app, table, function and event route) with local
# values, applied against the AWS emulator. The local stack reads these outputs (devtools/devstack):
# keep their shapes stable.

module "platform" {
  source = "../../modules/platform"

  environment          = "local"
  name_prefix          = var.name_prefix
  artifacts_dir        = var.artifacts_dir
  payment_provider_url = var.payment_provider_url
  payment_provider_key = var.payment_provider_key
  sender_email         = var.sender_email
  jwt_issuer           = var.jwt_issuer
  jwt_audience         = var.jwt_audience
  jwks_url             = var.jwks_url
  partner_tiers        = var.partner_tiers
  cors_origins         = var.cors_origins

  # The local stack is torn down and re-created freely, and keeps a day of logs. (PITR stays on: the
  # emulator accepts it, and checkov's CKV_AWS_28 reads this root.)
  log_retention_days             = 1
  deletion_protection            = false
  point_in_time_recovery         = true
  secret_recovery_window_in_days = 0
  # The emulator would try to run functions in Docker on every message: the local stack polls instead.
  event_source_mappings_enabled = false
  # Short deadlines, so a lost event is seen to heal under `make dev`; expiry stays past payments'
  # bound on an unanswered charge (5 deliveries x 180 s visibility timeout).
  order_deadlines = { resend_after_s = 15, expire_after_s = 960 }
  # moto neither stores nor returns a queue's RedriveAllowPolicy (the provider would wait for it).
  sqs_redrive_allow_policies = false
}

output "region" {
  description = "Region the emulator was addressed as."
  value       = var.region
}

output "tables" {
  description = "App name => its DynamoDB table's name (apps without a table are absent)."
  value       = module.platform.tables
}

output "functions" {
  description = "App name => { function_name, handler, arn }."
  value       = module.platform.functions
}

output "ports" {
  description = "App name => its fixed local port under `make dev` (before any --port-offset)."
  value       = module.platform.ports
}

output "event_bus" {
  description = "Name of the environment's EventBridge bus."
  value       = module.platform.event_bus
}

output "outboxes" {
  description = "Tables whose outbox a relay publishes to the bus (locally: python -m devtools.devstack.relays)."
  value       = module.platform.outboxes
}

output "schedules" {
  description = "Scheduled function => { function_name, expression, local_interval_s }: the local stack calls each one's handler every local_interval_s seconds (python -m devtools.devstack.schedules)."
  value       = module.platform.schedules
}

output "authorizer" {
  description = "The JWT authorizer's function: { function_name, handler, arn }."
  value       = module.platform.authorizer
}

output "apis" {
  description = "BFF name => its REST API: { id, stage, invoke_url, authorizer, authorizer_ttl, api_key_required } (the local gateway serves the same)."
  value       = module.platform.apis
}

output "partner_usage_plans" {
  description = "Partner tier => its usage plan's { id, name }: the local stack issues the demo partner's key under one (devtools.cli.partner_keys)."
  value       = module.platform.partner_usage_plans
}
