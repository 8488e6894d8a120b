#!/usr/bin/env bash
# bench.sh — throughput and memory of bdt against libxml2's own streaming
# validation, in one run on the same files (GitHub issue 7).
#
#   .ci/bench.sh [--sizes 10000,100000,1000000] [--quick] [--repeat N]
#                [--repeat-big N] [--workers-records N] [--no-postgres] [--go]
#                [--uploads N] [--upload-records N] [--upload-concurrency N]
#                [--work DIR] [--keep] [--src DIR]
#
# For each size N it generates (bdt gen, seed 1) one sponsor's fee update
# of N records, 10% of them rejected by a record rule and 2% warned, with a
# register holding a CAS for each record, and measures on that file:
#
#   xmllint   xmllint --stream --noout --schema feeupdate-v2.xsd FILE
#             (the baseline: libxml2's own streaming validation)
#   validate  bdt validate FILE
#   run       bdt run end to end on the embedded SQLite default: validate,
#             rules, register transaction, ledger, commit, three reports,
#             archive (on a fresh copy of the imported register each time)
#   sqlite3   the same register writes the run made (its ledger rows, its
#             history rows, the certificates' fee columns), as set-based SQL
#             in one transaction through the sqlite3 shell, WAL and
#             synchronous=FULL, commit included, on a fresh copy of the
#             register (.ci/floor.sh; the script is generated from the
#             bench's own run, not timed)
#   floor     xmllint and sqlite3 one after the other (issue 18): what
#             parsing, validating and writing need, without bdt
#   reads     beside the floor, not in it: sqlite3 reading, in one
#             statement, every certificate the file names with the last seq
#             of its fee history (what the rules' reads fetch; the floor
#             does not read), on the register the run started from
#
# with /usr/bin/time -v: wall time, records per second, peak RSS; and bdt's
# own accounting (BDT_MEMSTATS): peak RSS less the mapped binary (anon), the
# memory the work itself took. Ratios are to xmllint's wall time and to the
# floor's wall and CPU in the same run. With --repeat N each command runs N times and the fastest run counts
# (--repeat-big N for sizes of a million records and more; default 1).
# CPU is user plus system time of that run. --src DIR builds bdt from
# another checkout (DIR) instead of this one, to compare two versions with
# the same script.

#
# Then two workers against one: 8 sponsors' fee updates of
# --workers-records records each (default 12,500), bdt run --workers 1 and
# --workers 2 on fresh copies of one register: on SQLite, and on a
# throwaway PostgreSQL cluster (.ci/postgres.sh; --no-postgres to skip),
# where the two workers' transactions run at once; each beside its floor
# (the same writes through sqlite3, and through psql from staged tables).
#
# With --uploads N (make bench passes 200), uploads over the sponsors' API
# (issue 13): N fee update files of --upload-records records (default
# 1,000) from 8 sponsors, --upload-concurrency (default 8) at a time, to a
# real bdt serve --portal-listen (SQLite, --workers 2, runs started by the
# uploads), inbox, outbox and archive in a folder and then in S3
# (versitygw): uploads/s, the 95th percentile of the time to 202 and to a
# final status (polled every 100 ms), files/s to a final status. This is
# BenchmarkUploads in cmd/bdt, run once each; the files and their register
# are made once and kept under the work directory.
#
# --quick is --sizes 10000,100000 (the 1,000,000-record size generates a
# 1.1 GB register and takes several minutes to import). --go also runs the
# Go benchmarks of the hot paths (decode, rules, store writes, whole files).
# The machine is shared: figures are noisy; compare within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

sizes=10000,100000,1000000
repeat=1
repeatbig=1
wrecords=12500
gobench=0
postgres=1
uploads=0
urecords=1000
uconc=8
work=""
keep=0
src=$PWD
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --quick) sizes=10000,100000; shift ;;
    --repeat) repeat=$2; shift 2 ;;
    --repeat-big) repeatbig=$2; shift 2 ;;
    --workers-records) wrecords=$2; shift 2 ;;
    --go) gobench=1; shift ;;
    --no-postgres) postgres=0; shift ;;
    --uploads) uploads=$2; shift 2 ;;
    --upload-records) urecords=$2; shift 2 ;;
    --upload-concurrency) uconc=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --src) src=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

