# The values of environments/staging that are not secrets; edit before the first apply.
payment_provider_url = "https://api.payments.example"
sender_email         = "orders@staging.foyer.example"
alarm_emails         = ["platform-oncall@foyer.example"]
