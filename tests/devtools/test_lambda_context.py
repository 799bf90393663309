"""devtools.devstack.lambda_context: the context object local runtimes hand a Lambda handler."""

from __future__ import annotations

from dataclasses import replace

from devtools.devstack.lambda_context import LambdaFunction

# The fields of `aws lambda get-function-configuration` that the context reads (abridged answer).
CONFIGURATION = {
    "FunctionName": "foyer-local-orders-consumer",
    "FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:foyer-local-orders-consumer",
    "Runtime": "python3.12",
    "Handler": "services.orders.handler.consume",
    "Timeout": 20,
    "MemorySize": 512,
    "Version": "$LATEST",
}


def test_the_function_comes_from_its_configuration() -> None:
    function = LambdaFunction.from_configuration(CONFIGURATION)
    assert function == LambdaFunction(
        name="foyer-local-orders-consumer",
        arn=CONFIGURATION["FunctionArn"],
        timeout_seconds=20,
        memory_mb=512,
    )


def test_lambda_defaults_apply_when_the_configuration_omits_them() -> None:
    function = LambdaFunction.from_configuration({"FunctionName": "f", "FunctionArn": "arn:f"})
    assert (function.timeout_seconds, function.memory_mb, function.version) == (3, 128, "$LATEST")


def test_the_context_counts_down_from_the_timeout_and_stops_at_zero() -> None:
    now = [100.0]
    context = replace(
        LambdaFunction.from_configuration(CONFIGURATION).context(), deadline=120.0, clock=lambda: now[0]
    )
    assert context.get_remaining_time_in_millis() == 20_000
    now[0] = 119.5
    assert context.get_remaining_time_in_millis() == 500
    assert not context.timed_out()
    now[0] = 125.0
    assert context.get_remaining_time_in_millis() == 0
    assert context.timed_out()


def test_each_invocation_has_its_own_request_id_and_the_functions_identity() -> None:
    function = LambdaFunction.from_configuration(CONFIGURATION)
    first, second = function.context(), function.context()
    assert first.aws_request_id != second.aws_request_id
    assert (first.function_name, first.invoked_function_arn, first.memory_limit_in_mb) == (
        "foyer-local-orders-consumer",
        CONFIGURATION["FunctionArn"],
        512,
    )
    assert first.log_group_name == "/aws/lambda/foyer-local-orders-consumer"
    assert 0 < first.get_remaining_time_in_millis() <= 20_000
