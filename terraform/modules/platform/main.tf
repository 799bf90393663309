# The whole topology of one environment: every app's function and table, the bus, the consumers and
# the relays (events.tf), what the order flow reaches besides (messaging.tf). Every root calls it
# (terraform/environments/*): local against the emulator, dev/staging/prod in AWS; a root only
# chooses values. The local stack reads the root's re-exported outputs instead of declaring anything twice.

locals {
  # Every deployable app, declared once. Adding a service or a BFF is its folder plus one entry here;
  # the dev stack, docker-compose.yml, the import contracts and the tests read or check the rest.
  #   handler  the Lambda entry point (its ASGI app is the `app` module beside it)
  #   port     its fixed local port under `make dev` (BFFs 80xx, services 81xx; --port-offset shifts it)
  #   table    its own DynamoDB table (docs/architecture.md, "Storage"), key attributes only; null for none
  #   actions  least privilege: the DynamoDB actions its code calls on that table, and no others.
  #            TransactWriteItems is authorized per item action (Put/Update/ConditionCheck).
  #   outbox   the app writes events into its table (foyer.events): the table gets the outbox
  #            index, a stream and TTL on `expires_at`, and a relay publishes it to the bus
  #   consumers {name => {handler, sources, events, timeout, max_receive_count}}: the Lambda
  #            functions fed by a queue of the bus (events.tf), from the app's own zip
  #   schedules {name => {handler, expression, local_interval_s, timeout?, environment?}}: Lambda
  #            functions from the app's zip run by an EventBridge schedule (events.tf); under
  #            `make dev` the local stack calls the same handler every local_interval_s instead
  #   environment  more variables for the app's functions
  #   calls    the services its code calls over HTTP: its role may invoke exactly their AWS_IAM URLs and
  #            its FOYER_SERVICE_URLS holds exactly their URLs (exposure.tf; layers.tf orders the functions)
  #   expiring  its table keeps records that expire (TTL on `expires_at`) without an outbox or consumers
  #   edge     a BFF's REST API (edge.tf): `authorizer` (the JWT authorizer in front), `api_key_required`,
  #            `browsers` (web pages call it: CORS_ORIGINS, open preflights), `public_routes` (path =>
  #            methods answered without identity); every BFF has one (tests/terraform/test_apps_map.py)
  apps = {
    catalog = {
      handler = "services.catalog.handler.handler"
      port    = 8101
      table = {
        hash_key   = "sku"
        attributes = [{ name = "sku", type = "S" }, { name = "category", type = "S" }]
        global_secondary_indexes = [
          { name = "by-category", hash_key = "category", range_key = "sku", projection_type = "ALL" },
        ]
      }
      actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
    }
    inventory = {
      handler = "services.inventory.handler.handler"
      port    = 8102
      # Items: stock#<sku>, reservation#<order_id>, and the platform's outbox#/processed# items.
      table = {
        hash_key                 = "pk"
        attributes               = [{ name = "pk", type = "S" }]
        global_secondary_indexes = []
      }
      actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      outbox  = true
      consumers = {
        stock = {
          handler = "services.inventory.consumers.handler"
          sources = ["foyer.orders"]
          events  = ["OrderPlaced", "OrderCancelled", "OrderConfirmed"]
        }
      }
    }
    orders = {
      handler = "services.orders.handler.handler"
      port    = 8103
      # Items: order#<id>, timeline#<id>, and the platform's outbox#/processed#/idempotency# items.
      # `open` is sparse: only orders still PENDING or RESERVED carry `open_status` (the reconciler's).
      table = {
        hash_key = "pk"
        attributes = [
          { name = "pk", type = "S" }, { name = "customer_id", type = "S" }, { name = "partner_id", type = "S" },
          { name = "listed_at", type = "S" }, { name = "open_status", type = "S" },
        ]
        global_secondary_indexes = [
          { name = "by-customer", hash_key = "customer_id", range_key = "listed_at", projection_type = "ALL" },
          { name = "by-partner", hash_key = "partner_id", range_key = "listed_at", projection_type = "ALL" },
          { name = "open", hash_key = "open_status", range_key = "listed_at", projection_type = "ALL" },
        ]
      }
      actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"]
      # Prices come from the catalog (services/orders/catalog.py).
      calls  = ["catalog"]
      outbox = true
      consumers = {
        saga = {
          handler = "services.orders.consumers.handler"
          sources = ["foyer.inventory", "foyer.payments"]
          events  = ["StockReserved", "StockShortage", "PaymentAuthorized", "PaymentDeclined", "PaymentFailed"]
        }
        timeline = {
          handler = "services.orders.timeline_consumer.handler"
          sources = ["foyer.orders", "foyer.inventory", "foyer.payments"]
          events  = []
        }
      }
      schedules = {
        # Orders left open past their deadlines are resent or expired (services/orders/overdue.py).
        reconciler = {
          handler          = "services.orders.reconciler.handler"
          expression       = "rate(5 minutes)"
          local_interval_s = 5
          # Each root chooses them (order_deadlines; events.tf checks expiry against payments' bound).
          environment = {
            ORDER_RESEND_AFTER_S = tostring(var.order_deadlines.resend_after_s)
            ORDER_EXPIRE_AFTER_S = tostring(var.order_deadlines.expire_after_s)
          }
        }
      }
    }
    payments = {
      handler = "services.payments.handler.handler"
      port    = 8104
      table = {
        hash_key                 = "pk"
        attributes               = [{ name = "pk", type = "S" }]
        global_secondary_indexes = []
      }
      actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      outbox  = true
      consumers = {
        charges = {
          handler = "services.payments.consumers.handler"
          sources = ["foyer.inventory", "foyer.orders"]
          events  = ["StockReserved", "OrderCancelled"]
          # A charge without an answer is retried by redelivery (3 deliveries, then PaymentFailed).
          max_receive_count = 5
        }
      }
      environment = {
        PAYMENT_PROVIDER_URL        = var.payment_provider_url
        PAYMENT_PROVIDER_SECRET_ARN = module.secrets.arns["payment-provider/api-key"]
      }
    }
    notifications = {
      handler = "services.notifications.handler.handler"
      port    = 8105
      table = {
        hash_key                 = "pk"
        attributes               = [{ name = "pk", type = "S" }]
        global_secondary_indexes = []
      }
      actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"]
      consumers = {
        customers = {
          handler = "services.notifications.consumers.handler"
          sources = ["foyer.orders"]
          events  = ["OrderConfirmed", "OrderCancelled"]
        }
      }
      environment = {
        TOPIC_ARN    = aws_sns_topic.orders.arn
        SENDER_EMAIL = aws_ses_email_identity.sender.email
      }
    }
    # The BFFs call the services over HTTP (foyer.upstream) and own no table, except the partner's
    # Idempotency-Key records (foyer.idempotency; `expiring`: TTL on expires_at).
    # web and mobile: bff/shared/journeys.py (shelf, product, place, orders, order with payment).
    web = {
      handler = "bff.web.handler.handler"
      port    = 8001
      table   = null
      actions = []
      calls   = ["catalog", "inventory", "orders", "payments"]
      edge    = { authorizer = true, api_key_required = false, browsers = true, public_routes = local.shop_routes }
    }
    mobile = {
      handler = "bff.mobile.handler.handler"
      port    = 8002
      table   = null
      actions = []
      calls   = ["catalog", "inventory", "orders", "payments"]
      edge    = { authorizer = true, api_key_required = false, browsers = false, public_routes = local.shop_routes }
    }
    partner = {
      handler = "bff.partner.handler.handler"
      port    = 8003
      table = {
        hash_key                 = "pk"
        attributes               = [{ name = "pk", type = "S" }]
        global_secondary_indexes = []
      }
      actions  = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      expiring = true
      # bff/partner/api.py: products, availability, orders; never payments.
      calls = ["catalog", "inventory", "orders"]
      edge = {
        authorizer       = false
        api_key_required = true
        browsers         = false
        public_routes    = merge(local.docs_routes, { "/health" = ["GET"] })
      }
    }
  }

  # The outbox's sparse index and attributes (foyer/events/outbox.py), added to an outbox table.
  outbox_attributes = [{ name = "outbox_pending", type = "S" }, { name = "outbox_at", type = "S" }]
  outbox_index      = { name = "outbox", hash_key = "outbox_pending", range_key = "outbox_at", projection_type = "ALL" }

  tables = {
    for name, app in local.apps : name => {
      hash_key = app.table.hash_key
      outbox   = try(app.outbox, false)
      # Processed-event, idempotency and claim records expire (foyer.events, foyer.idempotency).
      expiring   = try(app.outbox, false) || length(try(app.consumers, {})) > 0 || try(app.expiring, false)
      attributes = concat(app.table.attributes, try(app.outbox, false) ? local.outbox_attributes : [])
      global_secondary_indexes = concat(
        app.table.global_secondary_indexes, try(app.outbox, false) ? [local.outbox_index] : []
      )
    } if app.table != null
  }

  # Ports declared by more than one app (outputs.tf refuses the plan while this is not empty).
  # What every function of an app sees: its name, its table, and what its entry adds.
  app_environment = {
    for name, app in local.apps : name => merge(
      { FOYER_ENV = var.environment, FOYER_SERVICE = name },
      app.table == null ? {} : { TABLE_NAME = module.table[name].name },
      try(app.environment, {}),
      try(local.edge_environment[name], {}), # edge.tf: the partner BFF's key mapping, web's CORS origins
    )
  }

  # Least privilege: an app's functions reach its own table and indexes with its listed actions only.
  own_table_statements = {
    for name, app in local.apps : name => app.table == null ? [] : [
      {
        sid       = "OwnTable"
        actions   = app.actions
        resources = [module.table[name].arn, "${module.table[name].arn}/index/*"]
      },
    ]
  }

  port_clashes = {
    for port, names in { for name, app in local.apps : tostring(app.port) => name... } :
    port => names if length(names) > 1
  }
}

module "table" {
  source   = "../dynamodb_table"
  for_each = local.tables

  name                     = "${var.name_prefix}-${each.key}"
  hash_key                 = each.value.hash_key
  attributes               = each.value.attributes
  global_secondary_indexes = each.value.global_secondary_indexes
  # Outbox tables stream their inserts to the relay and let processed/idempotency records expire.
  stream_enabled         = each.value.outbox
  ttl_attribute          = each.value.expiring ? "expires_at" : null
  deletion_protection    = var.deletion_protection
  point_in_time_recovery = var.point_in_time_recovery
  tags                   = var.tags
}

