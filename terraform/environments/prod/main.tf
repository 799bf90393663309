# environments/prod: point-in-time recovery and deletion protection on every table, a year of logs, the tightest WAF limit, provisioned concurrency on the BFFs. Only values: the topology is
# terraform/modules/platform, the same the local root applies to the emulator.

module "platform" {
  source = "../../modules/platform"

  environment          = "prod"
  name_prefix          = "foyer-prod"
  artifacts_dir        = var.artifacts_dir
  payment_provider_url = var.payment_provider_url
  sender_email         = var.sender_email

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 365
  point_in_time_recovery         = true
  deletion_protection            = true
  secret_recovery_window_in_days = 30

  # The BFFs answer people: no cold start on their path (lambda_app: an alias with provisioned
  # concurrency; the BFF apps come with their own issue, so the map is chosen in terraform.tfvars).
  provisioned_concurrency = var.bff_provisioned_concurrency

  api_stages = var.api_stages
  waf = {
    rate_limit                = 500
    rate_limit_window_seconds = 300
    log_retention_days        = 365
  }
  alarms = {
    emails         = var.alarm_emails
    p99_latency_ms = 800
  }
}
