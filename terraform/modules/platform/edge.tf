# The BFFs' edges: one REST API per BFF of local.apps, the JWT authorizer in front of web
# and mobile, API keys under usage plans in front of partner. The emulator stores all of it but
# enforces none: the dev stack reads it back (output `apis`, and the keys from the emulator) and enforces it in the
# BFFs under uvicorn and in its local gateway (Lambda mode).

locals {
  # The routes a BFF answers without identity (no 401 or 403 in its OpenAPI), and FastAPI's own
  # documentation pages: open at the gateway too. tests/terraform/test_local_apply.py compares them
  # with each BFF's OpenAPI.
  docs_routes = { "/openapi.json" = ["GET"], "/docs" = ["GET"], "/docs/oauth2-redirect" = ["GET"], "/redoc" = ["GET"] }
  shop_routes = merge(local.docs_routes, {
    "/health"                         = ["GET"]
    "/home"                           = ["GET"]
    "/categories/{category}/products" = ["GET"]
    "/products/{sku}"                 = ["GET"]
  })

  # Each BFF's `edge` in locals.apps (main.tf), keyed by app name. `browsers`: web pages call it
  # (CORS_ORIGINS, open preflights, the allowed origin on the gateway's own answers).
  edges = { for name, app in local.apps : name => app.edge if try(app.edge, null) != null }
  apis  = local.edges

  # The partner BFF maps the gateway's apiKeyId to its partner through the key records in its own
  # table (foyer.identity; written by python -m devtools.cli.partner_keys, which issues the keys
  # outside Terraform so that no key value enters state).
  edge_environment = merge(
    contains(keys(local.apis), "partner") ? {
      # The tiers' plans, told to partners as RateLimit-Policy (bff/partner/rate_limits.py).
      partner = { FOYER_PARTNER_KEY_TABLE = module.table["partner"].name, PARTNER_PLANS = jsonencode(var.partner_tiers) }
    } : {},
    # The web BFF admits browsers from these origins only (bff/web/settings.py).
    { for name, edge in local.edges : name => { CORS_ORIGINS = join(",", var.cors_origins) } if edge.browsers },
  )
  # A gateway response holds one static origin: the first of cors_origins (the shop's own site).
  gateway_origin = length(var.cors_origins) == 0 ? null : var.cors_origins[0]

  # Every stage gets its web ACL (cloud.tf) and the API alarms.
  api_stages = {
    for name, api in module.api : name => { arn = api.stage_arn, api_name = api.name, stage_name = api.stage_name }
  }
  # Where provisioned concurrency sits (lambda_app's alias): what API Gateway invokes.
  edge_qualifiers = { for name in keys(local.apis) : name => lookup(var.provisioned_concurrency, name, 0) > 0 ? "live" : null }
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
  function_invoke_arn = local.functions[each.key].qualified_invoke_arn
  function_qualifier  = local.edge_qualifiers[each.key]
  public_routes       = each.value.public_routes
  cors_allow_origin   = each.value.browsers ? local.gateway_origin : null
  throttling          = lookup(var.api_throttling, each.key, null)
  authorizer = each.value.authorizer ? {
    function_name      = module.authorizer.function_name
    invoke_arn         = module.authorizer.invoke_arn
    result_ttl_seconds = 300
    # The emulator drops the expression when it creates an authorizer, so locally every second apply
    # would patch it in again: there rest_api's default stays cloud-only ("" is none).
    identity_validation_expression = var.environment == "local" ? "" : null
  } : null
  api_key_required          = each.value.api_key_required
  usage_plans               = each.value.api_key_required ? var.partner_tiers : {}
  access_log_retention_days = var.log_retention_days
  tags                      = var.tags
}
