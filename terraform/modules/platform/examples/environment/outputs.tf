output "functions" {
  description = "App name => { function_name, handler, arn }."
  value       = module.platform.functions
}
