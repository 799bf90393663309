# Realistic values for the mocked AWS provider of every test file in this module.

mock_resource "aws_wafv2_web_acl" {
  defaults = {
    arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/foyer-prod-api/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
    id  = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
  }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-foyer-prod-api" }
}
