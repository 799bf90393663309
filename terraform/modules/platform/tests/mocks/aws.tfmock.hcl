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
mock_resource "aws_dynamodb_table" {
  defaults = {
    arn        = "arn:aws:dynamodb:eu-west-1:123456789012:table/foyer-dev-orders"
    stream_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/foyer-dev-orders/stream/2026-11-27T14:00:00.000"
  }
}
mock_resource "aws_cloudwatch_event_bus" {
  defaults = { arn = "arn:aws:events:eu-west-1:123456789012:event-bus/foyer-dev-events" }
}
mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/foyer-dev-events/foyer-dev-orders-saga" }
}
mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-orders-saga"
    id  = "https://sqs.eu-west-1.amazonaws.com/123456789012/foyer-dev-orders-saga"
  }
}
mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }
}
mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:foyer-dev/payment-provider/api-key-AbCdEf"
    id  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:foyer-dev/payment-provider/api-key-AbCdEf"
  }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:foyer-dev-alarms" }
}
mock_resource "aws_ses_email_identity" {
  defaults = { arn = "arn:aws:ses:eu-west-1:123456789012:identity/orders@foyer.example" }
}
mock_resource "aws_wafv2_web_acl" {
  defaults = {
    arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/foyer-dev-api/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    id  = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
  }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-foyer-dev-api" }
}
mock_resource "aws_lambda_function_url" {
  defaults = { function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/" }
}
mock_resource "aws_lambda_event_source_mapping" {
  defaults = { uuid = "6f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8" }
}
mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:foyer-dev-orders-saga-dlq-not-empty" }
}
