variable "name_prefix" {
  description = "Prefix of every secret name (<name_prefix>/<secret>) and of the key's alias."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 characters of lowercase letters, digits and '-', starting with a letter; got \"${var.name_prefix}\"."
  }
}

variable "secrets" {
  description = "Secret name (under name_prefix) => { description, rotation_lambda_arn (null: no rotation), rotation_days }."
  type = map(object({
    description         = string
    rotation_lambda_arn = optional(string)
    rotation_days       = optional(number, 30)
  }))

  validation {
    condition     = alltrue([for name in keys(var.secrets) : can(regex("^[A-Za-z0-9/_+=.@-]{1,200}$", name))])
    error_message = "Secret names may hold only letters, digits and /_+=.@- (Secrets Manager's alphabet); got ${jsonencode(keys(var.secrets))}."
  }

  validation {
    condition     = alltrue([for s in values(var.secrets) : s.rotation_days >= 1 && s.rotation_days <= 90 && floor(s.rotation_days) == s.rotation_days])
    error_message = "rotation_days must be a whole number of days from 1 to 90 (a rotated secret is at most 90 days old); got ${jsonencode([for s in values(var.secrets) : s.rotation_days])}."
  }

  validation {
    condition     = alltrue([for s in values(var.secrets) : s.rotation_lambda_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$", s.rotation_lambda_arn))])
    error_message = "rotation_lambda_arn must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>); got ${jsonencode([for s in values(var.secrets) : s.rotation_lambda_arn])}."
  }
}

# Apart from `secrets` so that the secrets (whose ARNs go into the readers' environment) never wait on
# the readers' roles: one variable holding both would make the functions and their secrets a cycle.
variable "readers" {
  description = "Secret name => ARNs of the IAM roles that may read it; every other principal is denied GetSecretValue."
  type        = map(list(string))

  validation {
    condition     = alltrue(flatten([for arns in values(var.readers) : [for arn in arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))]]))
    error_message = "Every reader must be an IAM role ARN (arn:aws:iam::<account>:role/<name>); got ${jsonencode(var.readers)}."
  }

  validation {
    condition     = alltrue([for arns in values(var.readers) : length(arns) > 0])
    error_message = "Every secret listed in readers needs at least one reader role: a secret nobody may read is a mistake."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored: 0 (delete at once) or 7 to 30."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or from 7 to 30 (Secrets Manager's range); got ${var.recovery_window_in_days}."
  }
}

variable "key_deletion_window_in_days" {
  description = "Days before a scheduled deletion of the KMS key takes effect (7 to 30)."
  type        = number
  default     = 30

  validation {
    condition     = var.key_deletion_window_in_days >= 7 && var.key_deletion_window_in_days <= 30
    error_message = "key_deletion_window_in_days must be from 7 to 30 (KMS's range); got ${var.key_deletion_window_in_days}."
  }
}

variable "tags" {
  description = "Tags for the key and every secret."
  type        = map(string)
  default     = {}
}
