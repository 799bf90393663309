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
  # The identity provider whose RS256 user tokens the web and mobile authorizer accepts (placeholder).
  jwt_issuer = "https://auth.dev.foyer.example"
  jwks_url   = "https://auth.dev.foyer.example/.well-known/jwks.json"
  # Partner usage plans per tier; keys are issued under them by python -m foyer.cli.partner_keys
  # (docs/partners.md), so that no key's value enters the state.
  partner_tiers = {
    bronze = { rate = 5, burst = 10, quota = { limit = 10000, period = "DAY" } }
    gold   = { rate = 50, burst = 100, quota = { limit = 1000000, period = "MONTH" } }
  }

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 14
  point_in_time_recovery         = true
  deletion_protection            = false
  secret_recovery_window_in_days = 0

  # The reconciler resends an order's pending step after resend_after_s and expires it after
  # expire_after_s (after payments' retries of an unanswered charge, 5 x 180 s).
  order_deadlines = { resend_after_s = 120, expire_after_s = 1200 }
  # The bus keeps a week of events for replay.
  event_archive_retention_days = 7

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
