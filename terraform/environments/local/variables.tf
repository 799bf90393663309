variable "aws_endpoint" {
  description = "Base URL of the AWS emulator every service endpoint points at, e.g. http://127.0.0.1:5000."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/\\s]+/?$", var.aws_endpoint))
    error_message = "aws_endpoint must be an http(s) URL with a host and optional port, e.g. http://127.0.0.1:5000."
  }
}

variable "region" {
  description = "Region the emulator pretends to be."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region, e.g. eu-west-1."
  }
}

variable "artifacts_dir" {
  description = "Directory holding the Lambda zips from `make package`, relative to this root or absolute."
  type        = string
  default     = "../../../dist"
}

variable "name_prefix" {
  description = "Prefix of every resource name, so several stacks can share one emulator."
  type        = string
  default     = "foyer-local"
}

variable "payment_provider_url" {
  description = "Base URL of the payment provider payments charges through: the local sandbox (devtools/devstack/payment_sandbox)."
  type        = string
  default     = "http://127.0.0.1:8199"
}

variable "payment_provider_key" {
  description = "The API key the local payment sandbox accepts (not a secret: the sandbox is local only)."
  type        = string
  default     = "sk_test_foyer_sandbox_4eC39HqLyjWDarjtT1zdp7dc"
}

variable "sender_email" {
  description = "The address notifications e-mails customers from (verified in the emulator's SES)."
  type        = string
  default     = "orders@foyer.example"
}

variable "jwt_issuer" {
  description = "The `iss` of the tokens the authorizer accepts: the local issuer (devtools/devstack/issuer.py)."
  type        = string
  default     = "https://issuer.foyer.local"
}

variable "jwt_audience" {
  description = "The `aud` of the tokens the authorizer accepts."
  type        = string
  default     = "foyer-bff"
}

variable "jwks_url" {
  description = "Where the authorizer reads the issuer's public keys: the dev stack passes the local issuer's JWKS file (file://)."
  type        = string
  default     = "https://issuer.foyer.local/.well-known/jwks.json"

  validation {
    condition     = can(regex("^(https?|file)://", var.jwks_url))
    error_message = "jwks_url must be an https://, http:// or file:// URL; got \"${var.jwks_url}\"."
  }
}

variable "partner_tiers" {
  description = "Usage plan per partner tier (rest_api's `usage_plans`): small, so the local stack shows throttling and quotas quickly."
  type = map(object({
    rate  = number
    burst = number
    quota = optional(object({ limit = number, period = string, offset = optional(number, 0) }))
  }))
  default = {
    bronze = { rate = 2, burst = 5, quota = { limit = 1000, period = "DAY", offset = 0 } }
    gold   = { rate = 20, burst = 40, quota = { limit = 100000, period = "MONTH", offset = 0 } }
  }
}

variable "cors_origins" {
  description = "Origins (scheme://host[:port]) whose pages may call the web BFF: its CORS_ORIGINS (a front end's dev server). The first is the one origin the web API's own answers admit."
  type        = list(string)
  default     = ["http://localhost:3000"]
}
