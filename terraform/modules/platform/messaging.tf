# What the order flow reaches besides its tables and the bus: the payment provider's key (payments)
# and where customers are told (notifications).

# The sandbox provider's key (foyer/devstack/payment_sandbox), read at run time by payments: the
# function's environment holds only the secret's ARN (architecture decision 10).
resource "aws_secretsmanager_secret" "payment_provider" {
  #checkov:skip=CKV_AWS_149:the local emulator's secret holds the sandbox's key; the cloud roots use a customer-managed key
  #checkov:skip=CKV2_AWS_57:nothing to rotate for the local sandbox's key; rotation is wired in the cloud roots
  name                    = "${var.name_prefix}/payment-provider/api-key"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "payment_provider" {
  secret_id     = aws_secretsmanager_secret.payment_provider.id
  secret_string = var.payment_provider_key
}

resource "aws_sns_topic" "orders" {
  name              = "${var.name_prefix}-order-notifications"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_ses_email_identity" "sender" {
  email = var.sender_email
}

locals {
  # Statements beyond each app's own table, by app.
  extra_statements = {
    for name, app in local.apps : name => lookup({
      payments = [{
        sid       = "ProviderKey"
        actions   = ["secretsmanager:GetSecretValue"]
        resources = [aws_secretsmanager_secret.payment_provider.arn]
      }]
      notifications = [
        { sid = "Publish", actions = ["sns:Publish"], resources = [aws_sns_topic.orders.arn] },
        { sid = "Mail", actions = ["ses:SendEmail"], resources = [aws_ses_email_identity.sender.arn] },
      ]
    }, name, [])
  }
}
