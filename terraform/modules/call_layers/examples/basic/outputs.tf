output "layers" {
  description = "[[catalog], [orders], [web]]"
  value       = module.layers.layers
}
