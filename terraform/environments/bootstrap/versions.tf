terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # No backend block: this root creates the state bucket the other roots use, so its own state starts
  # local (docs/deploy.md: Bootstrap an account). It is small and can be moved into the bucket later.
}
