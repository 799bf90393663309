variable "name" {
  description = "Table name (unique per account and region)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of a-z, A-Z, 0-9, '_', '-' or '.'."
  }
}

variable "hash_key" {
  description = "Partition key attribute name; it must be declared in `attributes`."
  type        = string
}

variable "range_key" {
  description = "Sort key attribute name (declared in `attributes`), or null for a partition-key-only table."
  type        = string
  default     = null
}

variable "attributes" {
  description = "Key attributes of the table and its indexes: name and type (S, N or B). Only key attributes belong here."
  type = list(object({
    name = string
    type = string
  }))

  validation {
    condition     = alltrue([for a in var.attributes : contains(["S", "N", "B"], a.type)])
    error_message = "Every attribute type must be one of S, N, B."
  }

  validation {
    condition     = length(distinct([for a in var.attributes : a.name])) == length(var.attributes)
    error_message = "Attribute names must be unique."
  }
}

variable "global_secondary_indexes" {
  description = "Global secondary indexes. projection_type is ALL, KEYS_ONLY or INCLUDE (then list non_key_attributes)."
  type = list(object({
    name               = string
    hash_key           = string
    range_key          = optional(string)
    projection_type    = optional(string, "ALL")
    non_key_attributes = optional(list(string))
  }))
  default = []

  validation {
    condition     = alltrue([for i in var.global_secondary_indexes : contains(["ALL", "KEYS_ONLY", "INCLUDE"], i.projection_type)])
    error_message = "projection_type must be ALL, KEYS_ONLY or INCLUDE."
  }

  validation {
    condition     = alltrue([for i in var.global_secondary_indexes : (i.projection_type == "INCLUDE") == (i.non_key_attributes != null)])
    error_message = "non_key_attributes is required with projection_type INCLUDE and only allowed with it."
  }
}

variable "ttl_attribute" {
  description = "Attribute holding the expiry time (epoch seconds) for DynamoDB TTL, or null to disable TTL."
  type        = string
  default     = null
}

variable "stream_enabled" {
  description = "Enable DynamoDB Streams (NEW_AND_OLD_IMAGES), e.g. for an outbox relay."
  type        = bool
  default     = false
}

variable "point_in_time_recovery" {
  description = "Enable point-in-time recovery (continuous backups)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for server-side encryption, or null for the AWS managed key (alias/aws/dynamodb)."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse to delete the table. Keep true in cloud environments; the local environment sets false."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags applied to the table."
  type        = map(string)
  default     = {}
}
