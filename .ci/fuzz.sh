#!/bin/sh
# Runs every fuzz target for a short fixed time (issue 8): the validator,
# the decoder, the runner on a real SQLite register, the rules engine.
# A failing input stops the script; go test writes it to the package's
# testdata/fuzz/<Target>/, where it becomes a regression seed once
# committed. The committed seeds themselves run in every plain `go test`.
#
#   .ci/fuzz.sh                 # about 60 s of fuzzing (plus builds)
#   BDT_FUZZTIME=5m .ci/fuzz.sh # each target for 5 minutes
#
# -fuzzminimizetime 10x: Go minimizes every new interesting input before
# keeping it, for up to 60 s by default; FuzzRunFile runs a whole file
# through the runner per input, and would spend its whole budget there.
set -eu
cd "$(dirname "$0")/.."

fuzz() { # package target default-time
	t=${BDT_FUZZTIME:-$3}
	echo "== $2 ($1) for $t"
	go test -run '^$' -fuzz "^$2\$" -fuzztime "$t" -fuzzminimizetime 10x "$1"
}

start=$(date +%s)
fuzz ./schema FuzzValidate 12s
fuzz ./bdt/decode FuzzDecode 12s
fuzz ./bdt/runner FuzzRunFile 15s
fuzz ./rules FuzzEvaluate 12s
fuzz ./rules FuzzParseMoney 6s
fuzz ./bdt/store/jsonrows FuzzWriterRoundTrip 6s
echo "fuzz: every target passed in $(($(date +%s) - start)) s"
