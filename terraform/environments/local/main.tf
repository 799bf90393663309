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
  # One table per service (architecture decision 3); key attributes only.
  tables = {
    catalog = {
      hash_key   = "sku"
      attributes = [{ name = "sku", type = "S" }, { name = "category", type = "S" }]
      global_secondary_indexes = [
        { name = "by-category", hash_key = "category", range_key = "sku", projection_type = "ALL" },
      ]
    }
    # Items: stock#<sku> and reservation#<order_id>.
    inventory = {
      hash_key                 = "pk"
      attributes               = [{ name = "pk", type = "S" }]
      global_secondary_indexes = []
    }
  }

  # Least privilege: each app reaches only its own table (and its indexes), with only the
  # actions its code uses. TransactWriteItems is authorized per item action (Put/Update/ConditionCheck).
  apps = {
    catalog = {
      handler = "services.catalog.handler.handler"
      table   = "catalog"
      actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
    }
    inventory = {
      handler = "services.inventory.handler.handler"
      table   = "inventory"
      actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    }
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

  environment_variables = {
    TABLE_NAME    = module.table[each.value.table].name
    FOYER_ENV     = "local"
    FOYER_SERVICE = each.key
  }

  policy_statements = [
    {
      sid       = "OwnTable"
      actions   = each.value.actions
      resources = [module.table[each.value.table].arn, "${module.table[each.value.table].arn}/index/*"]
    },
  ]
}
