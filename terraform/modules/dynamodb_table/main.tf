locals {
  declared_attributes = toset([for a in var.attributes : a.name])
  key_attributes = toset(compact(concat(
    [var.hash_key, var.range_key],
    flatten([for i in var.global_secondary_indexes : [i.hash_key, i.range_key]]),
  )))
}

resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_119:No environment passes kms_key_arn today: every table is encrypted at rest with the AWS managed key (alias/aws/dynamodb), and a customer managed key is a per-root decision (the check would only pass on the variable's null default).
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = var.hash_key
  range_key                   = var.range_key
  deletion_protection_enabled = var.deletion_protection

  stream_enabled   = var.stream_enabled
  stream_view_type = var.stream_enabled ? "NEW_AND_OLD_IMAGES" : null

  dynamic "attribute" {
    for_each = var.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.global_secondary_indexes
    content {
      name               = global_secondary_index.value.name
      hash_key           = global_secondary_index.value.hash_key
      range_key          = global_secondary_index.value.range_key
      projection_type    = global_secondary_index.value.projection_type
      non_key_attributes = global_secondary_index.value.non_key_attributes
    }
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags

  lifecycle {
    # DynamoDB rejects a table whose key attributes are not all declared (and vice versa), but only at
    # apply time; fail at plan time with a readable message instead.
    precondition {
      condition     = local.key_attributes == local.declared_attributes
      error_message = "attributes must declare exactly the table and index key attributes: ${join(", ", sort(local.key_attributes))}."
    }
  }
}
