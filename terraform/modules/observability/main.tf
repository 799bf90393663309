# What wakes someone up: a Lambda function's error rate and throttles, a stream's iterator age, an API
# stage's 5XX rate and p99 latency, any message in a dead-letter queue and the reconciler finding stuck orders, all to one SNS topic; and one
# dashboard of the same metrics.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"

  # Alarm name suffix => what it watches. Statistic "p99" is a percentile (raised above the threshold);
  # every other alarm is raised at or above its threshold.
  alarms = merge(
    {
      for key, name in var.function_names : "${key}-throttles" => {
        description = "${name}: invocations throttled (concurrency limit reached)."
        namespace   = "AWS/Lambda", metric = "Throttles", dimensions = { FunctionName = name }
        statistic   = "Sum", period = var.period_seconds, threshold = 1
      }
    },
    {
      for key, api in var.apis : "${key}-p99-latency" => {
        description = "${api.api_name}/${api.stage_name}: p99 latency above ${var.p99_latency_ms} ms."
        namespace   = "AWS/ApiGateway", metric = "Latency", dimensions = { ApiName = api.api_name, Stage = api.stage_name }
        statistic   = "p99", period = var.period_seconds, threshold = var.p99_latency_ms
      }
    },
    {
      for key, queue in(var.dlq_alarms ? var.dead_letter_queues : {}) : "${key}-dlq-message" => {
        description = "${queue} holds a message: a consumer gave up on it (make dlq ARGS=\"show ${queue}\")."
        namespace   = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", dimensions = { QueueName = queue }
        statistic   = "Maximum", period = 60, threshold = 1
      }
    },
    {
      for key, name in var.stream_function_names : "${key}-iterator-age" => {
        description = "${name}: its stream's oldest unprocessed record is ${var.iterator_age_threshold_seconds} s old or older (a poison record, or the function throttled or failing)."
        namespace   = "AWS/Lambda", metric = "IteratorAge", dimensions = { FunctionName = name }
        statistic   = "Maximum", period = 60, threshold = var.iterator_age_threshold_seconds * 1000
      }
    },
    var.stuck_orders_metric == null ? {} : {
      "stuck-orders" = {
        description = "The reconciler found orders stuck in a pending state."
        namespace   = var.stuck_orders_metric.namespace, metric = var.stuck_orders_metric.metric_name
        dimensions  = var.stuck_orders_metric.dimensions
        statistic   = "Maximum", period = var.period_seconds, threshold = 1
      }
    },
  )
}

locals {
  # Failures as a share of the traffic (metric math): one failed request out of thousands is noise, the
  # same one out of three is an outage. Below error_rate_min_requests in a period the rate reads 0.
  rate_alarms = merge(
    {
      for key, name in var.function_names : "${key}-error-rate" => {
        description = "${name}: ${var.error_rate_percent} % or more of its invocations failed in ${var.period_seconds} s."
        namespace   = "AWS/Lambda", failures = "Errors", total = "Invocations", dimensions = { FunctionName = name }
      }
    },
    {
      for key, api in var.apis : "${key}-5xx-rate" => {
        description = "${api.api_name}/${api.stage_name}: ${var.error_rate_percent} % or more of its answers were 5XX in ${var.period_seconds} s."
        namespace   = "AWS/ApiGateway", failures = "5XXError", total = "Count", dimensions = { ApiName = api.api_name, Stage = api.stage_name }
      }
    },
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

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic == "p99" ? null : each.value.statistic
  extended_statistic  = each.value.statistic == "p99" ? "p99" : null
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = each.value.statistic == "p99" ? "GreaterThanThreshold" : "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rate" {
  for_each = local.rate_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  evaluation_periods  = 1
  threshold           = var.error_rate_percent
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags

  metric_query {
    id          = "rate"
    label       = "${each.value.failures} per 100 ${each.value.total}"
    expression  = "IF(total >= ${var.error_rate_min_requests}, 100 * failures / total, 0)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { failures = each.value.failures, total = each.value.total }
    content {
      id = metric_query.key
      metric {
        namespace   = each.value.namespace
        metric_name = metric_query.value
        dimensions  = each.value.dimensions
        stat        = "Sum"
        period      = var.period_seconds
      }
    }
  }
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
