# The BFFs' edges (issue 7): one REST API per BFF of local.apps, the JWT authorizer in front of web
# and mobile, API keys under usage plans in front of partner. The emulator stores all of it but
# enforces none: the dev stack reads it back (output `apis`, and the keys from the emulator) and enforces it in the
# BFFs under uvicorn and in its local gateway (Lambda mode).

locals {
  # Keyed by app name; an edge appears once its app is in locals.apps.
  edges = {
    web     = { authorizer = true, api_key_required = false }
    mobile  = { authorizer = true, api_key_required = false }
    partner = { authorizer = false, api_key_required = true }
  }
  apis = { for name, edge in local.edges : name => edge if contains(keys(local.apps), name) }

  # The partner BFF maps the gateway's apiKeyId to its partner through the key records in its own
  # table (foyer.identity; written by python -m foyer.cli.partner_keys, which issues the keys
  # outside Terraform so that no key value enters state).
  edge_environment = contains(keys(local.apis), "partner") ? {
    partner = { FOYER_PARTNER_KEY_TABLE = module.table["partner"].name }
  } : {}

  # Every stage gets the web ACL (cloud.tf) and the API alarms.
  api_stages = {
    for name, api in module.api : name => { arn = api.stage_arn, api_name = api.name, stage_name = api.stage_name }
  }
}

module "authorizer" {
  source = "../lambda_app"

  function_name      = "${var.name_prefix}-authorizer"
  description        = "Verifies RS256 JWTs for the web and mobile APIs."
  artifact_path      = "${var.artifacts_dir}/authorizer.zip"
  handler            = "bff.authorizer.handler.handler"
  memory_size        = var.memory_size
  log_retention_days = var.log_retention_days
  tags               = var.tags

  environment_variables = {
    FOYER_ENV          = var.environment
    FOYER_SERVICE      = "authorizer"
    FOYER_JWT_ISSUER   = var.jwt_issuer
    FOYER_JWT_AUDIENCE = var.jwt_audience
    FOYER_JWKS_URL     = var.jwks_url
  }
}

module "api" {
  source   = "../rest_api"
  for_each = local.apis

  name                = "${var.name_prefix}-${each.key}"
  stage_name          = var.environment
  function_name       = local.functions[each.key].function_name
  function_invoke_arn = local.functions[each.key].invoke_arn
  authorizer = each.value.authorizer ? {
    function_name      = module.authorizer.function_name
    invoke_arn         = module.authorizer.invoke_arn
    result_ttl_seconds = 300
  } : null
  api_key_required          = each.value.api_key_required
  usage_plans               = each.value.api_key_required ? var.partner_tiers : {}
  access_log_retention_days = var.log_retention_days
  tags                      = var.tags
}
