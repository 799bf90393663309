"""policy_evaluation against the cases AWS documents: the IAM guide's single-account example (Carlos and
his buckets), its condition-operator rules, and KMS's rule that a key policy must allow or delegate."""

from __future__ import annotations

import pytest
from policy_evaluation import Policy, Request, Unsupported, evaluate

CARLOS = "arn:aws:iam::777788889999:user/carlossalazar"
ROLE = "arn:aws:iam::123456789012:role/foyer-dev-payments-charges"
OTHER_ROLE = "arn:aws:iam::123456789012:role/foyer-dev-payments"
ROOT = "arn:aws:iam::123456789012:root"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:foyer-dev/payment-provider/api-key-AbCdEf"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

# IAM guide, "Policy evaluation for requests within a single account": Carlos's identity policy...
CARLOS_POLICY = Policy(
    "carlossalazar",
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowS3ListRead",
                "Effect": "Allow",
                "Action": [
                    "s3:GetBucketLocation",
                    "s3:GetAccountPublicAccessBlock",
                    "s3:ListAccessPoints",
                    "s3:ListAllMyBuckets",
                ],
                "Resource": "arn:aws:s3:::*",
            },
            {
                "Sid": "AllowS3Self",
                "Effect": "Allow",
                "Action": "s3:*",
                "Resource": [
                    "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*",
                    "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar",
                ],
            },
            {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*log*"},
        ],
    },
)
# ... and the policy of the logs bucket, which lets only Carlos in.
LOGS_BUCKET_POLICY = Policy(
    "logs bucket",
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": CARLOS},
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*",
            }
        ],
    },
)


def test_an_explicit_deny_in_the_identity_policy_beats_the_bucket_policys_allow() -> None:
    request = Request("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/x.log", CARLOS)
    decision = evaluate(request, [CARLOS_POLICY], LOGS_BUCKET_POLICY)
    assert not decision
    assert "DenyS3Logs" in decision.reason


def test_the_identity_policy_alone_allows_carlos_his_own_bucket() -> None:
    request = Request("s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/notes.txt", CARLOS)
    assert evaluate(request, [CARLOS_POLICY])


def test_within_one_account_the_resource_policy_alone_allows() -> None:
    """ "If either the identity-based policy or the resource-based policy within the same account allows
    the request and the other doesn't, the request is still allowed." """
    bucket = Policy(
        "bucket",
        {
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:GetObject", "Resource": "*"}
            ]
        },
    )
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE), [], bucket)


def test_nothing_allows_means_denied() -> None:
    assert not evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE), [CARLOS_POLICY])


def readers_only(*readers: str) -> Policy:
    """The secrets module's secret policy: GetSecretValue denied to every principal but its readers."""
    return Policy(
        "secret policy",
        {
            "Statement": [
                {
                    "Sid": "OnlyItsReaders",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                    "Condition": {"ArnNotEquals": {"aws:PrincipalArn": list(readers)}},
                }
            ]
        },
    )


READ = Policy(
    "role",
    {"Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": SECRET}]},
)


def test_a_negated_operator_holds_for_any_principal_it_does_not_list() -> None:
    request = Request("secretsmanager:GetSecretValue", SECRET, ROLE)
    decision = evaluate(request, [READ], readers_only(OTHER_ROLE))
    assert not decision
    assert "OnlyItsReaders" in decision.reason
    assert evaluate(request, [READ], readers_only(OTHER_ROLE, ROLE))


