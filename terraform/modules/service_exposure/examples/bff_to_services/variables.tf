variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}
