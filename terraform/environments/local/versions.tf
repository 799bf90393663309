terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # The state path is chosen by whoever applies (the dev stack, the tests):
  # terraform init -backend-config=path=<file>
  backend "local" {}
}
