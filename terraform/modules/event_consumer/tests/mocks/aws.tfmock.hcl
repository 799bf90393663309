# Realistic values for the mocked AWS provider of every test file in this module.

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}
mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/foyer-dev/foyer-dev-inventory" }
}
mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/foyer-dev-inventory"
  }
}
mock_resource "aws_lambda_event_source_mapping" {
  defaults = {
    arn  = "arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:6f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"
    uuid = "6f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"
  }
}
mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:foyer-dev-inventory-dlq-not-empty" }
}
