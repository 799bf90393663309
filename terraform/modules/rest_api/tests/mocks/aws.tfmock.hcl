# Realistic values for the mocked AWS provider of every test file in this module.

mock_resource "aws_api_gateway_rest_api" {
  defaults = {
    id               = "a1b2c3d4e5"
    root_resource_id = "r00tid0001"
    execution_arn    = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5"
  }
}
mock_resource "aws_api_gateway_resource" {
  defaults = { id = "pr0xy00001" }
}
mock_resource "aws_api_gateway_authorizer" {
  defaults = { id = "auth01" }
}
mock_resource "aws_api_gateway_deployment" {
  defaults = { id = "dep001" }
}
mock_resource "aws_api_gateway_stage" {
  defaults = {
    invoke_url = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/dev"
    arn        = "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/dev"
  }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/foyer-dev-partner" }
}
