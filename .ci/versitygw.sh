#!/usr/bin/env bash
# .ci/versitygw.sh — installs versitygw, the S3-compatible server the S3
# storage tests run against, into a cache folder once, and prints the path of
# the binary. Later runs find it there and install nothing (the first build
# takes about 90 s).
#
#   BDT_TOOLS   cache folder (default: $HOME/.cache/bdt-tools); the binary
#               goes to $BDT_TOOLS/bin/versitygw
#
# Use: export PATH="$(dirname "$(.ci/versitygw.sh)"):$PATH"
set -euo pipefail

version=v1.8.0
tools="${BDT_TOOLS:-${HOME}/.cache/bdt-tools}"
bin="$tools/bin"
stamp="$bin/versitygw.version"

if [[ -x "$bin/versitygw" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
	echo "$bin/versitygw"
	exit 0
fi

mkdir -p "$bin"
echo "versitygw.sh: installing github.com/versity/versitygw $version into $bin" >&2
# GOFLAGS is cleared so a project-wide setting (-mod=…) does not reach the
# tool's own module; CGO is not needed.
GOBIN="$bin" GOFLAGS= CGO_ENABLED=0 \
	go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
echo "$version" >"$stamp"
echo "$bin/versitygw"
