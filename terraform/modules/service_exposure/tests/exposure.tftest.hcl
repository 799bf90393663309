# Who may call whom: every service behind AWS_IAM, every caller granted exactly its services and no
# wildcard; refused inputs. Against a mocked AWS provider: `terraform test` in this module.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  services = {
    catalog   = "foyer-dev-catalog"
    orders    = "foyer-dev-orders"
    inventory = "foyer-dev-inventory"
  }
  callers = {
    web     = { role_name = "foyer-dev-web", services = ["catalog", "orders"] }
    partner = { role_name = "foyer-dev-partner", services = ["orders"] }
    mobile  = { role_name = "foyer-dev-mobile", services = [] }
  }
}

run "every_service_url_requires_signed_callers" {
  assert {
    condition     = alltrue([for url in aws_lambda_function_url.this : url.authorization_type == "AWS_IAM"])
    error_message = "Every service's URL must use AWS_IAM auth."
  }
  assert {
    condition     = keys(aws_lambda_function_url.this) == ["catalog", "inventory", "orders"]
    error_message = "Every service gets a URL."
  }
}

run "each_caller_may_invoke_exactly_the_services_it_calls" {
  command = plan

  assert {
    condition = jsondecode(aws_iam_role_policy.caller["web"].policy).Statement[0].Resource == [
      "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-catalog",
      "arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders",
    ]
    error_message = "web may invoke catalog and orders, and nothing else."
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.caller["partner"].policy).Statement[0].Resource == ["arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders"]
    error_message = "partner may invoke orders only."
  }
  assert {
    condition     = !contains(keys(aws_iam_role_policy.caller), "mobile")
    error_message = "A caller that calls no service gets no policy at all."
  }
}

run "no_caller_policy_holds_a_wildcard" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for p in aws_iam_role_policy.caller : [
        for s in jsondecode(p.policy).Statement : concat(
          [!strcontains(s.Action, "*")], [for r in s.Resource : !strcontains(r, "*")]
        )
      ]
    ]))
    error_message = "No caller's statement may hold a * action or resource."
  }
  assert {
    condition     = alltrue([for p in aws_iam_role_policy.caller : jsondecode(p.policy).Statement[0].Condition.StringEquals["lambda:FunctionUrlAuthType"] == "AWS_IAM"])
    error_message = "The grant must only hold for AWS_IAM URLs."
  }
  assert {
    condition = alltrue([
      for p in aws_iam_role_policy.caller : jsondecode(p.policy).Statement[1].Action == "lambda:InvokeFunction"
      && jsondecode(p.policy).Statement[1].Condition.Bool["lambda:InvokedViaFunctionUrl"] == "true"
      && jsondecode(p.policy).Statement[1].Resource == jsondecode(p.policy).Statement[0].Resource
    ])
    error_message = "A function URL also needs lambda:InvokeFunction, on the same functions, through the URL only."
  }
}

run "a_qualified_url_grants_the_alias" {
  command = plan

  variables {
    qualifiers = { orders = "live" }
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.caller["partner"].policy).Statement[0].Resource == ["arn:aws:lambda:eu-west-1:123456789012:function:foyer-dev-orders:live"]
    error_message = "A URL on an alias must be granted on the alias."
  }
}

run "a_caller_of_an_unknown_service_is_refused" {
  command = plan

  variables {
    callers = { web = { role_name = "foyer-dev-web", services = ["carts"] } }
  }

  expect_failures = [var.callers]
}

run "a_role_arn_instead_of_a_name_is_refused" {
  command = plan

  variables {
    callers = { web = { role_name = "arn:aws:iam::123456789012:role/foyer-dev-web", services = ["catalog"] } }
  }

  expect_failures = [var.callers]
}
