# The partner API (API keys under usage plans per tier) and the web API (a JWT authorizer) as a cloud
# root would wire them: each BFF a lambda_app, each API a rest_api, the authorizer a lambda_app of
# its own. Partner keys are issued afterwards, outside Terraform (python -m devtools.cli.partner_keys).
# `make package` first (dist/*.zip), then with AWS credentials: terraform init && terraform apply.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

locals {
  usage_plans = {
    bronze = { rate = 5, burst = 10, quota = { limit = 10000, period = "DAY" } }
    gold   = { rate = 50, burst = 100 }
  }
}

module "authorizer" {
  source = "../../../lambda_app"

  function_name = "${var.name_prefix}-authorizer"
  description   = "Verifies RS256 JWTs for the web API."
  artifact_path = "${var.dist_dir}/authorizer.zip"
  handler       = "bff.authorizer.handler.handler"
  environment_variables = {
    FOYER_SERVICE      = "authorizer"
    FOYER_JWT_ISSUER   = var.jwt_issuer
    FOYER_JWT_AUDIENCE = "foyer-bff"
    FOYER_JWKS_URL     = var.jwks_url
  }
}

module "web" {
  source = "../../../lambda_app"

  function_name = "${var.name_prefix}-web"
  artifact_path = "${var.dist_dir}/web.zip"
  handler       = "bff.web.handler.handler"
}

module "web_api" {
  source = "../.."

  name                = "${var.name_prefix}-web"
  function_name       = module.web.function_name
  function_invoke_arn = module.web.invoke_arn
  authorizer = {
    function_name = module.authorizer.function_name
    invoke_arn    = module.authorizer.invoke_arn
  }
}

# The BFF maps the gateway's API key id to its partner through the key records the issuing command
# writes to its table (FOYER_PARTNER_KEY_TABLE; the platform module passes its own table's name).
module "partner" {
  source = "../../../lambda_app"

  function_name = "${var.name_prefix}-partner"
  artifact_path = "${var.dist_dir}/partner.zip"
  handler       = "bff.partner.handler.handler"
  environment_variables = {
    FOYER_SERVICE = "partner"
  }
}

module "partner_api" {
  source = "../.."

  name                = "${var.name_prefix}-partner"
  function_name       = module.partner.function_name
  function_invoke_arn = module.partner.invoke_arn
  api_key_required    = true
  usage_plans         = local.usage_plans
}
