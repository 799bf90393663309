variable "region" {
  description = "Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name (environment and project)."
  type        = string
  default     = "foyer-example"
}

variable "artifact_path" {
  description = "The catalog's zip from `make package`."
  type        = string
  default     = "../../../../../dist/catalog.zip"
}
