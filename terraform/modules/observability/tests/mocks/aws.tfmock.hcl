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
mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab"
    key_id = "5678abcd-12ab-34cd-56ef-1234567890ab"
  }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:foyer-prod-alarms" }
}
mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:foyer-prod-catalog-errors" }
}
mock_resource "aws_cloudwatch_dashboard" {
  defaults = { dashboard_arn = "arn:aws:cloudwatch::123456789012:dashboard/foyer-prod" }
}
