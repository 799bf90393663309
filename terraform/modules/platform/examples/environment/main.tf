# A whole environment from the platform module: what environments/{dev,staging,prod} do with their
# own values. `make package` first (dist/<app>.zip).

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "platform" {
  source = "../.."

  environment          = "dev"
  name_prefix          = "foyer-example"
  artifacts_dir        = var.artifacts_dir
  payment_provider_url = "https://api.payments.example"
  sender_email         = "orders@foyer.example"
  jwt_issuer           = "https://auth.foyer.example"
  jwks_url             = "https://auth.foyer.example/.well-known/jwks.json"
  memory_size          = 768
  order_deadlines      = { resend_after_s = 120, expire_after_s = 1800 }
  alarms               = { emails = ["platform-oncall@foyer.example"] }
  cors_origins         = ["https://shop.foyer.example"]
  waf = {
    rate_rules = {
      web     = [{ name = "RatePerIp", limit = 2000 }]
      mobile  = [{ name = "RatePerIp", limit = 2000 }]
      partner = [{ name = "RatePerApiKey", limit = 18000, key_header = "x-api-key" }]
    }
  }
}
