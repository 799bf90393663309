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
  # The identity provider whose RS256 user tokens the web and mobile authorizer accepts (placeholder).
  jwt_issuer = "https://auth.staging.foyer.example"
  jwks_url   = "https://auth.staging.foyer.example/.well-known/jwks.json"
  # Partner usage plans per tier; keys are issued under them by python -m devtools.cli.partner_keys
  # (docs/partners.md), so that no key's value enters the state.
  partner_tiers = {
    bronze = { rate = 5, burst = 10, quota = { limit = 10000, period = "DAY" } }
    gold   = { rate = 50, burst = 100, quota = { limit = 1000000, period = "MONTH" } }
  }

  # `make cost`: the cheapest memory that meets the latency goal for the services (dist/bench.json).
  memory_size                    = 768
  log_retention_days             = 30
  point_in_time_recovery         = true
  deletion_protection            = true
  secret_recovery_window_in_days = 7

  # The reconciler resends an order's pending step after resend_after_s and expires it after
  # expire_after_s (after payments' retries of an unanswered charge, 5 x 180 s).
  order_deadlines = { resend_after_s = 120, expire_after_s = 1800 }
  # Queue consumers and relays keep a share of the account's concurrency.
  event_concurrency            = 2
  event_archive_retention_days = 14

  # The web shop's origins (CORS_ORIGINS); the first is the one the web API's own errors admit.
  cors_origins = var.cors_origins

  # A web ACL per API. Browsers and apps are counted per IP, 1000 requests per 5 minutes; partners per
  # API key, above the gold tier's 50 requests/s (a partner's tier is the usage plan's to enforce),
  # with a per-IP ceiling for floods that carry no key.
  waf = {
    rate_rules = {
      web    = [{ name = "RatePerIp", limit = 1000 }]
      mobile = [{ name = "RatePerIp", limit = 1000 }]
      partner = [
        { name = "RatePerApiKey", limit = 18000, key_header = "x-api-key" },
        { name = "RatePerIp", limit = 30000 },
      ]
    }
    log_retention_days = 90
  }
  # Stage throttling per API (requests/s, burst): the anonymous catalogue pages are the cheapest to
  # flood, so they get a share of the stage's limit, not all of it.
  api_throttling = {
    web = {
      rate_limit = 200, burst_limit = 400
      methods = {
        "GET /home"                           = { rate_limit = 50, burst_limit = 100 }
        "GET /categories/{category}/products" = { rate_limit = 50, burst_limit = 100 }
        "GET /products/{sku}"                 = { rate_limit = 50, burst_limit = 100 }
      }
    }
    mobile = {
      rate_limit = 200, burst_limit = 400
      methods = {
        "GET /home"                           = { rate_limit = 50, burst_limit = 100 }
        "GET /categories/{category}/products" = { rate_limit = 50, burst_limit = 100 }
        "GET /products/{sku}"                 = { rate_limit = 50, burst_limit = 100 }
      }
    }
    partner = { rate_limit = 200, burst_limit = 400 }
  }
  alarms = {
    emails         = ["platform-oncall@foyer.example"]
    p99_latency_ms = 1000
  }
}
