variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "alarm_emails" {
  description = "Who is e-mailed when an alarm fires."
  type        = list(string)
  default     = ["platform-oncall@foyer.example"]
}
