variable "services" {
  description = "Domain service => its Lambda function's name: each gets a function URL that answers only SigV4-signed callers (AWS_IAM)."
  type        = map(string)

  validation {
    condition     = alltrue([for name in values(var.services) : can(regex("^[A-Za-z0-9_-]{1,64}$", name))])
    error_message = "Every function name must be 1-64 letters, digits, '_' or '-' (Lambda's rule); got ${jsonencode(var.services)}."
  }
}

variable "callers" {
  description = "Caller (a BFF) => { role_name: its execution role, services: the services its code calls }; the role may invoke exactly those services' URLs."
  type = map(object({
    role_name = string
    services  = list(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for caller in values(var.callers) : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", caller.role_name))])
    error_message = "Every role_name must be an IAM role name (1-64 of letters, digits and +=,.@_-), not an ARN; got ${jsonencode([for c in values(var.callers) : c.role_name])}."
  }

  # Cross-variable validation (Terraform >= 1.9): a caller naming a service that is not exposed would
  # get a statement on a function that does not exist, and fail only at run time with AccessDenied.
  validation {
    condition     = alltrue(flatten([for caller in values(var.callers) : [for s in caller.services : contains(keys(var.services), s)]]))
    error_message = "Every service a caller calls must be one of the services exposed here (${join(", ", sort(keys(var.services)))}); unknown: ${jsonencode(distinct(flatten([for caller in values(var.callers) : [for s in caller.services : s if !contains(keys(var.services), s)]])))}."
  }
}

variable "qualifiers" {
  description = "Service => the alias its URL points at (e.g. \"live\" with SnapStart or provisioned concurrency); services not listed point at the unqualified function."
  type        = map(string)
  default     = {}
}

variable "policy_name" {
  description = "Name of the inline policy each caller's role gets: unique per role, so a role granted services by several calls of this module keeps every grant."
  type        = string
  default     = "invoke-services"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,128}$", var.policy_name))
    error_message = "policy_name must be an IAM policy name (1-128 of letters, digits and +=,.@_-); got \"${var.policy_name}\"."
  }
}
