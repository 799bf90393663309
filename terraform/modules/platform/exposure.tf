# Service-to-service auth: every domain service (an app whose handler is under services.) answers only
# SigV4-signed callers on its function URL, and an app that lists `calls = [<service>, ...]` in
# locals.apps (the BFFs) gets a role allowed to invoke exactly those services' URLs.

locals {
  services = { for name, app in local.apps : name => app if startswith(app.handler, "services.") }
}

module "service_exposure" {
  source = "../service_exposure"

  services = { for name, app in local.services : name => module.app[name].function_name }
  callers = {
    for name, app in local.apps : name => {
      role_name = module.app[name].role_name
      services  = try(app.calls, [])
    } if length(try(app.calls, [])) > 0
  }
  qualifiers = { for name in keys(local.services) : name => "live" if lookup(var.provisioned_concurrency, name, 0) > 0 }
}
