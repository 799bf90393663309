# Each app's function in the layer of its calls (module call_layers): a caller's FOYER_SERVICE_URLS
# holds its callees' function URLs, which exist only once the callees' functions do, and Terraform
# sees one module call's variables as one graph node across its instances, so callers and callees
# cannot share a module call. Layer 0 calls nobody; layer 1 calls only layer 0; layer 2 only 0 and 1.
# Each layer's services get their URLs from their own service_exposure call (exposure.tf).

module "call_layers" {
  source = "../call_layers"

  calls = { for name, app in local.apps : name => distinct(try(app.calls, [])) }
}

locals {
  layers = module.call_layers.layers
  # What a caller's functions see besides app_environment: where its callees answer and, in the
  # cloud, that calls are SigV4-signed (function URLs admit only signed callers; locally unsigned).
  # One local per layer: a local is one graph node, and layer 1's may not wait for layer 1's URLs.
  caller_environment_1 = {
    for name in local.layers[1] : name => merge(
      { FOYER_SERVICE_URLS = jsonencode({ for callee in sort(local.apps[name].calls) : callee => module.service_exposure.urls[callee] }) },
      local.signing_environment,
    )
  }
  caller_environment_2 = {
    for name in local.layers[2] : name => merge(
      { FOYER_SERVICE_URLS = jsonencode({ for callee in sort(local.apps[name].calls) : callee => merge(module.service_exposure.urls, module.service_exposure_layer1.urls)[callee] }) },
      local.signing_environment,
    )
  }
  signing_environment = var.environment == "local" ? {} : { FOYER_SIGN_SERVICE_CALLS = "true" }
  # Every layer's functions as one map, app name => the lambda_app module's outputs. Only for what
  # no function's inputs depend on (outputs, edge, alarms): a function reading it would be a cycle.
  functions = merge(module.app, module.app_layer1, module.app_layer2)
}

module "app" {
  source   = "../lambda_app"
  for_each = { for name in local.layers[0] : name => local.apps[name] }

  function_name      = "${var.name_prefix}-${each.key}"
  artifact_path      = "${var.artifacts_dir}/${each.key}.zip"
  handler            = each.value.handler
  memory_size        = lookup(var.memory_size_by_app, each.key, var.memory_size)
  log_retention_days = var.log_retention_days
  # Only where a root asks for it (prod's BFFs): it publishes versions and puts an alias in front.
  provisioned_concurrency = lookup(var.provisioned_concurrency, each.key, 0)
  tags                    = var.tags

  environment_variables = local.app_environment[each.key]

  policy_statements = local.own_table_statements[each.key]
}

# The same declaration for layers 1 and 2; only the callers' environment differs.
module "app_layer1" {
  source   = "../lambda_app"
  for_each = { for name in local.layers[1] : name => local.apps[name] }

  function_name           = "${var.name_prefix}-${each.key}"
  artifact_path           = "${var.artifacts_dir}/${each.key}.zip"
  handler                 = each.value.handler
  memory_size             = lookup(var.memory_size_by_app, each.key, var.memory_size)
  log_retention_days      = var.log_retention_days
  provisioned_concurrency = lookup(var.provisioned_concurrency, each.key, 0)
  tags                    = var.tags

  environment_variables = merge(local.app_environment[each.key], local.caller_environment_1[each.key])

  policy_statements = local.own_table_statements[each.key]
}

module "app_layer2" {
  source   = "../lambda_app"
  for_each = { for name in local.layers[2] : name => local.apps[name] }

  function_name           = "${var.name_prefix}-${each.key}"
  artifact_path           = "${var.artifacts_dir}/${each.key}.zip"
  handler                 = each.value.handler
  memory_size             = lookup(var.memory_size_by_app, each.key, var.memory_size)
  log_retention_days      = var.log_retention_days
  provisioned_concurrency = lookup(var.provisioned_concurrency, each.key, 0)
  tags                    = var.tags

  environment_variables = merge(local.app_environment[each.key], local.caller_environment_2[each.key])

  policy_statements = local.own_table_statements[each.key]
}

# State written before the layers: the callers' functions keep their resources.
moved {
  from = module.app["orders"]
  to   = module.app_layer1["orders"]
}
moved {
  from = module.app["web"]
  to   = module.app_layer2["web"]
}
moved {
  from = module.app["mobile"]
  to   = module.app_layer2["mobile"]
}
moved {
  from = module.app["partner"]
  to   = module.app_layer2["partner"]
}
