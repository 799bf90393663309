# The local stack reads exactly these shapes (foyer/devstack): keep them stable.

output "region" {
  description = "Region the emulator was addressed as."
  value       = var.region
}

output "tables" {
  description = "Service name => DynamoDB table name."
  value       = { for service, table in module.table : service => table.name }
}

output "functions" {
  description = "App name => { function_name, handler, arn }."
  value = {
    for name, app in module.app : name => {
      function_name = app.function_name
      handler       = app.handler
      arn           = app.arn
    }
  }
}
