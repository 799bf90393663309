provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  # The emulator has no instance metadata, accepts any credentials and answers for account
  # 123456789012; s3_use_path_style because <bucket>.127.0.0.1 does not resolve.
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigateway     = var.aws_endpoint
    cloudwatch     = var.aws_endpoint
    dynamodb       = var.aws_endpoint
    events         = var.aws_endpoint
    iam            = var.aws_endpoint
    kms            = var.aws_endpoint
    lambda         = var.aws_endpoint
    logs           = var.aws_endpoint
    s3             = var.aws_endpoint
    secretsmanager = var.aws_endpoint
    ses            = var.aws_endpoint
    sesv2          = var.aws_endpoint
    sns            = var.aws_endpoint
    sqs            = var.aws_endpoint
    ssm            = var.aws_endpoint
    sts            = var.aws_endpoint
    wafv2          = var.aws_endpoint
    xray           = var.aws_endpoint
  }

  default_tags {
    tags = {
      project     = "foyer"
      environment = "local"
    }
  }
}
