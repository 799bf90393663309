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
mock_resource "aws_lambda_function_url" {
  defaults = {
    function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/"
    url_id       = "abcdefghijklmnopqrstuvwxyz012345"
  }
}
