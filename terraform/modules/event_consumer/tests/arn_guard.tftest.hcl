# The queue policy and the role's statement name the queue's ARN built from its name; a postcondition
# holds it to the real one. Its own file: a fresh state, so the queue is created with the mismatching ARN.

mock_provider "aws" {
  source = "./tests/mocks"
}

override_resource {
  target = aws_sqs_queue.dlq
  values = { arn = "arn:aws:sqs:eu-west-1:123456789012:foyer-dev-inventory-dlq" }
}

variables {
  name             = "foyer-dev-inventory"
  event_bus_name   = "foyer-dev"
  sources          = ["foyer.orders"]
  function_name    = "foyer-dev-inventory"
  function_timeout = 10
}

run "a_queue_whose_arn_is_not_the_one_its_policy_names_is_refused" {
  override_resource {
    target = aws_sqs_queue.this
    values = { arn = "arn:aws:sqs:us-east-1:123456789012:foyer-dev-inventory" }
  }

  expect_failures = [aws_sqs_queue.this]
}
