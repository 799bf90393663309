# The values of environments/prod that are not secrets; edit before the first apply.
payment_provider_url = "https://api.payments.example"
sender_email         = "orders@prod.foyer.example"
alarm_emails         = ["platform-oncall@foyer.example"]
# Once the BFF apps are in locals.apps: { web = 2, mobile = 2, partner = 1 }.
bff_provisioned_concurrency = {}