.ci/deps.sh --bench
. .ci/floor.sh
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing time" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends time >/dev/null
  else
    echo "bench: /usr/bin/time is missing: sudo apt-get install -y time" >&2
    exit 1
  fi
fi

bin=$PWD/bin/bdt
(cd "$src" && go build -o "$bin" ./cmd/bdt)
pgdata=""
cleanup() {
  [ -n "$pgdata" ] && .ci/postgres.sh stop "$pgdata" >/dev/null 2>&1
  [ "$keep" = 1 ] || [ -z "${tmpwork:-}" ] || rm -rf "$tmpwork"
}
trap cleanup EXIT
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/bdt-bench.XXXXXX")
  tmpwork=$work
fi
mkdir -p "$work"
xsd=$PWD/schema/xsd/feeupdate-v2.xsd
maxsize=$((4 << 30))

# measure NAME CMD... : runs CMD (repeat times), keeps the fastest, and sets
# wall (s), rss (KiB, /usr/bin/time) and anon (KiB, BDT_MEMSTATS; "-" if none).
measure() {
  local best="" i out w r a t0 c
  for i in $(seq "${reps:-$repeat}"); do
    [ -n "${PREPARE:-}" ] && $PREPARE
    t0=$(date +%s%N)
    out=$(BDT_MEMSTATS=1 /usr/bin/time -v "$@" 2>&1 >/dev/null) || { echo "bench: $* failed:" >&2; echo "$out" | tail -20 >&2; exit 1; }
    w=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{printf "%.3f", (b-a)/1e9}')
    r=$(echo "$out" | awk -F': ' '/Maximum resident set size/ {print $2}')
    a=$(echo "$out" | sed -n 's/.*peak-anon-kib=\([0-9]*\).*/\1/p' | tail -1)
    c=$(echo "$out" | awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s+=$2} END {printf "%.2f", s}')
    if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN{exit !(a<b)}'; then
      best=$w; wall=$w; rss=$r; anon=${a:--}; cpu=$c
    fi
  done
}

mib() { [ "$1" = "-" ] && echo "-" || awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }

# ratio A B: A / B to two places ("-" when B is not above 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (b>0) printf "%.2f×", a/b; else printf "-"}'; }

rows=()
held=()
# hold LABEL: keeps the last measurement (wall, cpu, rss, anon) under LABEL;
# emit RECORDS XWALL FWALL FCPU turns what was held into table rows, each
# with its ratios to xmllint's wall time and to the floor's wall and CPU.
hold() { held+=("$1|$wall|$cpu|$rss|$anon"); }
emit() {
  local n=$1 xw=$2 fw=$3 fc=$4 h label w c r a rps
  for h in "${held[@]}"; do
    IFS='|' read -r label w c r a <<<"$h"
    rps=$(awk -v n="$n" -v w="$w" 'BEGIN{printf "%.0f", (w>0)? n/w : 0}')
    rows+=("| $(printf "%'d" "$n") | $label | $w | $c | $(printf "%'d" "$rps") | $(mib "$r") | $(mib "$a") | $(ratio "$w" "$xw") | $(ratio "$w" "$fw") | $(ratio "$c" "$fc") |")
  done
  held=()
}

# floor_sqlite RUN_DB TEMPLATE_DB DIR: measures the SQLite floor of the run
# that left RUN_DB (sets wall, cpu, rss, anon), on fresh copies of
# TEMPLATE_DB in DIR.
floor_sqlite() {
  local run=$1 template=$2 dir=$3
  floor_changes "$run" "$template" "$dir/changes.db"
  floor_sqlite_sql "$dir/changes.db" >"$dir/floor.sql"
  prep_floor() { rm -f "$dir/floor.db"* && cp "$template" "$dir/floor.db"; }
  PREPARE=prep_floor measure sqlite3 "$dir/floor.db" ".read $dir/floor.sql"
  PREPARE=""
  anon=-
  rm -f "$dir/floor.db"*
}

