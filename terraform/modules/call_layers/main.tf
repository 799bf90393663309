# Which layer each app's function belongs to, from who calls whom: a caller's environment holds its
# callees' URLs, which exist only once their functions do, so callees are declared in an earlier
# module call than their callers (one call's variables are one graph node across its instances).
# Pure computation: no resources.

locals {
  # Apps that call nobody.
  first = sort([for app, callees in var.calls : app if length(callees) == 0])
  # Apps whose callees are all in the first layer.
  second = sort([for app, callees in var.calls : app if length(callees) > 0 && length(setsubtract(callees, local.first)) == 0])
  # Apps whose callees are all in the first two layers (the validation refuses anything else).
  third = sort([
    for app, callees in var.calls : app
    if !contains(concat(local.first, local.second), app) && length(setsubtract(callees, concat(local.first, local.second))) == 0
  ])
}
