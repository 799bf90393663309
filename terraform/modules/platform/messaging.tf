# What the order flow reaches besides its tables and the bus: the payment provider's key (payments)
# and where customers are told (notifications).

# The payment provider's key, read at run time by the charges consumer (services/payments/charging.py)
# and by no other function: every payments function's environment holds only the secret's ARN
# (docs/architecture.md, "Secrets and settings"). Under the secrets module's customer managed key, readable by the
# charges consumer's role alone (locally: the sandbox's key, devtools/devstack/payment_sandbox).
locals {
  # Secret => the functions (consumer keys of events.tf) whose code reads it; their roles, and no
  # others, get the read statements and are the secret's and the key's readers.
  secret_readers = { "payment-provider/api-key" = ["payments-charges"] }
}

module "secrets" {
  source = "../secrets"

  name_prefix = var.name_prefix
  secrets = {
    "payment-provider/api-key" = {
      description         = "The payment provider's API key (payments)."
      rotation_lambda_arn = var.payment_key_rotation_lambda_arn
    }
  }
  readers                 = { for secret, functions in local.secret_readers : secret => [for f in functions : module.consumer_function[f].role_arn] }
  recovery_window_in_days = var.secret_recovery_window_in_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "payment_provider" {
  count = nonsensitive(var.payment_provider_key != null) ? 1 : 0

  secret_id     = module.secrets.arns["payment-provider/api-key"]
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
      payments = module.secrets.reader_policy_statements["payment-provider/api-key"]
      notifications = [
        { sid = "Publish", actions = ["sns:Publish"], resources = [aws_sns_topic.orders.arn] },
        { sid = "Mail", actions = ["ses:SendEmail"], resources = [aws_ses_email_identity.sender.arn] },
      ]
    }, name, [])
  }
}
