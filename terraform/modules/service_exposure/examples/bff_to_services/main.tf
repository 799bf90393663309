# Two services behind AWS_IAM function URLs and a BFF role allowed to call exactly one of them.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "exposure" {
  source = "../.."

  services = { catalog = "foyer-example-catalog", orders = "foyer-example-orders" }
  callers  = { web = { role_name = "foyer-example-web", services = ["catalog"] } }
}
