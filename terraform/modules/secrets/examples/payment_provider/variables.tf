variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "payments_role_arn" {
  description = "Execution role of the payments function (lambda_app's role_arn)."
  type        = string
  default     = "arn:aws:iam::123456789012:role/foyer-example-payments"
}
