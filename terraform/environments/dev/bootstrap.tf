# API Gateway creates a stage with access logging only once the account's CloudWatch role is set (a
# per-region account setting no data source reads). environments/bootstrap sets it with a role of a
# fixed name; the plan stops here, naming that root, when the role is missing.
data "aws_region" "current" {}

data "aws_iam_roles" "api_gateway_logging" {
  path_prefix = "/foyer/"
  name_regex  = "^foyer-api-gateway-logs-${data.aws_region.current.name}$"

  lifecycle {
    postcondition {
      condition     = length(self.names) == 1
      error_message = "This account has no API Gateway CloudWatch role in ${data.aws_region.current.name} (role /foyer/foyer-api-gateway-logs-${data.aws_region.current.name}): stages with access logging cannot be created. Apply terraform/environments/bootstrap once for this account and region first (docs/deploy.md)."
    }
  }
}
