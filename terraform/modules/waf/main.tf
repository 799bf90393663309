# A regional web ACL in front of API Gateway stages: AWS' IP reputation list, common rule set and known
# bad inputs (Log4j among them), then the rate rules that fit the API's clients (per IP, or per value
# of a header such as a partner's API key), each answering 429 problem+json with Retry-After; every
# request's verdict logged to CloudWatch Logs with the credentials redacted; associated with every
# stage it is given.

locals {
  # Evaluated in this order; a managed group that blocks ends the evaluation before the rate count.
  managed_groups = [
    { name = "AWSManagedRulesAmazonIpReputationList", priority = 10 },
    { name = "AWSManagedRulesCommonRuleSet", priority = 20 },
    { name = "AWSManagedRulesKnownBadInputsRuleSet", priority = 30 },
  ]
  metric_prefix = replace(var.name, "-", "")
  # WAF's custom bodies take no variables and only TEXT_PLAIN, TEXT_HTML or APPLICATION_JSON: the
  # problem's shape with Content-Type application/json, and no correlation id (no request reached us).
  too_many_requests = jsonencode({
    type   = "about:blank"
    title  = "Too Many Requests"
    status = 429
    detail = "This client sent more requests than its rate limit allows; retry after Retry-After seconds."
  })
}

resource "aws_wafv2_web_acl" "this" {
  name        = var.name
  description = "API stages of ${var.name}: AWS managed groups and a per-IP rate limit."
  scope       = "REGIONAL"
  tags        = var.tags

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = local.managed_groups
    content {
      name     = rule.value.name
      priority = rule.value.priority

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          name        = rule.value.name
          vendor_name = "AWS"
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.metric_prefix}${rule.value.name}"
        sampled_requests_enabled   = true
      }
    }
  }

  # In the order given, after the managed groups; each block outranks the API's gateway responses.
  dynamic "rule" {
    for_each = var.rate_rules
    content {
      name     = rule.value.name
      priority = 40 + rule.key

      action {
        block {
          custom_response {
            response_code            = 429
            custom_response_body_key = "too-many-requests"
            # The window is when a client that stopped has surely fallen below the limit again.
            response_header {
              name  = "Retry-After"
              value = tostring(rule.value.window_seconds)
            }
            dynamic "response_header" {
              for_each = var.cors_allow_origin == null ? {} : { "Access-Control-Allow-Origin" = var.cors_allow_origin, "Access-Control-Expose-Headers" = "Retry-After", "Vary" = "Origin" }
              content {
                name  = response_header.key
                value = response_header.value
              }
            }
          }
        }
      }

      statement {
        rate_based_statement {
          limit                 = rule.value.limit
          evaluation_window_sec = rule.value.window_seconds
          aggregate_key_type    = rule.value.key_header == null ? "IP" : "CUSTOM_KEYS"

          # Requests without the header are not counted by this rule (WAF's rule for custom keys).
          dynamic "custom_key" {
            for_each = rule.value.key_header == null ? [] : [rule.value.key_header]
            content {
              header {
                name = custom_key.value
                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${local.metric_prefix}${rule.value.name}"
        sampled_requests_enabled   = true
      }
    }
  }

  custom_response_body {
    key          = "too-many-requests"
    content      = local.too_many_requests
    content_type = "APPLICATION_JSON"
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.metric_prefix
    sampled_requests_enabled   = true
  }
}

# WAF writes only to log groups whose name starts with aws-waf-logs-.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is chosen per environment through log_retention_days (prod keeps a year); a one-year floor in every environment is a compliance decision, not a module default.
  #checkov:skip=CKV_AWS_158:A customer managed key is optional (log_kms_key_arn); CloudWatch Logs encrypts every log group at rest either way.
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.this.arn]

  # Partners' API keys and users' tokens never reach the logs.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "x-api-key"
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  for_each = var.stage_arns

  resource_arn = each.value
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}
