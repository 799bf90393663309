# The payment provider's key under a customer managed key, readable by the payments role alone. Put
# the value outside Terraform: aws secretsmanager put-secret-value --secret-id <arn> --secret-string ...

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "secrets" {
  source = "../.."

  name_prefix = "foyer-example"
  secrets = {
    "payment-provider/api-key" = { description = "The payment provider's API key (payments)." }
  }
  readers = { "payment-provider/api-key" = [var.payments_role_arn] }
}
