# Asynchronous invocations (a schedule's): an on-failure destination with bounded retries and age, and
# the role allowed to send there. Against a mocked AWS provider: `terraform test` in this module.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/foyer-dev-catalog" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/foyer-dev-catalog" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-catalog"
      qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-catalog:7"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-catalog/invocations"
      version       = "7"
    }
  }
  mock_resource "aws_lambda_alias" {
    defaults = {
      arn        = "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-catalog:live"
      invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-catalog:live/invocations"
    }
  }
}

variables {
  function_name = "foyer-dev-orders-reconciler"
  artifact_path = "tests/fixtures/handler.zip"
  handler       = "services.orders.reconciler.handler"
}

run "no_invoke_config_for_a_synchronously_invoked_function" {
  command = plan

  assert {
    condition     = length(aws_lambda_function_event_invoke_config.this) == 0
    error_message = "Without async_invocation the function keeps Lambda's defaults."
  }
}

run "a_failed_asynchronous_invocation_goes_to_its_queue" {
  command = plan

  variables {
    async_invocation = {
      on_failure_arn               = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-orders-reconciler-failures"
      maximum_retry_attempts       = 1
      maximum_event_age_in_seconds = 300
    }
  }

  assert {
    condition     = one(aws_lambda_function_event_invoke_config.this[0].destination_config[0].on_failure).destination == "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-orders-reconciler-failures"
    error_message = "A failed asynchronous invocation must be sent to the on-failure queue."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 1 && aws_lambda_function_event_invoke_config.this[0].maximum_event_age_in_seconds == 300
    error_message = "Retries and event age must be the ones asked for."
  }
  assert {
    condition = [
      for s in data.aws_iam_policy_document.this.statement : [s.actions, s.resources] if s.sid == "AsyncOnFailure"
    ] == [[toset(["sqs:SendMessage"]), toset(["arn:aws:sqs:eu-west-1:123456789012:foyer-dev-orders-reconciler-failures"])]]
    error_message = "The role must be allowed to send to the on-failure queue (Lambda sends with it)."
  }
}

run "more_than_two_asynchronous_retries_are_refused" {
  command = plan

  variables {
    async_invocation = { on_failure_arn = "arn:aws:sqs:eu-west-1:123456789012:q", maximum_retry_attempts = 3 }
  }

  expect_failures = [var.async_invocation]
}