def test_a_negated_operator_holds_when_the_key_is_absent() -> None:
    """IAM guide, Condition operators: a negated operator on a key the request lacks is true."""
    statement = {
        "Effect": "Deny",
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}},
    }
    allow = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
    policy = Policy("role", {"Statement": [allow, statement]})
    assert not evaluate(Request("kms:Decrypt", KEY, ROLE), [policy])
    via = {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    assert evaluate(Request("kms:Decrypt", KEY, ROLE, context=via), [policy])


def test_a_positive_operator_fails_when_the_key_is_absent_unless_if_exists() -> None:
    def allow(operator: str) -> Policy:
        condition = {operator: {"lambda:FunctionUrlAuthType": "AWS_IAM"}}
        statement = {"Effect": "Allow", "Action": "lambda:*", "Resource": "*", "Condition": condition}
        return Policy("role", {"Statement": [statement]})

    request = Request("lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:f", ROLE)
    assert not evaluate(request, [allow("StringEquals")])
    assert evaluate(request, [allow("StringEqualsIfExists")])


def test_values_of_one_key_are_alternatives_and_keys_must_all_hold() -> None:
    condition = {
        "StringEquals": {
            "kms:ViaService": ["sqs.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"]
        },
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/foyer-dev-*"},
    }
    policy = Policy(
        "role",
        {
            "Statement": [
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": condition}
            ]
        },
    )
    via = {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}
    assert evaluate(Request("kms:Decrypt", KEY, ROLE, context=via), [policy])
    assert not evaluate(
        Request("kms:Decrypt", KEY, "arn:aws:iam::123456789012:role/other", context=via), [policy]
    )
    assert not evaluate(
        Request("kms:Decrypt", KEY, ROLE, context={"kms:ViaService": "s3.amazonaws.com"}), [policy]
    )


def test_bool_compares_the_truth_value() -> None:
    condition = {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}
    statement = {
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": "*",
        "Condition": condition,
    }
    policy = Policy("role", {"Statement": [statement]})
    function = "arn:aws:lambda:eu-west-1:123456789012:function:f"
    assert evaluate(
        Request("lambda:InvokeFunction", function, ROLE, context={"lambda:InvokedViaFunctionUrl": True}),
        [policy],
    )
    assert not evaluate(
        Request("lambda:InvokeFunction", function, ROLE, context={"lambda:InvokedViaFunctionUrl": False}),
        [policy],
    )
    assert not evaluate(Request("lambda:InvokeFunction", function, ROLE), [policy])


KEY_DECRYPT = Policy("role", {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}]})


def key(*statements: dict[str, object]) -> Policy:
    return Policy("key policy", {"Statement": list(statements)})


def test_a_key_policy_without_the_account_makes_identity_policies_ineffective() -> None:
    """KMS guide, Key policies: IAM policies grant access to a key only if its key policy allows the
    account (its root) to delegate; otherwise only the key policy counts."""
    request = Request("kms:Decrypt", KEY, ROLE)
    assert not evaluate(request, [KEY_DECRYPT], key(), key_policy=True)
    delegating = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
    assert evaluate(request, [KEY_DECRYPT], key(delegating), key_policy=True)
    assert not evaluate(request, [], key(delegating), key_policy=True)
    naming = {"Effect": "Allow", "Principal": {"AWS": [ROLE]}, "Action": "kms:Decrypt", "Resource": "*"}
    assert evaluate(request, [], key(naming), key_policy=True)


def test_a_service_principal_is_decided_by_the_resource_policy_and_its_source() -> None:
    rule = "arn:aws:events:eu-west-1:123456789012:rule/foyer-dev-events/foyer-dev-payments-charges"
    queue = Policy(
        "queue policy",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": "arn:aws:sqs:eu-west-1:123456789012:q",
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule}},
                }
            ]
        },
    )
    sent = Request(
        "sqs:SendMessage",
        "arn:aws:sqs:eu-west-1:123456789012:q",
        service="events.amazonaws.com",
        context={"aws:SourceArn": rule},
    )
    assert evaluate(sent, [], queue)
    other = Request(
        "sqs:SendMessage",
        sent.resource,
        service="events.amazonaws.com",
        context={"aws:SourceArn": rule + "x"},
    )
    assert not evaluate(other, [], queue)


def test_what_it_does_not_model_is_refused_not_guessed() -> None:
    policy = Policy(
        "p",
        {"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "*", "Resource": "*"}]},
    )
    with pytest.raises(Unsupported):
        evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE), [], policy)
    numeric = {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
        "Condition": {"NumericLessThan": {"s3:max-keys": "10"}},
    }
    with pytest.raises(Unsupported):
        evaluate(
            Request("s3:ListBucket", "arn:aws:s3:::b", ROLE, context={"s3:max-keys": "5"}),
            [Policy("p", {"Statement": [numeric]})],
        )
