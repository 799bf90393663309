# environments/prod: point-in-time recovery and deletion protection on every table, a year of logs,
# the tightest WAF limit, provisioned concurrency on the BFFs. Only values: the topology is
# terraform/modules/platform, the same the local root applies to the emulator.

module "platform" {
  source = "../../modules/platform"

  environment   = "prod"
  name_prefix   = "foyer-prod"
  artifacts_dir = var.artifacts_dir
  # Placeholders until the account is set up: the provider's live URL and the verified SES sender.
  payment_provider_url = "https://api.payments.example"
  sender_email         = "orders@prod.foyer.example"

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 365
  point_in_time_recovery         = true
  deletion_protection            = true
  secret_recovery_window_in_days = 30

  # The BFFs answer people: no cold start on their path (lambda_app: an alias with provisioned
  # concurrency). Once the BFF apps are in locals.apps: { web = 2, mobile = 2, partner = 1 }.
  provisioned_concurrency = {}

  # The REST API stages (bff-edge's API Gateway module) are wired here once that module is in this root.
  api_stages = {}
  waf = {
    rate_limit                = 500
    rate_limit_window_seconds = 300
    log_retention_days        = 365
  }
  alarms = {
    emails         = ["platform-oncall@foyer.example"]
    p99_latency_ms = 800
  }
}
