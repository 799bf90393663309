# The table's safe defaults and its key/attribute check, planned against a mocked AWS provider (no
# credentials, no network): `terraform test` in this module.

mock_provider "aws" {
  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn        = "arn:aws:dynamodb:eu-west-1:123456789012:table/foyer-dev-orders"
      stream_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/foyer-dev-orders/stream/2026-01-01T00:00:00.000"
    }
  }
}

variables {
  name       = "foyer-dev-orders"
  hash_key   = "pk"
  range_key  = "sk"
  attributes = [{ name = "pk", type = "S" }, { name = "sk", type = "S" }]
}

run "safe_defaults" {
  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled && aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Point-in-time recovery and deletion protection must default on."
  }
  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST" && aws_dynamodb_table.this.server_side_encryption[0].enabled
    error_message = "Tables are on-demand and encrypted."
  }
  assert {
    condition     = output.stream_arn == null
    error_message = "stream_arn is null while streams are off."
  }
}

run "streams_expose_their_arn" {
  variables {
    stream_enabled = true
  }

  assert {
    condition     = aws_dynamodb_table.this.stream_view_type == "NEW_AND_OLD_IMAGES"
    error_message = "Streams carry both images (what an outbox relay needs)."
  }
  assert {
    condition     = output.stream_arn == "arn:aws:dynamodb:eu-west-1:123456789012:table/foyer-dev-orders/stream/2026-01-01T00:00:00.000"
    error_message = "stream_arn must be the table's stream ARN."
  }
}

run "an_index_key_missing_from_attributes_is_refused" {
  command = plan

  variables {
    global_secondary_indexes = [{ name = "by-customer", hash_key = "customer_id" }]
  }

  expect_failures = [aws_dynamodb_table.this]
}
