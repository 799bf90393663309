output "function_name" {
  description = "Name of the catalog function."
  value       = module.catalog.function_name
}

output "alias_arn" {
  description = "The live alias (SnapStart applies to the versions it points at)."
  value       = module.catalog.alias_arn
}

output "invoke_arn" {
  description = "What an API Gateway integration invokes: the live alias."
  value       = module.catalog.qualified_invoke_arn
}
