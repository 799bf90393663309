variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "web_stage_arn" {
  description = "ARN of the REST API stage to protect."
  type        = string
  default     = "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/example"
}
