variable "region" {
  description = "Region to create the table in."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of the table name (environment and project)."
  type        = string
  default     = "foyer-example"
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the table, or null for the AWS managed key."
  type        = string
  default     = null
}
