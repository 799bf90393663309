variable "calls" {
  description = "App => the apps it calls over HTTP (empty for none; no apps, three empty layers). Every callee must be an app here, and no chain may be longer than caller -> caller -> callee (three layers)."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue(flatten([for app, callees in var.calls : [for callee in callees : contains(keys(var.calls), callee)]]))
    error_message = "Every callee must be an app of the map; unknown: ${jsonencode({ for app, callees in var.calls : app => [for c in callees : c if !contains(keys(var.calls), c)] if length([for c in callees : c if !contains(keys(var.calls), c)]) > 0 })}."
  }

  # Terraform cannot give one module call's outputs back to its own inputs, so each layer is a module
  # call of its own and the platform declares three; a cycle can never be layered at all.
  validation {
    condition = length([
      for app, callees in var.calls : app
      if length(setsubtract(callees, [for a, c in var.calls : a if length(setsubtract(c, [for b, d in var.calls : b if length(d) == 0])) == 0])) > 0
    ]) == 0
    error_message = "Calls must form at most three layers (callers of callers of apps that call nobody), without a cycle; these apps call a chain too deep or a cycle: ${join(", ", sort([for app, callees in var.calls : app if length(setsubtract(callees, [for a, c in var.calls : a if length(setsubtract(c, [for b, d in var.calls : b if length(d) == 0])) == 0])) > 0]))}."
  }
}
