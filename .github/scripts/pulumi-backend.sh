#!/usr/bin/env bash
# Checks the repository and environment settings a Pulumi job needs and picks the backend.
# Reads (from the workflow's env): STACK, PULUMI_BACKEND (cloud | s3; default cloud), PULUMI_ORG,
# PULUMI_BACKEND_URL, HAS_PULUMI_ACCESS_TOKEN (true when the secret is set), AWS_ROLE_ARN.
# Writes stack-name= and cloud-url= to $GITHUB_OUTPUT. On a problem, prints one ::error:: line per
# problem (all of them) and exits 1. docs/ci-cd.md lists every setting.
set -uo pipefail

backend="${PULUMI_BACKEND:-cloud}"
stack="${STACK:-}"
problems=()

[ -n "$stack" ] || problems+=("no stack given to the workflow")
if [[ ! "${AWS_ROLE_ARN:-}" =~ ^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+ ]]; then
    problems+=("variable AWS_ROLE_ARN of environment '$stack' must be the ARN of its deploy role (bootstrap output deployRoleArns.$stack); got '${AWS_ROLE_ARN:-}'")
fi

case "$backend" in
    cloud)
        [ "${HAS_PULUMI_ACCESS_TOKEN:-}" = "true" ] || problems+=("secret PULUMI_ACCESS_TOKEN is not set (PULUMI_BACKEND is cloud)")
        [ -n "${PULUMI_ORG:-}" ] || problems+=("variable PULUMI_ORG is not set: the Pulumi Cloud organization (or user) that owns the stacks")
        stack_name="${PULUMI_ORG:-}/$stack"
        cloud_url=""
        ;;
    s3)
        if [[ ! "${PULUMI_BACKEND_URL:-}" =~ ^s3://[a-z0-9.-]{3,63}(\?.*)?$ ]]; then
            problems+=("variable PULUMI_BACKEND_URL must be the bootstrap's loginUrl, s3://<bucket>?region=<region>&awssdk=v2 (PULUMI_BACKEND is s3); got '${PULUMI_BACKEND_URL:-}'")
        fi
        stack_name="$stack"
        cloud_url="${PULUMI_BACKEND_URL:-}"
        ;;
    *)
        problems+=("variable PULUMI_BACKEND must be cloud or s3; got '$backend'")
        ;;
esac

if [ "${#problems[@]}" -gt 0 ]; then
    for p in "${problems[@]}"; do echo "::error::$p"; done
    exit 1
fi

echo "Pulumi backend: $backend; stack: $stack_name"
{
    echo "stack-name=$stack_name"
    echo "cloud-url=$cloud_url"
} >> "${GITHUB_OUTPUT:-/dev/stdout}"
