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

variable "cors_origins" {
  description = "Origins (scheme://host[:port]) whose pages may call the web BFF: its CORS_ORIGINS. The first is the one origin the web API's own answers (gateway responses, WAF's 429) admit."
  type        = list(string)
  default     = ["https://www.foyer.example"]
}
