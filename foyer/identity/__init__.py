"""Who is calling: a user's RS256 JWT (web, mobile) or a partner's API key under a usage plan.

One capability, two places it runs. Behind API Gateway the edge has already decided (the Lambda
authorizer verified the token, API Gateway checked the key and its plan): a BFF trusts the request
context Mangum hands over in `scope["aws.event"]`. Under uvicorn nothing stands in front, so the
same dependencies verify the JWT against the local issuer's JWKS and enforce the keys and usage plans
Terraform created in the emulator. The FastAPI side lives in `foyer.identity.dependencies`; this
package's root and `tokens` import no web framework, so the authorizer Lambda does not pay for one.
"""

from foyer.identity.exceptions import (
    ApiKeyRefused,
    IdentityError,
    IdentityUnavailable,
    OverUsagePlan,
    Unauthenticated,
)
from foyer.identity.principals import Partner, User

__all__ = [
    "ApiKeyRefused",
    "IdentityError",
    "IdentityUnavailable",
    "OverUsagePlan",
    "Partner",
    "Unauthenticated",
    "User",
]
