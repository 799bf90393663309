# environments/staging: prod's shape at prod's settings where they guard data (PITR, deletion
# protection), shorter retention, no provisioned concurrency. Only values: the topology is
# terraform/modules/platform, the same the local root applies to the emulator.

module "platform" {
  source = "../../modules/platform"

  environment   = "staging"
  name_prefix   = "foyer-staging"
  artifacts_dir = var.artifacts_dir
  # Placeholders until the account is set up: the provider's live URL and the verified SES sender.
  payment_provider_url = "https://api.payments.example"
  sender_email         = "orders@staging.foyer.example"

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 30
  point_in_time_recovery         = true
  deletion_protection            = true
  secret_recovery_window_in_days = 7

  # The REST API stages (bff-edge's API Gateway module) are wired here once that module is in this root.
  api_stages = {}
  waf = {
    rate_limit                = 1000
    rate_limit_window_seconds = 300
    log_retention_days        = 90
  }
  alarms = {
    emails         = ["platform-oncall@foyer.example"]
    p99_latency_ms = 1000
  }
}
