output "layers" {
  description = "Three lists of app names, sorted: apps that call nobody, apps calling only those, apps calling only the first two."
  value       = [local.first, local.second, local.third]
}
