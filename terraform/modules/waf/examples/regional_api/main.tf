# A web ACL in front of one REST API stage, as a cloud root wires it (the stage comes from the API
# Gateway module). terraform init && terraform apply with AWS credentials.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "waf" {
  source = "../.."

  name       = "foyer-example-api"
  stage_arns = { web = var.web_stage_arn }
  rate_rules = [{ name = "RatePerIp", limit = 1000 }]
}
