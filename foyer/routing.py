"""What the router knows about a path, asked the way the router itself asks.

Starlette answers a wrong method with the `Allow` of the first route whose path matched: with GET
and PATCH declared as two routes on `/products/{sku}`, `DELETE` was told `Allow: GET`. RFC 9110
wants every method the target resource supports, so the 405 asks each route about each method.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Match, Router
from starlette.types import Scope

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(router: Router, scope: Scope) -> list[str]:
    """Every method some route of `router` serves at the path of `scope`, in a fixed order."""
    allowed = []
    for method in _METHODS:
        # A fresh scope per probe: matching may write into the one it is given.
        probe: Scope = {
            "type": "http",
            "method": method,
            "path": scope["path"],
            "root_path": scope.get("root_path", ""),
            "headers": [],
            "query_string": b"",
        }
        if any(route.matches(probe)[0] == Match.FULL for route in router.routes):
            allowed.append(method)
    return allowed


def location(request: Request, route: str, **params: str) -> str:
    """The public path of the named route (for a `Location` header): behind API Gateway it carries the
    stage prefix the adapter put in `root_path`, which `url_path_for` leaves out."""
    return f"{request.scope.get('root_path', '')}{request.app.url_path_for(route, **params)}"
