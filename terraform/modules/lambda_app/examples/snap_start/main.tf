# The catalog service as a cloud root would declare it: its own table, and a function with SnapStart on
# published versions behind the `live` alias that API Gateway invokes.
# `make package` first (dist/catalog.zip), then with AWS credentials: terraform init && terraform apply.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "catalog_table" {
  source = "../../../dynamodb_table"

  name       = "${var.name_prefix}-catalog"
  hash_key   = "sku"
  attributes = [{ name = "sku", type = "S" }, { name = "category", type = "S" }]
  global_secondary_indexes = [
    { name = "by-category", hash_key = "category", range_key = "sku" },
  ]
}

module "catalog" {
  source = "../.."

  function_name      = "${var.name_prefix}-catalog"
  description        = "Product catalog API (FastAPI behind Mangum)."
  artifact_path      = var.artifact_path
  handler            = "services.catalog.handler.handler"
  memory_size        = 1024
  timeout            = 10
  log_retention_days = 90
  snap_start         = true

  environment_variables = {
    TABLE_NAME    = module.catalog_table.name
    FOYER_ENV     = "example"
    FOYER_SERVICE = "catalog"
  }

  policy_statements = [{
    sid       = "OwnTable"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
    resources = [module.catalog_table.arn, "${module.catalog_table.arn}/index/*"]
  }]
}
