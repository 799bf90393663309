# The local environment: the same modules as the cloud roots, applied against the AWS emulator.
# The local stack reads the outputs (table names, functions) instead of declaring anything twice.

provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  # The emulator has no instance metadata, accepts any credentials and answers for account
  # 123456789012; s3_use_path_style because <bucket>.127.0.0.1 does not resolve.
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigateway     = var.aws_endpoint
    cloudwatch     = var.aws_endpoint
    dynamodb       = var.aws_endpoint
    events         = var.aws_endpoint
    iam            = var.aws_endpoint
    kms            = var.aws_endpoint
    lambda         = var.aws_endpoint
    logs           = var.aws_endpoint
    s3             = var.aws_endpoint
    secretsmanager = var.aws_endpoint
    ses            = var.aws_endpoint
    sesv2          = var.aws_endpoint
    sns            = var.aws_endpoint
    sqs            = var.aws_endpoint
    ssm            = var.aws_endpoint
    sts            = var.aws_endpoint
    wafv2          = var.aws_endpoint
    xray           = var.aws_endpoint
  }

  default_tags {
    tags = {
      project     = "foyer"
      environment = "local"
    }
  }
}

locals {
  # Every deployable app, declared once. Adding a service or a BFF is its folder plus one entry here;
  # the dev stack, docker-compose.yml, the import contracts and the tests read or check the rest.
  #   handler  the Lambda entry point (its ASGI app is the `app` module beside it)
  #   port     its fixed local port under `make dev` (BFFs 80xx, services 81xx; --port-offset shifts it)
  #   table    its own DynamoDB table (architecture decision 3), key attributes only; null for none
  #   actions  least privilege: the DynamoDB actions its code calls on that table, and no others.
  #            TransactWriteItems is authorized per item action (Put/Update/ConditionCheck).
  apps = {
    catalog = {
      handler = "services.catalog.handler.handler"
      port    = 8101
      table = {
        hash_key   = "sku"
        attributes = [{ name = "sku", type = "S" }, { name = "category", type = "S" }]
        global_secondary_indexes = [
          { name = "by-category", hash_key = "category", range_key = "sku", projection_type = "ALL" },
        ]
      }
      actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
    }
    inventory = {
      handler = "services.inventory.handler.handler"
      port    = 8102
      # Items: stock#<sku> and reservation#<order_id>.
      table = {
        hash_key                 = "pk"
        attributes               = [{ name = "pk", type = "S" }]
        global_secondary_indexes = []
      }
      actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    }
  }

  tables = { for name, app in local.apps : name => app.table if app.table != null }

  # Ports declared by more than one app (outputs.tf refuses the plan while this is not empty).
  port_clashes = {
    for port, names in { for name, app in local.apps : tostring(app.port) => name... } :
    port => names if length(names) > 1
  }
}

module "table" {
  source   = "../../modules/dynamodb_table"
  for_each = local.tables

  name                     = "${var.name_prefix}-${each.key}"
  hash_key                 = each.value.hash_key
  attributes               = each.value.attributes
  global_secondary_indexes = each.value.global_secondary_indexes
  deletion_protection      = false # the local stack is torn down and re-created freely
}

module "app" {
  source   = "../../modules/lambda_app"
  for_each = local.apps

  function_name      = "${var.name_prefix}-${each.key}"
  artifact_path      = "${var.artifacts_dir}/${each.key}.zip"
  handler            = each.value.handler
  log_retention_days = 1

  environment_variables = merge(
    { FOYER_ENV = "local", FOYER_SERVICE = each.key },
    each.value.table == null ? {} : { TABLE_NAME = module.table[each.key].name },
  )

  policy_statements = each.value.table == null ? [] : [
    {
      sid       = "OwnTable"
      actions   = each.value.actions
      resources = [module.table[each.key].arn, "${module.table[each.key].arn}/index/*"]
    },
  ]
}
