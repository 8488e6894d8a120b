#!/usr/bin/env bash
# .ci/container.sh — builds the image from the Dockerfile and checks it, with
# whichever builder runs here: docker (with a daemon), podman, or buildah
# (--isolation=chroot, no daemon). It is not part of .ci/run: a build takes
# minutes and needs the base images (a registry, or local copies).
#
#   .ci/container.sh [TAG]     TAG defaults to bdt:check
#
# The checks, on the built image:
#   - the OCI labels carry the version and revision given as build args;
#   - `--help` and `version` run (as uid 10001, the image's user);
#   - `bdt register import` in a volume the container's user does not own
#     fails with the one clear line (owner, uid, --user or chown) and creates
#     nothing; in a volume it owns (chown 10001) it works, and `bdt run` too;
#   - `bdt serve` answers its HEALTHCHECK, `bdt healthcheck`.
# It prints the image's size. Exit 0 when everything holds, 1 when a check
# fails, 2 when no builder runs here (said on stderr).
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-bdt:check}

builder=
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  builder=docker
elif command -v podman >/dev/null && podman info >/dev/null 2>&1; then
  builder=podman
elif command -v buildah >/dev/null; then
  builder=buildah
fi
if [ -z "$builder" ]; then
  echo "container.sh: no container builder runs here (docker without a daemon, no podman or buildah)" >&2
  exit 2
fi
runner=$builder
[ "$builder" != buildah ] || runner=podman
command -v "$runner" >/dev/null || { echo "container.sh: built with buildah, but no podman to run the image" >&2; exit 2; }

version=$(git describe --always --dirty 2>/dev/null || echo "(devel)")
revision=$(git rev-parse HEAD 2>/dev/null || true)
source_url=$(git remote get-url origin 2>/dev/null || true)
args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
[ -z "$source_url" ] || args+=(--build-arg "SOURCE=$source_url")
echo "container.sh: building $tag with $builder (version $version)"
start=$(date +%s)
case $builder in
  buildah) buildah bud --isolation=chroot "${args[@]}" -t "$tag" . ;;
  podman) podman build --isolation=chroot "${args[@]}" -t "$tag" . ;;
  docker) docker build "${args[@]}" -t "$tag" . ;;
esac
echo "container.sh: built in $(( $(date +%s) - start ))s; size: $($runner image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.1f MB", $1/1e6}')"

fail=0
check() { # check WHAT CONDITION-COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
label() { $runner image inspect --format "{{index .Config.Labels \"org.opencontainers.image.$1\"}}" "$tag"; }
check "label version = $version" test "$(label version)" = "$version"
check "label revision = $revision" test "$(label revision)" = "$revision"
check "--help" $runner run --rm "$tag" --help
out=$($runner run --rm "$tag" version)
check "version names $version and libxml2" grep -q "version: *$version" <<<"$out"
check "version names libxml2" grep -q "libxml2: *2\." <<<"$out"

work=$(mktemp -d)
trap 'rm -rf "$work"; $runner rm -f bdt-check-serve >/dev/null 2>&1 || true' EXIT
cp samples/register.xml "$work/register.xml"
chmod 755 "$work"
mkdir "$work/notmine" "$work/mine" "$work/mine/inbox"
chmod 755 "$work/notmine"
chown -R 10001:10001 "$work/mine" 2>/dev/null || chmod -R 777 "$work/mine"
set +e
out=$($runner run --rm -v "$work/notmine:/var/lib/bdt" -v "$work/register.xml:/register.xml:ro" "$tag" \
  register import /register.xml 2>&1)
code=$?
set -e
check "a volume it does not own: exit 2 (got $code)" test "$code" = 2
check "a volume it does not own: the clear error" grep -q "cannot write /var/lib/bdt: owned by uid .*chown -R 10001 /var/lib/bdt" <<<"$out"
check "a volume it does not own: nothing created" test -z "$(ls -A "$work/notmine")"
check "a volume it owns: register import" $runner run --rm -v "$work/mine:/var/lib/bdt" -v "$work/register.xml:/register.xml:ro" "$tag" \
  register import /register.xml
check "a volume it owns: run" $runner run --rm -v "$work/mine:/var/lib/bdt" "$tag" run --log-format json

$runner run -d --name bdt-check-serve -v "$work/mine:/var/lib/bdt" "$tag" serve --log-format json >/dev/null
healthy=1
for _ in $(seq 1 50); do
  if $runner exec bdt-check-serve bdt healthcheck >/dev/null 2>&1; then healthy=0; break; fi
  sleep 0.2
done
check "serve answers bdt healthcheck" test "$healthy" = 0
$runner stop -t 30 bdt-check-serve >/dev/null
exit $fail
