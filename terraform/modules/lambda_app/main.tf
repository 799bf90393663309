data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # SnapStart snapshots published versions, and provisioned concurrency can only sit on a version or an
  # alias: either one needs published versions and the alias that follows the latest of them.
  publish        = var.snap_start || var.provisioned_concurrency > 0
  log_group_name = "/aws/lambda/${var.function_name}"
  log_group_arn  = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${local.log_group_name}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.function_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  # Basic execution, scoped to this function's own log group (no AWSLambdaBasicExecutionRole: it
  # allows writing to every log group in the account).
  statement {
    sid       = "OwnLogStreams"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # X-Ray does not support resource-level permissions for these actions.
  statement {
    sid       = "XRayTracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  # Lambda sends a failed asynchronous invocation's record to its destination with this role.
  dynamic "statement" {
    for_each = var.async_invocation == null ? [] : [var.async_invocation.on_failure_arn]
    content {
      sid       = "AsyncOnFailure"
      actions   = ["sqs:SendMessage"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "${var.function_name}-runtime"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

# Declared here (not created by Lambda on first write) so retention and tags are managed, and so
# the role needs no logs:CreateLogGroup.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:No environment passes log_kms_key_arn today: CloudWatch Logs encrypts these groups at rest with its own keys, and a customer managed key is a per-root decision (the check would only pass on the variable's null default).
  #checkov:skip=CKV_AWS_338:Retention is chosen per environment through log_retention_days (1 day locally); a 1-year floor is a compliance decision for each cloud root, not a module default.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:A function DLQ only catches asynchronous invocations. Functions invoked asynchronously (schedules) get an on-failure destination instead (async_invocation: aws_lambda_function_event_invoke_config below); API Gateway, function URLs and event source mappings invoke synchronously, and their failures land in the SQS consumer's DLQ or the stream mapping's on-failure destination (platform events.tf).
  #checkov:skip=CKV_AWS_117:No VPC resources to reach: the functions call only AWS service endpoints and HTTPS APIs, so a VPC would add NAT/endpoint cost and cold-start latency for nothing.
  #checkov:skip=CKV_AWS_272:Code signing is out of scope for now; artifacts are deterministic zips built by `make package`.
  #checkov:skip=CKV_AWS_173:Environment variables never hold secrets (docs/architecture.md: secret ARNs only, values read from Secrets Manager); the AWS managed key encrypts them at rest.
  function_name    = var.function_name
  description      = var.description
  role             = aws_iam_role.this.arn
  filename         = var.artifact_path
  source_code_hash = filebase64sha256(var.artifact_path)
  handler          = var.handler
  runtime          = var.runtime
  architectures    = var.architectures
  memory_size      = var.memory_size
  timeout          = var.timeout

  reserved_concurrent_executions = var.reserved_concurrent_executions == null ? -1 : var.reserved_concurrent_executions

  publish = local.publish

  tracing_config {
    mode = "Active"
  }

  dynamic "snap_start" {
    for_each = var.snap_start ? ["PublishedVersions"] : []
    content {
      apply_on = snap_start.value
    }
  }

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [var.environment_variables] : []
    content {
      variables = environment.value
    }
  }

  tags = var.tags

  # The policy must exist before the first invocation can log or trace.
  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

# Callers invoke the alias, so a new version is only reached once it is published (and, with SnapStart,
# snapshotted); `$LATEST` is never what production traffic runs.
resource "aws_lambda_alias" "this" {
  count = local.publish ? 1 : 0

  name             = var.alias_name
  description      = "Latest published version of ${var.function_name}."
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

resource "aws_lambda_provisioned_concurrency_config" "this" {
  count = var.provisioned_concurrency > 0 ? 1 : 0

  function_name                     = aws_lambda_function.this.function_name
  qualifier                         = aws_lambda_alias.this[0].name
  provisioned_concurrent_executions = var.provisioned_concurrency
}

# An asynchronous invocation (a schedule's) that fails after Lambda's retries, or grows too old, is
# recorded in a queue instead of dropped; synchronous callers see their failures themselves.
resource "aws_lambda_function_event_invoke_config" "this" {
  count = var.async_invocation == null ? 0 : 1

  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = var.async_invocation.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_invocation.maximum_event_age_in_seconds

  destination_config {
    on_failure {
      destination = var.async_invocation.on_failure_arn
    }
  }
}
