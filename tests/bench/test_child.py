"""bench.child: the answer a benchmarked invocation must give, so a broken handler cannot bench as fast."""

from __future__ import annotations

from bench.child import status


def test_an_http_answer_is_its_status_code() -> None:
    assert status({"statusCode": 200, "body": "{}"}) == 200
    assert status({"statusCode": 500, "body": "{}"}) == 500


def test_a_batch_without_failed_records_is_a_success_and_one_with_any_is_not() -> None:
    assert status({"batchItemFailures": []}) == 200
    assert status({"batchItemFailures": [{"itemIdentifier": "m-1"}]}) == 500


def test_an_authorizer_policy_succeeds_only_when_it_allows() -> None:
    allow = {"policyDocument": {"Statement": [{"Effect": "Allow"}]}}
    deny = {"policyDocument": {"Statement": [{"Effect": "Deny"}]}}
    assert status(allow) == 200
    assert status(deny) == 403
    assert status({}) == 403  # no policy, no success
