# environments/dev: the cheapest environment that still runs everything as in prod: tables unprotected
# (re-created freely), two weeks of logs, the loosest WAF limit. Only values: the
# topology is terraform/modules/platform, the same the local root applies to the emulator.

module "platform" {
  source = "../../modules/platform"

  environment   = "dev"
  name_prefix   = "foyer-dev"
  artifacts_dir = var.artifacts_dir
  # Placeholders until the account is set up: the provider's live URL and the verified SES sender.
  payment_provider_url = "https://api.payments.example"
  sender_email         = "orders@dev.foyer.example"

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 14
  point_in_time_recovery         = true
  deletion_protection            = false
  secret_recovery_window_in_days = 0

  # The REST API stages (bff-edge's API Gateway module) are wired here once that module is in this root.
  api_stages = {}
  waf = {
    rate_limit                = 2000
    rate_limit_window_seconds = 300
    log_retention_days        = 30
  }
  alarms = {
    emails         = ["platform-oncall@foyer.example"]
    p99_latency_ms = 1500
  }
}
