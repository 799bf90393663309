provider "aws" {
  region = var.region
  # A bootstrap with the wrong account's credentials stops here instead of creating anything in it.
  allowed_account_ids = var.account_id == null ? null : [var.account_id]

  default_tags {
    tags = {
      project = "foyer"
      purpose = "bootstrap"
    }
  }
}
