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

variable "dist_dir" {
  description = "Where `make package` wrote the zips (partner.zip, web.zip, authorizer.zip)."
  type        = string
  default     = "../../../../../dist"
}

variable "jwks_url" {
  description = "The identity provider's JWKS URL, which the authorizer verifies tokens against."
  type        = string
  default     = "https://issuer.example.com/.well-known/jwks.json"
}

variable "jwt_issuer" {
  description = "The `iss` the identity provider puts in its tokens."
  type        = string
  default     = "https://issuer.example.com/"
}
