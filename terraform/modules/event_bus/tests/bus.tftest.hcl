# The environment's bus, its optional replay archive and the publisher's statement, against a mocked
# AWS provider (no credentials, no network): `terraform test` in this module.

mock_provider "aws" {
  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/foyer-dev" }
  }
  mock_resource "aws_cloudwatch_event_archive" {
    defaults = { arn = "arn:aws:events:eu-west-1:123456789012:archive/foyer-dev" }
  }
}

variables {
  name = "foyer-dev"
}

run "no_archive_by_default" {
  assert {
    condition     = aws_cloudwatch_event_bus.this.name == "foyer-dev" && length(aws_cloudwatch_event_archive.this) == 0
    error_message = "By default the module creates the bus only (the local emulator needs no archive)."
  }
  assert {
    condition     = output.archive_arn == null
    error_message = "archive_arn must be null without an archive."
  }
}

run "archive_keeps_every_event_of_the_bus" {
  variables {
    archive_retention_days = 30
  }

  assert {
    condition     = aws_cloudwatch_event_archive.this[0].event_source_arn == "arn:aws:events:eu-west-1:123456789012:event-bus/foyer-dev"
    error_message = "The archive must record this bus."
  }
  assert {
    condition     = aws_cloudwatch_event_archive.this[0].retention_days == 30 && aws_cloudwatch_event_archive.this[0].event_pattern == null
    error_message = "The archive keeps every event (no pattern) for the given days."
  }
  assert {
    condition     = output.archive_arn == "arn:aws:events:eu-west-1:123456789012:archive/foyer-dev"
    error_message = "archive_arn must be the archive's ARN."
  }
}

run "indefinite_archive" {
  command = plan

  variables {
    archive_retention_days = 0
  }

  assert {
    condition     = aws_cloudwatch_event_archive.this[0].retention_days == 0
    error_message = "0 keeps events indefinitely."
  }
}

run "a_negative_retention_is_refused" {
  command = plan

  variables {
    archive_retention_days = -1
  }

  expect_failures = [var.archive_retention_days]
}

run "the_default_bus_name_is_refused" {
  command = plan

  variables {
    name = "default"
  }

  expect_failures = [var.name]
}

run "a_name_with_a_slash_is_refused" {
  command = plan

  variables {
    name = "aws.partner/foyer"
  }

  expect_failures = [var.name]
}

run "publishers_may_put_events_on_this_bus_only" {
  assert {
    condition = output.publisher_policy_statements == [{
      sid       = "PublishToEventBus"
      actions   = ["events:PutEvents"]
      resources = ["arn:aws:events:eu-west-1:123456789012:event-bus/foyer-dev"]
    }]
    error_message = "A publisher gets events:PutEvents on this bus and nothing else."
  }
}

run "a_customer_managed_key_encrypts_the_bus" {
  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = aws_cloudwatch_event_bus.this.kms_key_identifier == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "The bus must be encrypted with the given key."
  }
}
