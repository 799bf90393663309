# The event-driven half of the topology (architecture decisions 4 and 5): one bus, a relay per outbox
# table, and per consumer a function, a rule, a queue with its DLQ and a mapping. Everything follows
# from `consumers` and `outbox` in locals.apps (main.tf). The emulator runs no Lambda: the local root
# creates the mappings disabled and the local stack runs the same handlers (foyer/devstack: relays,
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

  name = "${var.name_prefix}-events"
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
    ],
    module.bus.publisher_policy_statements,
  )
}

resource "aws_lambda_event_source_mapping" "relay" {
  for_each = local.outbox_apps

  event_source_arn        = module.table[each.key].stream_arn
  function_name           = module.relay[each.key].function_name
  starting_position       = "LATEST"
  batch_size              = 100
  function_response_types = ["ReportBatchItemFailures"]
  # As for the queues: the local stack drains the outbox itself (python -m foyer.devstack.relays).
  enabled = var.event_source_mappings_enabled
}

# Scheduled functions (`schedules` in locals.apps): a function from the app's zip, an EventBridge
# schedule rule on the default bus and the permission for it to invoke the function. The emulator
# runs no Lambda on a schedule: the local stack calls the same handler every `local_interval_s`
# (python -m foyer.devstack.schedules), reading this from the `schedules` output.
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
}

resource "aws_cloudwatch_event_rule" "schedule" {
  for_each = local.schedules

  name                = "${var.name_prefix}-${each.key}"
  description         = "Runs ${each.value.handler} on ${each.value.expression}"
  schedule_expression = each.value.expression
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  for_each = local.schedules

  rule = aws_cloudwatch_event_rule.schedule[each.key].name
  arn  = module.scheduled_function[each.key].arn
}

resource "aws_lambda_permission" "schedule" {
  for_each = local.schedules

  statement_id  = "schedule"
  action        = "lambda:InvokeFunction"
  function_name = module.scheduled_function[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[each.key].arn
}
