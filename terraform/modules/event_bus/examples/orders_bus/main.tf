# One environment's bus as a cloud root would declare it: every domain event of the environment goes
# through it, and an archive keeps them 30 days so a consumer that was down or wrong can be replayed.
# With AWS credentials: terraform init && terraform apply.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "bus" {
  source = "../.."

  name                   = var.name
  archive_retention_days = 30
}
