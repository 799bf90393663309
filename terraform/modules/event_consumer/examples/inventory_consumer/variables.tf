variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name (environment and project); also the bus' name."
  type        = string
  default     = "foyer-example"
}

variable "artifact_path" {
  description = "The inventory's zip from `make package`."
  type        = string
  default     = "../../../../../dist/inventory.zip"
}

variable "alarm_topic_arn" {
  description = "SNS topic told when the DLQ holds messages, or null for an alarm without actions."
  type        = string
  default     = null
}
