#!/usr/bin/env bash
# Builds every image of the local container run without a registry, with podman:
#   the Node base (build-base.sh) and Postgres, Redis and NATS from Debian's packages, each only when missing
#   (--force rebuilds them); then the service image and the fake LLM from deploy/Dockerfile (layer cache: quick when
#   nothing changed). Prints each image's size and the variables that point docker-compose.yml at these images.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
export BUILDAH_FORMAT=docker # the OCI image format drops HEALTHCHECK
force=""; [[ "${1:-}" == --force ]] && force=--force
tag="${PLANEXE_IMAGE_TAG:-local}"

"$here/build-base.sh" $force
for name in postgres redis nats; do
  image="localhost/planexe-$name:bookworm"
  if [[ -n "$force" ]] || ! podman image exists "$image"; then
    podman build --quiet -t "$image" "$here/$name" >/dev/null
  fi
done
# a host that reaches the npm registry through a TLS-intercepting proxy trusts its CA through NODE_EXTRA_CA_CERTS:
# the build gets the same bundle, mounted for the build only
ca=()
if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -r "$NODE_EXTRA_CA_CERTS" ]]; then
  ca=(--volume "$NODE_EXTRA_CA_CERTS:/run/host-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt)
fi
podman build --quiet "${ca[@]}" -f "$root/deploy/Dockerfile" --target service -t "localhost/planexe/planexe:$tag" "$root" >/dev/null
podman build --quiet "${ca[@]}" -f "$root/deploy/Dockerfile" --target fake-llm -t "localhost/planexe/fake-llm:$tag" "$root" >/dev/null

podman image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' \
  | grep -E "^(localhost/planexe|docker.io/library/node:26-slim)" | sort -u >&2
cat <<VARS
PLANEXE_IMAGE=localhost/planexe/planexe:$tag
PLANEXE_FAKE_LLM_IMAGE=localhost/planexe/fake-llm:$tag
PLANEXE_POSTGRES_IMAGE=localhost/planexe-postgres:bookworm
PLANEXE_REDIS_IMAGE=localhost/planexe-redis:bookworm
PLANEXE_NATS_IMAGE=localhost/planexe-nats:bookworm
VARS