# reads_sqlite TEMPLATE_DB DIR: measures the reads beside the floor
# (floor_reads_sql, on the changes floor_sqlite kept in DIR) on TEMPLATE_DB,
# which they leave unchanged.
reads_sqlite() {
  floor_reads_sql "$2/changes.db" >"$2/reads.sql"
  measure sqlite3 "$1" ".read $2/reads.sql"
  anon=-
}

IFS=, read -ra list <<<"$sizes"
for n in "${list[@]}"; do
  reps=$repeat
  [ "$n" -ge 1000000 ] && reps=$repeatbig
  d=$work/fee-$n
  if [ ! -f "$d/template.db" ]; then
    echo "bench: $n records: generating and importing the register" >&2
    rm -rf "$d"
    "$bin" gen --seed 1 --sponsors 1 --records "$n" --kind feeupdate --invalid 0.1 --warnings 0.02 --out "$d" >&2
    t0=$(date +%s)
    "$bin" register import --db "sqlite:$d/template.db" "$d/register.xml" >&2
    echo "bench: $n records: register imported in $(( $(date +%s) - t0 ))s" >&2
  fi
  file=$(ls "$d"/inbox/*/*.xml)
  now=$(sed -n 's/.*"now": "\(.*\)".*/\1/p' "$d/gen.json")
  echo "bench: $n records: measuring ($(du -h "$file" | cut -f1) file)" >&2

  PREPARE="" measure xmllint --stream --noout --schema "$xsd" "$file"
  xwall=$wall xcpu=$cpu
  hold "xmllint --stream --schema (baseline)"
  measure "$bin" validate --max-size 0 "$file"
  hold "bdt validate"
  prep_run() {
    rm -rf "$d/run" && mkdir -p "$d/run/inbox"
    cp "$d/template.db" "$d/run/bdt.db"
    cp -r "$d/inbox/." "$d/run/inbox/"
  }
  PREPARE=prep_run measure "$bin" run --db "sqlite:$d/run/bdt.db" --inbox "$d/run/inbox" --outbox "$d/run/outbox" \
    --archive "$d/run/archive" --now "$now" --max-size "$maxsize" --log-format json
  PREPARE=""
  hold "bdt run (SQLite, end to end)"
  floor_sqlite "$d/run/bdt.db" "$d/template.db" "$d"
  hold "sqlite3, the run's writes set-based"
  fwall=$(awk -v a="$xwall" -v b="$wall" 'BEGIN{printf "%.3f", a+b}')
  fcpu=$(awk -v a="$xcpu" -v b="$cpu" 'BEGIN{printf "%.2f", a+b}')
  wall=$fwall cpu=$fcpu rss=- anon=-
  hold "**floor** = xmllint + sqlite3"
  reads_sqlite "$d/template.db" "$d"
  hold "sqlite3, the reads the rules need, set-based (beside the floor, not in it)"
  emit "$n" "$xwall" "$fwall" "$fcpu"
  [ "$keep" = 1 ] || rm -rf "$d/run"
done

# Two workers against one: 8 sponsors' files.
d=$work/workers-$wrecords
if [ ! -f "$d/template.db" ]; then
  echo "bench: workers: 8 sponsors × $wrecords records: generating and importing" >&2
  rm -rf "$d"
  "$bin" gen --seed 2 --sponsors 8 --records "$wrecords" --kind feeupdate --invalid 0.1 --warnings 0.02 --out "$d" >&2
  "$bin" register import --db "sqlite:$d/template.db" "$d/register.xml" >&2
fi
now=$(sed -n 's/.*"now": "\(.*\)".*/\1/p' "$d/gen.json")
total=$((8 * wrecords))
reps=$repeat

# workers DB PREP ROWS FLOOR_WALL: bdt run with 1 then 2 workers on database
# DB, each run prepared by PREP; appends a table row for each to the array
# ROWS, with its ratios to one worker and to the floor's wall time.
workers() {
  local db=$1 prep=$2 w rps
  local -n out=$3
  for w in 1 2; do
    PREPARE=$prep measure "$bin" run --db "$db" --inbox "$d/run/inbox" --outbox "$d/run/outbox" \
      --archive "$d/run/archive" --now "$now" --workers "$w" --log-format json
    PREPARE=""
    rps=$(awk -v n="$total" -v t="$wall" 'BEGIN{printf "%.0f", n/t}')
    [ "$w" = 1 ] && rps1=$rps
    out+=("| $w | $(printf "%'d" "$total") | $wall | $cpu | $(printf "%'d" "$rps") | $(ratio "$rps" "$rps1") | $(mib "$rss") | $(ratio "$wall" "$4") |")
  done
}
# floor_row ROWS LABEL WRITES_WALL: the floor's row (xmllint over the 8
# files, then WRITES_WALL) appended to ROWS; sets fwall.
floor_row() {
  local -n out=$1
  fwall=$(awk -v a="$wxwall" -v b="$3" 'BEGIN{printf "%.3f", a+b}')
  out+=("| floor: xmllint ($wxwall s) + $2 ($3 s) | $(printf "%'d" "$total") | $fwall | | | | | 1.00× |")
}
fresh_inbox() {
  rm -rf "$d/run" && mkdir -p "$d/run/inbox"
  cp -r "$d/inbox/." "$d/run/inbox/"
}
prep_sqlite() {
  fresh_inbox
  cp "$d/template.db" "$d/run/bdt.db"
}
PREPARE="" measure xmllint --stream --noout --schema "$xsd" "$d"/inbox/*/*.xml
wxwall=$wall
# The floor first (it needs one run's writes: an untimed run makes them).
prep_sqlite
"$bin" run --db "sqlite:$d/run/bdt.db" --inbox "$d/run/inbox" --outbox "$d/run/outbox" \
  --archive "$d/run/archive" --now "$now" --log-format json >/dev/null 2>&1
floor_sqlite "$d/run/bdt.db" "$d/template.db" "$d"
wrows=()
floor_row wrows sqlite3 "$wall"
workers "sqlite:$d/run/bdt.db" prep_sqlite wrows "$fwall"

# The same on PostgreSQL: the register imported once into a template
# database, each run on a fresh copy of it; the floor the same writes
# through psql, from tables staged (not timed) in that copy.
pgrows=()
if [ "$postgres" = 1 ]; then
  if pgenv=$(.ci/postgres.sh start 2>/dev/null); then
    eval "$pgenv"
    pgdata=$BDT_TEST_PGDATA
    pgbase=${BDT_TEST_POSTGRES%%/bdt\?*}
    echo "bench: workers: importing into PostgreSQL" >&2
    psql -q "$pgbase/postgres?sslmode=disable" -c "CREATE DATABASE bench_template"
    "$bin" register import --db "$pgbase/bench_template?sslmode=disable" "$d/register.xml" >&2
    fresh_db() {
      PGOPTIONS=--client-min-messages=warning psql -q "$pgbase/postgres?sslmode=disable" \
        -c "DROP DATABASE IF EXISTS bench_run" -c "CREATE DATABASE bench_run TEMPLATE bench_template"
    }
    prep_pg() { fresh_db; fresh_inbox; }
    prep_pg_floor() { fresh_db; floor_pg_stage "$d/changes.db" "$pgbase/bench_run?sslmode=disable"; }
    floor_pg_sql >"$d/floor-pg.sql"
    PREPARE=prep_pg_floor measure psql -q -X "$pgbase/bench_run?sslmode=disable" -f "$d/floor-pg.sql"
    PREPARE=""
    floor_row pgrows psql "$wall"
    workers "$pgbase/bench_run?sslmode=disable" prep_pg pgrows "$fwall"
  else
    echo "bench: PostgreSQL could not be started (.ci/postgres.sh): its rows are left out" >&2
  fi
fi
[ "$keep" = 1 ] || rm -rf "$d/run"

# Uploads over the API: BenchmarkUploads, once for each place.
urows=()
if [ "$uploads" -gt 0 ]; then
  echo "bench: uploads: $uploads files of $urecords records, $uconc at a time (the first time, generating and importing their register)" >&2
  VERSITYGW=${VERSITYGW:-$(.ci/versitygw.sh)}
  export VERSITYGW
  out=$(CI=true go test ./cmd/bdt -run '^$' -bench '^BenchmarkUploads$' -benchtime 1x -timeout 90m -args \
    -uploads "$uploads" -upload-records "$urecords" -upload-concurrency "$uconc" -upload-bdt "$bin" -upload-work "$work" 2>&1) ||
    { echo "bench: BenchmarkUploads failed:" >&2; echo "$out" | tail -30 >&2; exit 1; }
  while read -r line; do
    urows+=("$(echo "$line" | awk -v n="$uploads" -v r="$urecords" -v c="$uconc" '{
      where=$1; sub(/^BenchmarkUploads\//, "", where); sub(/-[0-9]+$/, "", where)
      for (i = 2; i < NF; i++) m[$(i+1)] = $i
      printf "| %s | %d | %d | %d | %.1f | %.0f | %.0f | %.1f |", where, n, r, c, m["uploads/s"], m["p95-202-ms"], m["p95-final-ms"], m["files/s"]
    }')")
  done < <(echo "$out" | grep '^BenchmarkUploads/')
fi

echo
echo "bdt: $(git -C "$src" rev-parse --short HEAD)$(git -C "$src" diff --quiet HEAD || echo " (modified)")"
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo); $(date -u +%Y-%m-%d); libxml2 $(xmllint --version 2>&1 | sed -n 's/.*using libxml version \([0-9]*\).*/\1/p'); load average $(cut -d' ' -f1-3 /proc/loadavg); best of $repeat runs (1M: $repeatbig)"
echo
echo "| records | command | wall (s) | CPU (s) | records/s | peak RSS (MiB) | RSS less mapped binary (MiB) | wall / xmllint | wall / floor | CPU / floor |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "Fee updates of 8 sponsors ($wrecords records each), bdt run on SQLite:"
echo
echo "| workers | records | wall (s) | CPU of bdt (s) | records/s | vs 1 worker | peak RSS (MiB) | wall / floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${wrows[@]}"
if [ "${#pgrows[@]}" -gt 0 ]; then
  echo
  echo "The same files, bdt run on PostgreSQL 15 (a throwaway cluster on this machine, fsync off):"
  echo
  echo "| workers | records | wall (s) | CPU of bdt (s) | records/s | vs 1 worker | peak RSS of bdt (MiB) | wall / floor |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${pgrows[@]}"
fi

if [ "${#urows[@]}" -gt 0 ]; then
  echo
  echo "Uploads over the API to bdt serve (SQLite, --workers 2, runs started by the uploads):"
  echo
  echo "| inbox | files | records a file | at once | uploads/s | 95th pct to 202 (ms) | 95th pct to final status (ms) | files/s to final |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${urows[@]}"
fi

if [ "$gobench" = 1 ]; then
  echo
  echo "Go benchmarks:"
  go test -run '^$' -bench . -benchmem -benchtime 2s ./bdt/decode/ ./rules/ ./bdt/store/sqlite/ 2>&1 | grep -E '^(Benchmark|ok|FAIL)'
  go test -run '^$' -bench RunFile -benchmem -benchtime 3x ./bdt/runner/ 2>&1 | grep -E '^(Benchmark|ok|FAIL)'
fi
