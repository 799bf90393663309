# environments/dev: the cheapest environment that still runs everything as in prod: tables unprotected and without PITR (re-created freely), two weeks of logs, the loosest WAF limit. Only values: the topology is
# terraform/modules/platform, the same the local root applies to the emulator.

module "platform" {
  source = "../../modules/platform"

  environment          = "dev"
  name_prefix          = "foyer-dev"
  artifacts_dir        = var.artifacts_dir
  payment_provider_url = var.payment_provider_url
  sender_email         = var.sender_email

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 14
  point_in_time_recovery         = false
  deletion_protection            = false
  secret_recovery_window_in_days = 0

  api_stages = var.api_stages
  waf = {
    rate_limit                = 2000
    rate_limit_window_seconds = 300
    log_retention_days        = 30
  }
  alarms = {
    emails         = var.alarm_emails
    p99_latency_ms = 1500
  }
}
