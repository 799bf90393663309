# The secrets' rules (customer managed key, readers only, rotation wiring, refused values), planned and
# applied against a mocked AWS provider (no credentials, no network): `terraform test` in this module.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name_prefix = "foyer-dev"
  secrets = {
    "payment-provider/api-key" = { description = "The payment provider's API key." }
  }
  readers = {
    "payment-provider/api-key" = ["arn:aws:iam::123456789012:role/foyer-dev-payments"]
  }
}

run "every_secret_is_encrypted_with_the_modules_own_rotating_key" {
  assert {
    condition     = alltrue([for s in aws_secretsmanager_secret.this : s.kms_key_id == aws_kms_key.this.arn])
    error_message = "Every secret must be encrypted with the module's customer managed key."
  }
  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The key must rotate."
  }
  assert {
    condition     = aws_secretsmanager_secret.this["payment-provider/api-key"].name == "foyer-dev/payment-provider/api-key"
    error_message = "Secrets are named <name_prefix>/<name>."
  }
}

run "only_the_readers_may_get_the_value" {
  assert {
    condition = jsondecode(aws_secretsmanager_secret_policy.this["payment-provider/api-key"].policy).Statement[0].Condition.ArnNotEquals["aws:PrincipalArn"] == [
      "arn:aws:iam::123456789012:role/foyer-dev-payments"
    ]
    error_message = "The secret's policy must deny GetSecretValue to every principal but its readers."
  }
  assert {
    condition     = jsondecode(aws_secretsmanager_secret_policy.this["payment-provider/api-key"].policy).Statement[0].Effect == "Deny"
    error_message = "The readers-only statement must be a Deny."
  }
}

run "the_key_decrypts_only_through_secrets_manager" {
  assert {
    condition = one([
      for s in jsondecode(aws_kms_key_policy.this.policy).Statement : s.Condition.StringNotEquals["kms:ViaService"]
      if s.Sid == "DecryptThroughSecretsManagerOnly"
    ]) == "secretsmanager.eu-west-1.amazonaws.com"
    error_message = "kms:Decrypt must be denied outside Secrets Manager."
  }
  assert {
    condition = one([
      for s in jsondecode(aws_kms_key_policy.this.policy).Statement : s.Principal.AWS
      if s.Sid == "ReadersDecryptThroughSecretsManager"
    ]) == ["arn:aws:iam::123456789012:role/foyer-dev-payments"]
    error_message = "The key policy must name the secrets' readers, and only them, as the roles that decrypt."
  }
}

run "reader_statements_name_actions_never_a_wildcard" {
  assert {
    condition = alltrue(flatten([
      for statements in output.reader_policy_statements : [
        for s in statements : [for a in s.actions : !strcontains(a, "*")]
      ]
    ]))
    error_message = "No statement a reader's role gets may hold a * action."
  }
  assert {
    condition     = output.reader_policy_statements["payment-provider/api-key"][0].sid == "ReadPaymentProviderApiKey"
    error_message = "Statement ids are the secret's name in CamelCase."
  }
}

run "no_rotation_without_a_rotation_function" {
  command = plan

  assert {
    condition     = length(aws_secretsmanager_secret_rotation.this) == 0 && length(aws_lambda_permission.rotation) == 0
    error_message = "A secret without rotation_lambda_arn gets no rotation."
  }
}

run "rotation_wires_the_function_and_its_permission" {
  command = plan

  variables {
    secrets = {
      "payment-provider/api-key" = {
        description         = "The payment provider's API key."
        rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-rotate-payment-key"
        rotation_days       = 7
      }
    }
  }

  assert {
    condition     = aws_secretsmanager_secret_rotation.this["payment-provider/api-key"].rotation_rules[0].automatically_after_days == 7
    error_message = "Rotation must follow rotation_days."
  }
  assert {
    condition     = aws_lambda_permission.rotation["payment-provider/api-key"].principal == "secretsmanager.amazonaws.com"
    error_message = "Secrets Manager must be allowed to invoke the rotation function."
  }
}

run "a_reader_that_is_not_a_role_is_refused" {
  command = plan

  variables {
    readers = { "payment-provider/api-key" = ["arn:aws:iam::123456789012:user/alice"] }
  }

  expect_failures = [var.readers]
}

run "a_recovery_window_secrets_manager_refuses_is_refused" {
  command = plan

  variables {
    recovery_window_in_days = 3
  }

  expect_failures = [var.recovery_window_in_days]
}

run "a_rotation_period_over_90_days_is_refused" {
  command = plan

  variables {
    secrets = { "api-key" = { description = "x", rotation_days = 91 } }
  }

  expect_failures = [var.secrets]
}
