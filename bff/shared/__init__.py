"""The domain services' HTTP APIs as the BFFs read them: typed, tolerant readers and one function per
call, shared by the web, mobile and partner BFFs (each zip carries foyer/, not the other BFFs).

Readers ignore fields they do not use, so a service may add fields without breaking a BFF; a
missing or ill-typed field a BFF uses makes the answer unusable (UpstreamUnavailable). A problem a
service declares for its callers (a 404 aside, which each call turns into None) is relayed to the
client as it is; any other refusal names the service's own API and is the BFF's fault: a 502
(bff.shared.relay).
"""

from bff.shared.calls import Services
from bff.shared.models import (
    Money,
    Order,
    OrderLine,
    OrderPage,
    OrderStep,
    Payment,
    Product,
    ProductPage,
    TimelineStep,
)
from bff.shared.relay import ServiceProblem

__all__ = [
    "Money",
    "Order",
    "OrderLine",
    "OrderPage",
    "OrderStep",
    "Payment",
    "Product",
    "ProductPage",
    "ServiceProblem",
    "Services",
    "TimelineStep",
]
