variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region, e.g. eu-west-1; got \"${var.region}\"."
  }
}

variable "account_id" {
  description = "The AWS account this environment lives in; the provider refuses any other. null skips the check (plans against the emulator)."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits; got ${jsonencode(var.account_id)}."
  }
}

variable "artifacts_dir" {
  description = "Directory holding the Lambda zips from `make package`, relative to this root or absolute."
  type        = string
  default     = "../../../dist"
}

variable "payment_provider_url" {
  description = "Base URL of the payment provider payments charges through."
  type        = string
}

variable "sender_email" {
  description = "The address notifications e-mails customers from (verify it in SES once)."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses the alarm topic e-mails (each confirms its subscription once)."
  type        = list(string)
}

variable "api_stages" {
  description = "API stage key => { arn, api_name, stage_name } of the REST API stages in front of the BFFs: each gets the web ACL and the 5XX and p99 alarms."
  type = map(object({
    arn        = string
    api_name   = string
    stage_name = string
  }))
  default = {}
}

variable "bff_provisioned_concurrency" {
  description = "BFF app name => provisioned concurrent executions on its alias (e.g. { web = 2, mobile = 2, partner = 1 })."
  type        = map(number)
}
