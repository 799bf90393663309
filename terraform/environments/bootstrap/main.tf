# environments/bootstrap: what every other cloud root needs before its first plan, created once per
# account and region by an administrator (docs/deploy.md): the API Gateway account setting's CloudWatch
# role, the Terraform state bucket, GitHub's OIDC provider and one deploy role per environment.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  state_bucket = coalesce(var.state_bucket_name, "foyer-tfstate-${local.account_id}-${var.region}")
  # The cloud roots look the logging role up by this name (their bootstrap.tf): keep the two in step.
  api_gateway_logging_role = "foyer-api-gateway-logs-${var.region}"
}

# API Gateway writes a stage's access and execution logs with the one CloudWatch role set on the
# account (per region); a stage with access logging cannot be created until it is set.
data "aws_iam_policy_document" "api_gateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "api_gateway_logging" {
  name               = local.api_gateway_logging_role
  path               = "/foyer/"
  description        = "API Gateway's account-wide CloudWatch Logs role in ${var.region} (environments/bootstrap)."
  assume_role_policy = data.aws_iam_policy_document.api_gateway_assume.json
}

resource "aws_iam_role_policy_attachment" "api_gateway_logging" {
  role       = aws_iam_role.api_gateway_logging.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.api_gateway_logging.arn
  # Destroying this root leaves the setting as it is: stages created since keep logging.
  reset_on_delete = false

  depends_on = [aws_iam_role_policy_attachment.api_gateway_logging]
}
