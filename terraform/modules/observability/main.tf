# What wakes someone up: Lambda errors and throttles, an API stage's 5XX answers and p99 latency, any
# message in a dead-letter queue and the reconciler finding stuck orders, all to one SNS topic; and one
# dashboard of the same metrics.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  actions      = [aws_sns_topic.alarms.arn]
  lambda_alarms = merge(
    { for key, name in var.function_names : "${key}-errors" => { function = name, metric = "Errors", threshold = var.function_errors_threshold } },
    { for key, name in var.function_names : "${key}-throttles" => { function = name, metric = "Throttles", threshold = 1 } },
  )
}

# CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key (its key policy cannot
# be changed to let cloudwatch.amazonaws.com use it): the topic gets a key of its own.
resource "aws_kms_key" "alarms" {
  description             = "Alarm topic of ${var.name}."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = local.account_root }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchPublishes"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
      },
    ]
  })
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
  tags              = var.tags
}

resource "aws_sns_topic_policy" "alarms" {
  arn = aws_sns_topic.alarms.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "CloudWatchAlarmsOfThisAccount"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.alarms.arn
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "lambda" {
  for_each = local.lambda_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${each.value.function}: ${each.value.metric} >= ${each.value.threshold} in ${var.period_seconds} s."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = each.value.function }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  for_each = var.apis

  alarm_name          = "${var.name}-${each.key}-5xx"
  alarm_description   = "${each.value.api_name}/${each.value.stage_name} answered a 5XX."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = each.value.api_name, Stage = each.value.stage_name }
  statistic           = "Sum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_p99" {
  for_each = var.apis

  alarm_name          = "${var.name}-${each.key}-p99-latency"
  alarm_description   = "${each.value.api_name}/${each.value.stage_name}: p99 latency above ${var.p99_latency_ms} ms."
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = { ApiName = each.value.api_name, Stage = each.value.stage_name }
  extended_statistic  = "p99"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = var.p99_latency_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each = var.dlq_alarms ? var.dead_letter_queues : {}

  alarm_name          = "${var.name}-${each.key}-dlq-message"
  alarm_description   = "${each.value} holds a message: a consumer gave up on it (make dlq show ${each.value})."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "stuck_orders" {
  count = var.stuck_orders_metric == null ? 0 : 1

  alarm_name          = "${var.name}-stuck-orders"
  alarm_description   = "The reconciler found orders stuck in a pending state."
  namespace           = var.stuck_orders_metric.namespace
  metric_name         = var.stuck_orders_metric.metric_name
  dimensions          = var.stuck_orders_metric.dimensions
  statistic           = "Maximum"
  period              = var.period_seconds
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = concat(
      [
        for i, metric in ["Errors", "Throttles", "Duration"] : {
          type   = "metric"
          x      = 8 * i
          y      = 0
          width  = 8
          height = 6
          properties = {
            title   = "Lambda ${metric}"
            view    = "timeSeries"
            region  = data.aws_region.current.name
            stat    = metric == "Duration" ? "p99" : "Sum"
            period  = var.period_seconds
            metrics = [for name in values(var.function_names) : ["AWS/Lambda", metric, "FunctionName", name]]
          }
        } if length(var.function_names) > 0
      ],
      [
        for i, metric in ["5XXError", "Latency"] : {
          type   = "metric"
          x      = 12 * i
          y      = 6
          width  = 12
          height = 6
          properties = {
            title   = "API ${metric}"
            view    = "timeSeries"
            region  = data.aws_region.current.name
            stat    = metric == "Latency" ? "p99" : "Sum"
            period  = var.period_seconds
            metrics = [for api in values(var.apis) : ["AWS/ApiGateway", metric, "ApiName", api.api_name, "Stage", api.stage_name]]
          }
        } if length(var.apis) > 0
      ],
      [
        for widget in [
          {
            title   = "Dead-letter queues"
            metrics = [for name in values(var.dead_letter_queues) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name]]
          },
          {
            title = "Stuck orders (reconciler)"
            metrics = var.stuck_orders_metric == null ? [] : [concat(
              [var.stuck_orders_metric.namespace, var.stuck_orders_metric.metric_name],
              flatten([for k, v in var.stuck_orders_metric.dimensions : [k, v]]),
            )]
          },
          ] : {
          type   = "metric"
          x      = widget.title == "Dead-letter queues" ? 0 : 12
          y      = 12
          width  = 12
          height = 6
          properties = {
            title   = widget.title
            view    = "timeSeries"
            region  = data.aws_region.current.name
            stat    = "Maximum"
            period  = 60
            metrics = widget.metrics
          }
        } if length(widget.metrics) > 0
      ],
    )
  })
}
