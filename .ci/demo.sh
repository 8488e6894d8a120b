#!/usr/bin/env bash
# demo.sh BIN — the main job on the embedded default (SQLite). Each sample
# scenario runs in a folder of its own, demo/<scenario>/, with its own
# register (bdt.db, loaded from the scenario's register.xml once), inbox,
# outbox and archive, at the scenario's processing time — as `bdt replay`
# runs it, so the outcomes are those of its golden reports. Scenarios share
# file ids, so one register for all would report files of one scenario as
# duplicates of another's; the only DUPLICATEs of a first demo are those of
# 04-duplicates, whose point they are. Run it again and nothing changes: every
# upload that was applied comes back as DUPLICATE, every rejected one is
# rejected again.
set -euo pipefail
bin=${1:-bin/bdt}
root=demo
mkdir -p "$root"

# field NAME FILE prints the value of NAME in the flat JSON object FILE, or
# nothing when it is not there.
field() {
  sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\)\"\{0,1\}.*/\1/p" "$2" | head -n 1
}

n=0
for inbox in samples/*/inbox; do
  [ -d "$inbox" ] || continue
  src=$(dirname "$inbox")
  scenario=$(basename "$src")
  dir="$root/$scenario"
  db="sqlite:$dir/bdt.db"
  mkdir -p "$dir/inbox"
  if [ ! -f "$dir/bdt.db" ]; then
    register="$src/register.xml"
    [ -f "$register" ] || register=samples/register.xml
    "$bin" register import --db "$db" "$register" >/dev/null
  fi
  cp -R "$inbox/." "$dir/inbox/"
  files=$(find "$inbox" -type f | wc -l)
  n=$((n + files))
  args=(--now "$(field now "$src/scenario.json")")
  max_size=$(field max_size "$src/scenario.json")
  max_errors=$(field max_errors "$src/scenario.json")
  [ -z "$max_size" ] || args+=(--max-size "$max_size")
  [ -z "$max_errors" ] || args+=(--max-errors "$max_errors")
  echo
  echo "== $scenario: $files upload(s), register $dir/bdt.db"
  "$bin" run --db "$db" --inbox "$dir/inbox" --outbox "$dir/outbox" --archive "$dir/archive" \
    "${args[@]}" --log-format console --log-level warn
done
cat <<EOT

demo: $n sample uploads, each scenario in its own folder demo/<scenario>/.
Where to look:
  $root/<scenario>/outbox/<licence>/NAME.result.xml    what a sponsor's system reads back (schema/xsd/result-v1.xsd)
  $root/<scenario>/outbox/<licence>/NAME.errors.csv    one row per problem, safe to open in a spreadsheet
  $root/<scenario>/outbox/<licence>/NAME.summary.html  a page for a person
  $bin files list --db sqlite:$root/01-accepted/bdt.db                    the ledger: every file and what became of it
  $bin cas show --db sqlite:$root/01-accepted/bdt.db --user jsmith01 CAS26000000201   a certificate and its activity history
Run 'make demo' again: nothing changes; every upload that was applied comes back as DUPLICATE, every rejected one is rejected again.
EOT
