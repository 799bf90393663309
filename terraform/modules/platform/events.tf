# The event-driven half of the topology (docs/architecture.md: outbox, consumers, the saga): one bus, a relay per outbox
# table, and per consumer a function, a rule, a queue with its DLQ and a mapping. Everything follows
# from `consumers` and `outbox` in locals.apps (main.tf). The emulator runs no Lambda: the local root
# creates the mappings disabled and the local stack runs the same handlers (devtools/devstack: relays,
# consumers); the cloud roots enable them (var.event_source_mappings_enabled).

locals {
  consumers = merge([
    for app_name, app in local.apps : {
      for name, consumer in try(app.consumers, {}) : "${app_name}-${name}" => {
        app               = app_name
        handler           = consumer.handler
        sources           = consumer.sources
        events            = consumer.events
        timeout           = try(consumer.timeout, 30)
        max_receive_count = try(consumer.max_receive_count, 3)
      }
    }
  ]...)
  outbox_apps = toset([for name, app in local.apps : name if try(app.outbox, false)])
}

module "bus" {
  source = "../event_bus"

  name                   = "${var.name_prefix}-events"
  archive_retention_days = var.event_archive_retention_days
}

module "consumer_function" {
  source   = "../lambda_app"
  for_each = local.consumers

  function_name         = "${var.name_prefix}-${each.key}"
  artifact_path         = "${var.artifacts_dir}/${each.value.app}.zip"
  handler               = each.value.handler
  timeout               = each.value.timeout
  memory_size           = var.memory_size
  log_retention_days    = var.log_retention_days
  tags                  = var.tags
  environment_variables = local.app_environment[each.value.app]
  policy_statements     = concat(local.own_table_statements[each.value.app], local.extra_statements[each.value.app])
  # Its own share of the account's concurrency: a spike on the APIs cannot throttle the consumers.
  reserved_concurrent_executions = var.event_concurrency
}

module "consumer" {
  source   = "../event_consumer"
  for_each = local.consumers

  name              = "${var.name_prefix}-${each.key}"
  event_bus_name    = module.bus.name
  sources           = each.value.sources
  detail_types      = each.value.events
  function_name     = module.consumer_function[each.key].function_name
  function_timeout  = each.value.timeout
  max_receive_count = each.value.max_receive_count
  alarm_topic_arn   = local.alarm_topic_arn
  tags              = var.tags
  # No more pollers than the function's reserved concurrency: beyond it Lambda would throttle them.
  maximum_concurrency  = var.event_concurrency
  redrive_allow_policy = var.sqs_redrive_allow_policies
  # The emulator would try to run the function in Docker on every message: the local stack polls.
  enabled = var.event_source_mappings_enabled
}

# The queue statements come from the consumer module, which needs the function first: a policy of
# its own on the function's role, not the role's inline one.
resource "aws_iam_role_policy" "consumer_queue" {
  for_each = local.consumers

  name = "queue"
  role = module.consumer_function[each.key].role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      for statement in module.consumer[each.key].policy_statements : {
        Sid      = statement.sid
        Effect   = "Allow"
        Action   = statement.actions
        Resource = statement.resources
      }
    ]
  })
}

module "relay" {
  source   = "../lambda_app"
  for_each = local.outbox_apps

  function_name      = "${var.name_prefix}-${each.key}-relay"
  artifact_path      = "${var.artifacts_dir}/${each.key}.zip"
  handler            = "foyer.events.handler.handler"
  memory_size        = var.memory_size
  log_retention_days = var.log_retention_days
  tags               = var.tags
  # A stream is read by one invocation per shard at a time: a throttled relay only falls behind.
  reserved_concurrent_executions = var.event_concurrency
  environment_variables = {
    FOYER_ENV      = var.environment
    FOYER_SERVICE  = "${each.key}-relay"
    TABLE_NAME     = module.table[each.key].name
    EVENT_BUS_NAME = module.bus.name
  }
  policy_statements = concat(
    [
      {
        sid       = "Outbox"
        actions   = ["dynamodb:Query", "dynamodb:DeleteItem"]
        resources = [module.table[each.key].arn, "${module.table[each.key].arn}/index/*"]
      },
      {
        sid = "Stream"
        actions = [
          "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
        ]
        resources = [module.table[each.key].stream_arn]
      },
      {
        # The mapping sends the record of a batch it gave up on with the function's role.
        sid       = "StreamFailures"
        actions   = ["sqs:SendMessage"]
        resources = [aws_sqs_queue.relay_failures[each.key].arn]
      },
    ],
    module.bus.publisher_policy_statements,
  )
}

locals {
  # The stream records the relay publishes (foyer/events/outbox.py): INSERTs of an `outbox#` item. The
  # relay's own deletes, every MODIFY and every other item never invoke it.
  outbox_insert_pattern = {
    eventName = ["INSERT"]
    dynamodb  = { NewImage = { pk = { S = [{ prefix = "outbox#" }] } } }
  }
}

# Where a stream batch the relay gave up on is recorded (shard, sequence numbers, the error), so a
# poison record holds its shard for at most maximum_record_age_in_seconds. Its outbox item stays
# pending in the table, so the event is not lost: the record says where to look.
resource "aws_sqs_queue" "relay_failures" {
  for_each = local.outbox_apps

  name                      = "${var.name_prefix}-${each.key}-relay-failures"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_lambda_event_source_mapping" "relay" {
  for_each = local.outbox_apps

  event_source_arn        = module.table[each.key].stream_arn
  function_name           = module.relay[each.key].function_name
  starting_position       = "LATEST"
  batch_size              = 100
  function_response_types = ["ReportBatchItemFailures"]

  filter_criteria {
    filter {
      pattern = jsonencode(local.outbox_insert_pattern)
    }
  }

  # A failing batch is split in halves until the poison record stands alone; retries and age are
  # bounded, then the record goes to the failure queue and the shard moves on.
  bisect_batch_on_function_error = true
  maximum_retry_attempts         = 10
  maximum_record_age_in_seconds  = 3600

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.relay_failures[each.key].arn
    }
  }

  # As for the queues: the local stack drains the outbox itself (python -m devtools.devstack.relays).
  enabled = var.event_source_mappings_enabled
}

