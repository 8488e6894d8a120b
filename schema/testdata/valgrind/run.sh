#!/bin/sh
# Runs the C layer (../../bdtxml.c) under valgrind without Go: harness.c
# stands in for the Go read callback and drives compile, open, next and
# close over sample files the way package schema does, three times each
# (records captured; plain; without a schema). Expect "All heap blocks were
# freed" and 0 errors.
#   sh schema/testdata/valgrind/run.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$repo/schema/bdtxml.c" "$repo/schema/bdtxml.h" "$here/harness.c" "$here/_cgo_export.h" "$tmp"
printf '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>' > "$tmp/doctype.xml"
head -c 700 "$repo/samples/schema/valid/feeupdate-v1.xml" > "$tmp/truncated.xml"
gcc -g -O1 -I"$tmp" $(pkg-config --cflags libxml-2.0) -o "$tmp/harness" "$tmp/harness.c" "$tmp/bdtxml.c" $(pkg-config --libs libxml-2.0)
valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
	"$tmp/harness" "$repo/schema/xsd" feeupdate-v1.xsd \
	"$repo"/samples/schema/valid/feeupdate-v1.xml \
	"$repo"/samples/schema/invalid/amount-*.xml "$repo"/samples/schema/invalid/cas-*.xml \
	"$repo"/samples/schema/invalid/unclosed-tag.xml "$repo"/samples/schema/valid/noshow-v1.xml \
	"$tmp/doctype.xml" "$tmp/truncated.xml"
