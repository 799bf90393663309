output "urls" {
  description = "Service => its function URL (SigV4-signed requests only)."
  value       = module.exposure.urls
}
