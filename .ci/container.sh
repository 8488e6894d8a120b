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
  # --format docker: the OCI format has no HEALTHCHECK.
  buildah) buildah bud --isolation=chroot --format docker "${args[@]}" -t "$tag" . ;;
  podman) podman build --isolation=chroot --format docker "${args[@]}" -t "$tag" . ;;
  docker) docker build "${args[@]}" -t "$tag" . ;;
esac
echo "container.sh: built in $(( $(date +%s) - start ))s; size: $($runner image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.1f MB", $1/1e6}')"

fail=0
check() { # check WHAT COMMAND...: COMMAND must succeed
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fail=1; fi
}
label() { $runner image inspect --format "{{index .Config.Labels \"org.opencontainers.image.$1\"}}" "$tag"; }
check "label version = $version" test "$(label version)" = "$version"
check "label revision = $revision" test "$(label revision)" = "$revision"
check "healthcheck is bdt healthcheck" grep -q "bdt healthcheck" <<<"$($runner image inspect --format '{{.Config.Healthcheck}}' "$tag")"
check "user 10001" test "$($runner image inspect --format '{{.Config.User}}' "$tag")" = 10001

work=$(mktemp -d)
mnt=
cleanup() {
  $runner rm -f bdt-check-serve >/dev/null 2>&1 || true
  [ -z "$mnt" ] || { umount "$mnt/var/lib/bdt" 2>/dev/null || true; $runner image unmount "$tag" >/dev/null 2>&1 || true; }
  [ -z "${serve_pid:-}" ] || kill "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# in_image VOLUME ARGS...: run bdt ARGS in the image as its user, uid 10001,
# in /var/lib/bdt, with the folder VOLUME there ("" for none). Where the
# container runtime cannot start a container (a sandbox that forbids
# setrlimit, say), the image's file system is mounted and bdt run in it with
# chroot as uid 10001: the same binary, libraries and user, without the
# runtime's isolation.
mode=run
if ! $runner run --rm "$tag" --help >/dev/null 2>"$work/run.err"; then
  echo "container.sh: $runner cannot start a container here ($(tail -n 1 "$work/run.err")); running the image's files with chroot as uid 10001"
  mode=chroot
  mnt=$($runner image mount "$tag")
fi
in_image() {
  local vol=$1; shift
  if [ "$mode" = run ]; then
    $runner run --rm ${vol:+-v "$vol:/var/lib/bdt"} "$tag" "$@"
  else
    [ -z "$vol" ] || mount --bind "$vol" "$mnt/var/lib/bdt"
    local rc=0
    (cd "$mnt/var/lib/bdt" && env -i PATH=/usr/local/bin:/usr/bin:/bin \
      unshare --root="$mnt" --wd=/var/lib/bdt setpriv --reuid 10001 --regid 10001 --clear-groups /usr/local/bin/bdt "$@") || rc=$?
    [ -z "$vol" ] || umount "$mnt/var/lib/bdt"
    return $rc
  fi
}

check "--help" in_image "" --help >/dev/null
out=$(in_image "" version || true)
check "version names $version" grep -q "version: *$version" <<<"$out"
check "version names libxml2" grep -q "libxml2: *2\." <<<"$out"

cp samples/register.xml "$work/register.xml"
chmod 755 "$work"
mkdir "$work/notmine" "$work/mine"
chmod 755 "$work/notmine"
cp "$work/register.xml" "$work/notmine/register.xml"
cp "$work/register.xml" "$work/mine/register.xml"
mkdir "$work/mine/inbox"
chown -R 10001:10001 "$work/mine"
code=0
out=$(in_image "$work/notmine" register import register.xml 2>&1) || code=$?
check "a volume it does not own: exit 2 (got $code)" test "$code" = 2
check "a volume it does not own: the clear error" grep -q "cannot write /var/lib/bdt: owned by uid 0 .*chown -R 10001 /var/lib/bdt" <<<"$out"
check "a volume it does not own: nothing created" test "$(ls -A "$work/notmine")" = register.xml
check "a volume it owns: register import" in_image "$work/mine" register import register.xml
check "a volume it owns: run" in_image "$work/mine" run --log-format json

# serve, and the HEALTHCHECK's command against it
if [ "$mode" = run ]; then
  $runner run -d --name bdt-check-serve -v "$work/mine:/var/lib/bdt" "$tag" serve --log-format json >/dev/null
  probe() { $runner exec bdt-check-serve bdt healthcheck >/dev/null 2>&1; }
else
  mount --bind "$work/mine" "$mnt/var/lib/bdt"
  env -i PATH=/usr/local/bin:/usr/bin:/bin unshare --root="$mnt" --wd=/var/lib/bdt \
    setpriv --reuid 10001 --regid 10001 --clear-groups /usr/local/bin/bdt serve --log-format json --listen 127.0.0.1:19090 >"$work/serve.log" 2>&1 &
  serve_pid=$!
  probe() { env -i unshare --root="$mnt" setpriv --reuid 10001 --regid 10001 --clear-groups /usr/local/bin/bdt healthcheck --listen 127.0.0.1:19090 >/dev/null 2>&1; }
fi
healthy=1
for _ in $(seq 1 50); do
  if probe; then healthy=0; break; fi
  sleep 0.2
done
check "serve answers bdt healthcheck" test "$healthy" = 0
if [ "$mode" = run ]; then $runner stop -t 30 bdt-check-serve >/dev/null; else kill -TERM "$serve_pid"; wait "$serve_pid" || true; serve_pid=; umount "$mnt/var/lib/bdt"; fi
exit $fail
