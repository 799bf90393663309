provider "aws" {
  region = "eu-west-1"
  # A plan with the wrong account's credentials stops here instead of planning against it.
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  default_tags {
    tags = {
      project     = "foyer"
      environment = "prod"
    }
  }
}
