# environments/staging: prod's shape at prod's settings where they guard data (PITR, deletion protection), shorter retention, no provisioned concurrency. Only values: the topology is
# terraform/modules/platform, the same the local root applies to the emulator.

module "platform" {
  source = "../../modules/platform"

  environment          = "staging"
  name_prefix          = "foyer-staging"
  artifacts_dir        = var.artifacts_dir
  payment_provider_url = var.payment_provider_url
  sender_email         = var.sender_email

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 30
  point_in_time_recovery         = true
  deletion_protection            = true
  secret_recovery_window_in_days = 7

  api_stages = var.api_stages
  waf = {
    rate_limit                = 1000
    rate_limit_window_seconds = 300
    log_retention_days        = 90
  }
  alarms = {
    emails         = var.alarm_emails
    p99_latency_ms = 1000
  }
}
