"""The Lambda authorizer of the web and mobile APIs: RS256 JWTs verified at the edge."""
