# Alarms for two functions, one API stage and one dead-letter queue, to a topic that e-mails on-call.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = "foyer"
      environment = "example"
    }
  }
}

module "observability" {
  source = "../.."

  name               = "foyer-example"
  function_names     = { catalog = "foyer-example-catalog", web = "foyer-example-web" }
  apis               = { web = { api_name = "foyer-example-web", stage_name = "example" } }
  dead_letter_queues = { "inventory-stock" = "foyer-example-inventory-stock-dlq" }
  alarm_emails       = var.alarm_emails
}
