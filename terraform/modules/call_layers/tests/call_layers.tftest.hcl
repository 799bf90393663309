# How calls become layers, and which call graphs cannot be layered. `terraform test` in this module.

run "foyer_calls_make_three_layers" {
  command = plan

  variables {
    calls = {
      catalog = [], inventory = [], payments = [], orders = ["catalog"],
      web     = ["catalog", "inventory", "orders", "payments"], partner = ["catalog", "orders"],
    }
  }

  assert {
    condition     = jsonencode(output.layers) == jsonencode([["catalog", "inventory", "payments"], ["orders"], ["partner", "web"]])
    error_message = "Callees come in a layer before their callers: got ${jsonencode(output.layers)}."
  }
}

run "a_cycle_is_refused" {
  command = plan

  variables {
    calls = { catalog = [], orders = ["payments"], payments = ["orders"] }
  }

  expect_failures = [var.calls]
}

run "a_fourth_layer_is_refused" {
  command = plan

  variables {
    calls = { catalog = [], orders = ["catalog"], web = ["orders"], gateway = ["web"] }
  }

  expect_failures = [var.calls]
}

run "an_unknown_callee_is_refused" {
  command = plan

  variables {
    calls = { web = ["carts"] }
  }

  expect_failures = [var.calls]
}
