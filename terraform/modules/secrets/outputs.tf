output "arns" {
  description = "Secret name => its ARN (what a function's environment carries; it reads the value at run time)."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "names" {
  description = "Secret name => its full name in Secrets Manager (<name_prefix>/<name>)."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.name }
}

output "kms_key_arn" {
  description = "ARN of the customer managed key encrypting every secret."
  value       = aws_kms_key.this.arn
}

output "reader_policy_statements" {
  description = "Secret name => what a reader's role needs (GetSecretValue on it, Decrypt with the key), in lambda_app's policy_statements shape."
  value = {
    for name, secret in aws_secretsmanager_secret.this : name => [
      { sid = "Read${local.sid[name]}", actions = ["secretsmanager:GetSecretValue"], resources = [secret.arn] },
      { sid = "Decrypt${local.sid[name]}", actions = ["kms:Decrypt"], resources = [aws_kms_key.this.arn] },
    ]
  }
}
