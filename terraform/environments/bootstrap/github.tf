# GitHub Actions deploys without stored AWS keys: each job exchanges its OIDC token for a role whose
# trust names this repository and the job's GitHub environment (the token's `sub`). An environment's
# deploy role applies (GitHub environment <name>, where prod has required reviewers); its plan role
# reads only (GitHub environment <name>-plan, for pull requests and the plan prod's reviewers approve).

locals {
  github_oidc_url          = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = coalesce(var.github_oidc_provider_arn, try(aws_iam_openid_connect_provider.github[0].arn, null))
  # role key => { environment, GitHub environment whose jobs may assume it, may it apply? }
  roles = merge(
    { for env in var.environments : "deploy-${env}" => { environment = env, github_environment = env, applies = true } },
    { for env in var.environments : "plan-${env}" => { environment = env, github_environment = "${env}-plan", applies = false } },
  )
  state_key_prefix = "foyer" # the cloud roots' backend keys: foyer/<environment>/terraform.tfstate
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.github_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.github_oidc_url}"
  client_id_list = ["sts.amazonaws.com"]
  # No thumbprint_list: IAM trusts GitHub's certificate through its own root CA library.
}

data "aws_iam_policy_document" "github_assume" {
  for_each = local.roles

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_url}:aud"
      values   = ["sts.amazonaws.com"]
    }
    # Exactly one repository and one GitHub environment: a branch, a fork or another environment's
    # job presents another `sub` and is refused.
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_url}:sub"
      values   = ["repo:${var.github_repository}:environment:${each.value.github_environment}"]
    }
  }
}

# Outside every environment's name prefix (foyer-<environment>-*), so no deploy role can edit itself.
resource "aws_iam_role" "github" {
  for_each = local.roles

  name                 = "foyer-${each.key}"
  path                 = "/foyer/"
  description          = "${each.value.applies ? "Applies" : "Plans"} environments/${each.value.environment} from ${var.github_repository} (GitHub environment ${each.value.github_environment})."
  assume_role_policy   = data.aws_iam_policy_document.github_assume[each.key].json
  max_session_duration = 3600
}

# What the platform creates spans a dozen services (Lambda, API Gateway, DynamoDB, SQS, SNS, EventBridge,
# WAF, KMS, Secrets Manager, CloudWatch, X-Ray): the deploy role gets AWS's PowerUserAccess for those,
# and IAM only on its own environment's roles and policies (below). The plan role reads everything.
resource "aws_iam_role_policy_attachment" "github" {
  for_each = local.roles

  role       = aws_iam_role.github[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value.applies ? "PowerUserAccess" : "ReadOnlyAccess"}"
}

data "aws_iam_policy_document" "deploy" {
  for_each = { for key, role in local.roles : key => role if role.applies }

  statement {
    sid = "OwnEnvironmentsRolesAndPolicies"
    actions = [
      "iam:AttachRolePolicy",
      "iam:CreatePolicy",
      "iam:CreatePolicyVersion",
      "iam:CreateRole",
      "iam:DeletePolicy",
      "iam:DeletePolicyVersion",
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListPolicyVersions",
      "iam:ListRolePolicies",
      "iam:PassRole",
      "iam:PutRolePolicy",
      "iam:TagPolicy",
      "iam:TagRole",
      "iam:UntagPolicy",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
    ]
    resources = [
      "arn:${local.partition}:iam::${local.account_id}:role/foyer-${each.value.environment}-*",
      "arn:${local.partition}:iam::${local.account_id}:policy/foyer-${each.value.environment}-*",
    ]
  }

  statement {
    sid       = "WriteOwnState"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/${local.state_key_prefix}/${each.value.environment}/*"]
  }

  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "UseStateKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.state.arn]
  }
}

data "aws_iam_policy_document" "plan" {
  for_each = { for key, role in local.roles : key => role if !role.applies }

  statement {
    sid       = "ReadOwnState"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.state.arn}/${local.state_key_prefix}/${each.value.environment}/*"]
  }

  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "ReadStateKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.state.arn]
  }
}

resource "aws_iam_role_policy" "github" {
  for_each = local.roles

  name   = "terraform-state"
  role   = aws_iam_role.github[each.key].id
  policy = each.value.applies ? data.aws_iam_policy_document.deploy[each.key].json : data.aws_iam_policy_document.plan[each.key].json
}
