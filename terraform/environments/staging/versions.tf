terraform {
  # S3 native state locking (use_lockfile) needs Terraform >= 1.10.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: the bucket and its region come from `terraform init -backend-config=...`
  # (docs/deploy.md: environments/bootstrap creates it), so no account's bucket name is committed. The state is encrypted, and a lock
  # file beside it (S3 conditional writes) stops two applies at once: no DynamoDB lock table.
  backend "s3" {
    key          = "foyer/staging/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
