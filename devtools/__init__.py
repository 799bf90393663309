"""Dev tooling: the local stack, the CLIs, the payment sandbox and the token issuer (in no Lambda)."""
