# Each domain service is reachable over HTTPS only by signed callers: a Lambda function URL with
# AWS_IAM auth (Lambda rejects an unsigned or wrongly signed request with 403 before the function
# runs), and each caller's role may invoke exactly the URLs of the services it calls.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  function_arn_prefix = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:function"
  # Built from the names (known at plan time), qualified when the URL sits on an alias.
  function_arns = {
    for service, name in var.services : service =>
    contains(keys(var.qualifiers), service) ? "${local.function_arn_prefix}:${name}:${var.qualifiers[service]}" : "${local.function_arn_prefix}:${name}"
  }
  calling = { for caller, spec in var.callers : caller => spec if length(spec.services) > 0 }
}

resource "aws_lambda_function_url" "this" {
  for_each = var.services

  function_name      = each.value
  qualifier          = lookup(var.qualifiers, each.key, null)
  authorization_type = "AWS_IAM"
  invoke_mode        = "BUFFERED"
}

resource "aws_iam_role_policy" "caller" {
  for_each = local.calling

  name = var.policy_name
  role = each.value.role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "InvokeItsServicesOnly"
        Effect   = "Allow"
        Action   = "lambda:InvokeFunctionUrl"
        Resource = [for service in sort(distinct(each.value.services)) : local.function_arns[service]]
        # Only through the signed URL: the same grant cannot reach a URL whose auth was turned off.
        Condition = { StringEquals = { "lambda:FunctionUrlAuthType" = "AWS_IAM" } }
      },
      {
        # A function URL authorizes lambda:InvokeFunction as well as lambda:InvokeFunctionUrl (AWS Lambda
        # guide, "Control access to Lambda function URLs"); the condition keeps the direct Invoke API closed.
        Sid       = "InvokeThroughTheUrlOnly"
        Effect    = "Allow"
        Action    = "lambda:InvokeFunction"
        Resource  = [for service in sort(distinct(each.value.services)) : local.function_arns[service]]
        Condition = { Bool = { "lambda:InvokedViaFunctionUrl" = "true" } }
      },
    ]
  })
}
