# Secrets Manager secrets under one customer managed KMS key, each readable only by the roles named in
# var.readers: the key is usable only through Secrets Manager, and each secret's resource policy denies
# GetSecretValue to every other principal (an administrator with secretsmanager:* included).

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  via_secrets  = "secretsmanager.${data.aws_region.current.name}.amazonaws.com"
  rotated      = { for name, secret in var.secrets : name => secret if secret.rotation_lambda_arn != null }
  # Every secret's readers: the roles the key policy lets decrypt through Secrets Manager.
  key_readers = sort(distinct(flatten(values(var.readers))))
  # "payment-provider/api-key" => "PaymentProviderApiKey": statement ids are alphanumeric.
  sid = { for name in keys(var.secrets) : name => replace(title(replace(name, "/[^A-Za-z0-9]+/", " ")), " ", "") }
}

resource "aws_kms_key" "this" {
  description             = "Secrets of ${var.name_prefix}."
  enable_key_rotation     = true
  deletion_window_in_days = var.key_deletion_window_in_days
  tags                    = var.tags
}

# Apart from the key, so that the key (and the secrets under it, whose ARNs go into the readers'
# environment) never waits on the readers' roles that this policy names.
resource "aws_kms_key_policy" "this" {
  key_id = aws_kms_key.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        # Without it nobody could ever change or delete the key again; IAM policies decide who may.
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # Readers decrypt only through Secrets Manager, never by calling kms:Decrypt on a blob.
        Sid       = "DecryptThroughSecretsManagerOnly"
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt"]
        Resource  = "*"
        Condition = {
          StringNotEquals = { "kms:ViaService" = local.via_secrets }
          ArnNotLike      = { "aws:PrincipalArn" = local.account_root }
        }
      },
      ], length(local.key_readers) == 0 ? [] : [
      {
        # The key itself names who reads the secrets, as each secret's policy does: the same roles.
        Sid       = "ReadersDecryptThroughSecretsManager"
        Effect    = "Allow"
        Principal = { AWS = local.key_readers }
        Action    = ["kms:Decrypt"]
        Resource  = "*"
        Condition = { StringEquals = { "kms:ViaService" = local.via_secrets } }
      },
    ])
  })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}-secrets"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:Not rotated automatically: rotating a provider's API key needs a rotation function for that provider's key-rolling API, and no environment has one (payment_key_rotation_lambda_arn is null in every root), so the key is replaced by hand; giving a secret rotation_lambda_arn turns rotation on (README: Rotation).
  for_each = var.secrets

  name                    = "${var.name_prefix}/${each.key}"
  description             = each.value.description
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_policy" "this" {
  for_each = var.readers

  secret_arn = aws_secretsmanager_secret.this[each.key].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyItsReaders"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
      Condition = { ArnNotEquals = { "aws:PrincipalArn" = each.value } }
    }]
  })
}

# Secrets Manager invokes the rotation function with the secret's ARN; the function (one per kind of
# credential, from AWS' templates or our own) must hold the secretsmanager and kms permissions its
# README names. See this module's README: Rotation.
resource "aws_lambda_permission" "rotation" {
  for_each = local.rotated

  statement_id  = "SecretsManagerRotates${local.sid[each.key]}"
  action        = "lambda:InvokeFunction"
  function_name = each.value.rotation_lambda_arn
  principal     = "secretsmanager.amazonaws.com"
  source_arn    = aws_secretsmanager_secret.this[each.key].arn
}

resource "aws_secretsmanager_secret_rotation" "this" {
  #checkov:skip=CKV_AWS_304:rotation_days is validated to 1-90 days in variables.tf; checkov cannot resolve each.value.
  for_each = local.rotated

  secret_id           = aws_secretsmanager_secret.this[each.key].id
  rotation_lambda_arn = each.value.rotation_lambda_arn

  rotation_rules {
    automatically_after_days = each.value.rotation_days
  }

  depends_on = [aws_lambda_permission.rotation]
}
