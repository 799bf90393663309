variable "account_id" {
  description = "The AWS account to bootstrap; the provider refuses any other. null skips the check (plans against the emulator)."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits; got ${jsonencode(var.account_id)}."
  }
}

variable "region" {
  description = "The region the environments live in: the state bucket's and the API Gateway account setting's."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1; got ${jsonencode(var.region)}."
  }
}

variable "github_repository" {
  description = "The repository whose workflow deploys (`owner/name`): only its jobs, in the matching GitHub environment, may assume the deploy roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be owner/name; got ${jsonencode(var.github_repository)}."
  }
}

variable "environments" {
  description = "The environments deployed from this account: each gets a deploy role (GitHub environment <name>) and a read-only plan role (<name>-plan)."
  type        = list(string)
  default     = ["dev", "staging", "prod"]

  validation {
    condition     = length(var.environments) > 0 && length(distinct(var.environments)) == length(var.environments) && alltrue([for name in var.environments : can(regex("^[a-z][a-z0-9]{0,15}$", name))])
    error_message = "environments must name at least one environment, each once, each lower-case letters and digits (at most 16)."
  }
}

variable "state_bucket_name" {
  description = "Name of the Terraform state bucket; null names it foyer-tfstate-<account id>-<region>."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name (3-63 characters: lower-case letters, digits, dots, hyphens)."
  }
}

variable "github_oidc_provider_arn" {
  description = "ARN of the account's existing GitHub OIDC provider (an account holds one per URL); null creates it."
  type        = string
  default     = null
}

variable "noncurrent_state_days" {
  description = "Days an overwritten state version is kept before S3 expires it (the versions are the way back from a bad apply)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_state_days >= 1 && floor(var.noncurrent_state_days) == var.noncurrent_state_days
    error_message = "noncurrent_state_days must be a whole number of days, at least 1."
  }
}
