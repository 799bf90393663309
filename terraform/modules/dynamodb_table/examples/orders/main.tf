# An order service's table: orders and their lines in one partition (pk = order#<id>, sk = meta or
# line#<n>), a customer index, expiring idempotency records and a stream for the outbox relay.
# Apply with AWS credentials for the chosen region: terraform init && terraform apply.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "orders_table" {
  source = "../.."

  name      = "${var.name_prefix}-orders"
  hash_key  = "pk"
  range_key = "sk"
  attributes = [
    { name = "pk", type = "S" },
    { name = "sk", type = "S" },
    { name = "customer_id", type = "S" },
    { name = "created_at", type = "N" },
  ]
  global_secondary_indexes = [
    { name = "by-customer", hash_key = "customer_id", range_key = "created_at", projection_type = "KEYS_ONLY" },
  ]
  ttl_attribute  = "expires_at"
  stream_enabled = true
  kms_key_arn    = var.kms_key_arn
}
