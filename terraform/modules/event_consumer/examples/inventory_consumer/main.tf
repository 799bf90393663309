# The inventory service as a consumer, as a cloud root would wire it: the environment's bus, the
# function (lambda_app) with its table, and the consumer that feeds it OrderPlaced and OrderCancelled
# through its own queue, with a DLQ, an alarm and exactly the queue permissions its role needs.
# `make package` first (dist/inventory.zip), then with AWS credentials: terraform init && terraform apply.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

locals {
  # One value for the function and for the consumer, whose visibility timeout is checked against it.
  inventory_timeout = 10
}

module "bus" {
  source = "../../../event_bus"

  name = var.name_prefix
}

module "inventory_table" {
  source = "../../../dynamodb_table"

  name       = "${var.name_prefix}-inventory"
  hash_key   = "pk"
  attributes = [{ name = "pk", type = "S" }]
}

module "inventory" {
  source = "../../../lambda_app"

  function_name = "${var.name_prefix}-inventory"
  description   = "Inventory API and its OrderPlaced / OrderCancelled consumer."
  artifact_path = var.artifact_path
  handler       = "services.inventory.handler.handler"
  timeout       = local.inventory_timeout

  environment_variables = {
    TABLE_NAME    = module.inventory_table.name
    FOYER_ENV     = "example"
    FOYER_SERVICE = "inventory"
  }

  policy_statements = concat(
    [{
      sid       = "OwnTable"
      actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources = [module.inventory_table.arn]
    }],
    module.inventory_orders.policy_statements,
  )
}

module "inventory_orders" {
  source = "../.."

  name             = "${var.name_prefix}-inventory-orders"
  event_bus_name   = module.bus.name
  sources          = ["foyer.orders"]
  detail_types     = ["OrderPlaced", "OrderCancelled"]
  function_name    = module.inventory.function_name
  function_timeout = local.inventory_timeout

  batch_size                         = 10
  maximum_batching_window_in_seconds = 1
  max_receive_count                  = 5
  maximum_concurrency                = 10
  alarm_topic_arn                    = var.alarm_topic_arn
}
