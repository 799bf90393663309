variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name of the bus (one per environment)."
  type        = string
  default     = "foyer-example"
}
