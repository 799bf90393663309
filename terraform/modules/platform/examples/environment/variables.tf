variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "artifacts_dir" {
  description = "Directory holding the Lambda zips from `make package`."
  type        = string
  default     = "../../../../../dist"
}