# Scheduled functions (`schedules` in locals.apps): a function from the app's zip, an EventBridge
# schedule rule on the default bus and the permission for it to invoke the function. The emulator
# runs no Lambda on a schedule: the local stack calls the same handler every `local_interval_s`
# (python -m devtools.devstack.schedules), reading this from the `schedules` output.
locals {
  schedules = merge([
    for app_name, app in local.apps : {
      for name, schedule in try(app.schedules, {}) : "${app_name}-${name}" => {
        app              = app_name
        handler          = schedule.handler
        expression       = schedule.expression
        local_interval_s = schedule.local_interval_s
        timeout          = try(schedule.timeout, 60)
        environment      = try(schedule.environment, {})
      }
    }
  ]...)
}

module "scheduled_function" {
  source   = "../lambda_app"
  for_each = local.schedules

  function_name         = "${var.name_prefix}-${each.key}"
  artifact_path         = "${var.artifacts_dir}/${each.value.app}.zip"
  handler               = each.value.handler
  timeout               = each.value.timeout
  memory_size           = var.memory_size
  log_retention_days    = var.log_retention_days
  tags                  = var.tags
  environment_variables = merge(local.app_environment[each.value.app], each.value.environment)
  policy_statements     = local.own_table_statements[each.value.app]
  # EventBridge invokes asynchronously: a run that still fails after Lambda's retries is recorded, not
  # dropped. The next run supersedes an older one, so an event older than the schedule is not retried.
  async_invocation = {
    on_failure_arn               = aws_sqs_queue.schedule_failures[each.key].arn
    maximum_retry_attempts       = 2
    maximum_event_age_in_seconds = 300
  }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = local.schedules

  name                = "${var.name_prefix}-${each.key}"
  description         = "Runs ${each.value.handler} on ${each.value.expression}"
  schedule_expression = each.value.expression
  tags                = var.tags

  lifecycle {
    # The reconciler may expire an order only once payments has stopped retrying its charge.
    precondition {
      condition     = var.order_deadlines.expire_after_s > local.charge_retry_bound_s
      error_message = "order_deadlines.expire_after_s (${var.order_deadlines.expire_after_s}) must exceed payments' bound on an unanswered charge: ${local.charge_retry_bound_s} s (its queue's deliveries x visibility timeout)."
    }
  }
}

locals {
  charge_retry_bound_s = local.consumers["payments-charges"].max_receive_count * module.consumer["payments-charges"].visibility_timeout_seconds
}

# What a schedule could not run: EventBridge's undeliverable invocations (the target's DLQ) and the
# function's failed runs (its on-failure destination), as two kinds of record in one queue.
resource "aws_sqs_queue" "schedule_failures" {
  for_each = local.schedules

  name                      = "${var.name_prefix}-${each.key}-failures"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

# EventBridge sends with no role of ours, so the queue's policy admits this rule only, on this queue;
# Lambda sends the function's failures with the function's role (lambda_app's AsyncOnFailure statement).
resource "aws_sqs_queue_policy" "schedule_failures" {
  for_each = local.schedules

  queue_url = aws_sqs_queue.schedule_failures[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgeRuleSends"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.schedule_failures[each.key].arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.schedule[each.key].arn } }
    }]
  })
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = local.schedules

  rule = aws_cloudwatch_event_rule.schedule[each.key].name
  arn  = module.scheduled_function[each.key].arn

  # Retried while the run is still worth having (the next one comes after one interval), then recorded.
  retry_policy {
    maximum_retry_attempts       = 3
    maximum_event_age_in_seconds = 300
  }

  dead_letter_config {
    arn = aws_sqs_queue.schedule_failures[each.key].arn
  }
}

resource "aws_lambda_permission" "schedule" {
  for_each = local.schedules

  statement_id  = "schedule"
  action        = "lambda:InvokeFunction"
  function_name = module.scheduled_function[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[each.key].arn
}

# Failure queues are destinations, never a redrive target: no source queue may dead-letter into them.
resource "aws_sqs_queue_redrive_allow_policy" "failures" {
  for_each = var.sqs_redrive_allow_policies ? local.failure_queues : {}

  queue_url            = each.value.url
  redrive_allow_policy = jsonencode({ redrivePermission = "denyAll" })
}

resource "aws_cloudwatch_metric_alarm" "failures" {
  for_each = local.failure_queues

  alarm_name          = "${each.value.name}-not-empty"
  alarm_description   = "${each.value.name} holds the record of ${each.value.what}: read it (its cause and where it failed), fix the cause, then delete it."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_topic_arn == null ? [] : [local.alarm_topic_arn]
  ok_actions          = local.alarm_topic_arn == null ? [] : [local.alarm_topic_arn]
  tags                = var.tags
}

locals {
  failure_queues = merge(
    { for app, queue in aws_sqs_queue.relay_failures : "${app}-relay" => { name = queue.name, url = queue.id, what = "a stream batch ${app}'s relay gave up on" } },
    { for key, queue in aws_sqs_queue.schedule_failures : key => { name = queue.name, url = queue.id, what = "a run of ${key} that failed for good" } },
  )
}
