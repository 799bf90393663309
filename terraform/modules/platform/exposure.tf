# Service-to-service auth: every domain service (an app whose handler is under services.) answers only
# SigV4-signed callers on its function URL, and an app that lists `calls = [<service>, ...]` in
# locals.apps gets a role allowed to invoke exactly those services' URLs. One service_exposure call
# per layer (layers.tf): a layer's URLs exist before the functions of the layers that call them.

locals {
  services = { for name, app in local.apps : name => app if startswith(app.handler, "services.") }
  # Layer => { services exposed there, callers => the services of that layer they call }.
  exposure_layers = [
    for layer in local.layers : {
      services = [for name in layer : name if contains(keys(local.services), name)]
      callers = {
        for name, app in local.apps : name => sort(distinct([for s in try(app.calls, []) : s if contains(layer, s)]))
        if length([for s in try(app.calls, []) : s if contains(layer, s)]) > 0
      }
    }
  ]
  # Caller => its role's name, whichever layer it is in (only exposure's callers read it).
  role_names = merge(
    { for name, app in module.app : name => app.role_name },
    { for name, app in module.app_layer1 : name => app.role_name },
    { for name, app in module.app_layer2 : name => app.role_name },
  )
}

module "service_exposure" {
  source = "../service_exposure"

  services    = { for name in local.exposure_layers[0].services : name => module.app[name].function_name }
  callers     = { for name, services in local.exposure_layers[0].callers : name => { role_name = local.role_names[name], services = services } }
  qualifiers  = { for name in local.exposure_layers[0].services : name => "live" if lookup(var.provisioned_concurrency, name, 0) > 0 }
  policy_name = "invoke-layer0-services"
}

module "service_exposure_layer1" {
  source = "../service_exposure"

  services    = { for name in local.exposure_layers[1].services : name => module.app_layer1[name].function_name }
  callers     = { for name, services in local.exposure_layers[1].callers : name => { role_name = local.role_names[name], services = services } }
  qualifiers  = { for name in local.exposure_layers[1].services : name => "live" if lookup(var.provisioned_concurrency, name, 0) > 0 }
  policy_name = "invoke-layer1-services"
}

# Nobody can call a service of the last layer (call_layers refuses a deeper chain): URLs, no grants.
module "service_exposure_layer2" {
  source = "../service_exposure"

  services    = { for name in local.exposure_layers[2].services : name => module.app_layer2[name].function_name }
  qualifiers  = { for name in local.exposure_layers[2].services : name => "live" if lookup(var.provisioned_concurrency, name, 0) > 0 }
  policy_name = "invoke-layer2-services"
}

locals {
  # Every layer's exposure merged, for the outputs and tests: service => URL, ARN; caller => services.
  service_urls          = merge(module.service_exposure.urls, module.service_exposure_layer1.urls, module.service_exposure_layer2.urls)
  service_function_arns = merge(module.service_exposure.function_arns, module.service_exposure_layer1.function_arns, module.service_exposure_layer2.function_arns)
  service_grants = {
    for caller in distinct(concat(keys(module.service_exposure.grants), keys(module.service_exposure_layer1.grants))) :
    caller => sort(concat(lookup(module.service_exposure.grants, caller, []), lookup(module.service_exposure_layer1.grants, caller, [])))
  }
}
