variable "name" {
  description = "Name of the environment's event bus, e.g. `foyer-dev`; also names its archive."
  type        = string

  validation {
    # Custom buses may not contain '/' (partner buses only) and cannot be called "default". The archive
    # takes the same name, and archive names are at most 48 characters.
    condition     = can(regex("^[A-Za-z0-9._-]{1,48}$", var.name)) && var.name != "default"
    error_message = "name must be 1-48 characters of A-Z, a-z, 0-9, '.', '_' or '-' and not \"default\" (the account's own bus); got \"${var.name}\"."
  }
}

variable "description" {
  description = "Description of the bus."
  type        = string
  default     = "Domain events of one environment (versioned envelopes)."
  nullable    = false

  validation {
    condition     = length(var.description) <= 512
    error_message = "description must be at most 512 characters; got ${length(var.description)}."
  }
}

variable "archive_retention_days" {
  description = "Keep every event in an archive for replay for this many days (0 = indefinitely), or null for no archive (the local emulator needs none)."
  type        = number
  default     = null

  validation {
    condition     = var.archive_retention_days == null || try(var.archive_retention_days >= 0 && floor(var.archive_retention_days) == var.archive_retention_days, false)
    error_message = "archive_retention_days must be null (no archive), 0 (keep indefinitely) or a whole number of days; got ${jsonencode(var.archive_retention_days)}."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key encrypting events on the bus, or null for an AWS owned key. Its key policy must allow `events.amazonaws.com` kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt (conditioned on this bus' ARN)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>); got ${jsonencode(var.kms_key_arn)}."
  }
}

variable "tags" {
  description = "Tags applied to the bus."
  type        = map(string)
  default     = {}
}
