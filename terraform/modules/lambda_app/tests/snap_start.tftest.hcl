# SnapStart, published versions, the alias and provisioned concurrency, planned and applied against a
# mocked AWS provider (no credentials, no network): `terraform test` in this module.

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
  function_name = "foyer-dev-catalog"
  artifact_path = "tests/fixtures/handler.zip"
  handler       = "services.catalog.handler.handler"
}

run "snap_start_and_provisioned_concurrency_are_refused_together" {
  command = plan

  variables {
    snap_start              = true
    provisioned_concurrency = 2
  }

  expect_failures = [var.provisioned_concurrency]
}

run "snap_start_needs_python_3_12_or_later" {
  command = plan

  variables {
    snap_start = true
    runtime    = "python3.11"
  }

  expect_failures = [var.snap_start]
}

run "fractional_provisioned_concurrency_is_refused" {
  command = plan

  variables {
    provisioned_concurrency = 1.5
  }

  expect_failures = [var.provisioned_concurrency]
}

run "by_default_nothing_is_published" {
  assert {
    condition     = aws_lambda_function.this.publish == false
    error_message = "Without snap_start or provisioned_concurrency no version should be published."
  }
  assert {
    condition     = length(aws_lambda_function.this.snap_start) == 0
    error_message = "SnapStart must be off by default."
  }
  assert {
    condition     = length(aws_lambda_alias.this) == 0 && length(aws_lambda_provisioned_concurrency_config.this) == 0
    error_message = "No alias and no provisioned concurrency by default."
  }
  assert {
    condition     = output.alias_arn == null
    error_message = "alias_arn must be null without an alias."
  }
  assert {
    condition     = output.qualified_invoke_arn == aws_lambda_function.this.invoke_arn
    error_message = "Without an alias, API Gateway invokes the function itself."
  }
}

run "snap_start_applies_on_published_versions_behind_the_alias" {
  variables {
    snap_start = true
  }

  assert {
    condition     = aws_lambda_function.this.snap_start[0].apply_on == "PublishedVersions"
    error_message = "SnapStart must apply on published versions."
  }
  assert {
    condition     = aws_lambda_function.this.publish == true
    error_message = "SnapStart only snapshots published versions: publish must be true."
  }
  assert {
    condition     = aws_lambda_alias.this[0].name == "live" && aws_lambda_alias.this[0].function_version == "7"
    error_message = "The alias must follow the version just published."
  }
  assert {
    condition     = length(aws_lambda_provisioned_concurrency_config.this) == 0
    error_message = "SnapStart comes without provisioned concurrency."
  }
  assert {
    condition     = output.alias_arn == "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-catalog:live"
    error_message = "alias_arn must be the alias' ARN."
  }
  assert {
    condition     = endswith(output.qualified_invoke_arn, "function:foyer-dev-catalog:live/invocations")
    error_message = "API Gateway must invoke the alias, where SnapStart applies."
  }
}

run "provisioned_concurrency_lands_on_the_alias" {
  variables {
    provisioned_concurrency = 3
    alias_name              = "prod"
  }

  assert {
    condition     = aws_lambda_function.this.publish == true && length(aws_lambda_function.this.snap_start) == 0
    error_message = "Provisioned concurrency needs a published version, without SnapStart."
  }
  assert {
    condition     = aws_lambda_provisioned_concurrency_config.this[0].qualifier == aws_lambda_alias.this[0].name
    error_message = "Provisioned concurrency must be configured on the alias."
  }
  assert {
    condition     = aws_lambda_alias.this[0].name == "prod"
    error_message = "The alias must carry alias_name."
  }
  assert {
    condition     = aws_lambda_provisioned_concurrency_config.this[0].provisioned_concurrent_executions == 3
    error_message = "provisioned_concurrent_executions must be the provisioned_concurrency variable."
  }
  assert {
    condition     = aws_lambda_provisioned_concurrency_config.this[0].function_name == "foyer-dev-catalog"
    error_message = "Provisioned concurrency must target this function."
  }
}
