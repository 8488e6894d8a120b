#!/usr/bin/env bash
# demo.sh BIN — the main job on the embedded default (SQLite in demo/bdt.db):
# load the sample register once, drop every sample scenario's uploads into
# demo/inbox, and run them through `bdt run`. Run it again and nothing
# changes: the same files come back as DUPLICATE.
set -euo pipefail
bin=${1:-bin/bdt}
root=demo
db="sqlite:$root/bdt.db"
mkdir -p "$root"
if [ ! -f "$root/bdt.db" ]; then
  "$bin" register import --db "$db" samples/register.xml
fi
n=0
for inbox in samples/*/inbox; do
  [ -d "$inbox" ] || continue
  scenario=$(basename "$(dirname "$inbox")")
  for f in "$inbox"/*/*; do
    [ -f "$f" ] || continue
    licence=$(basename "$(dirname "$f")")
    mkdir -p "$root/inbox/$licence"
    cp "$f" "$root/inbox/$licence/$scenario-$(basename "$f")"
    n=$((n + 1))
  done
done
echo "demo: $n sample uploads copied to $root/inbox/<licence>/"
"$bin" run --db "$db" --inbox "$root/inbox" --outbox "$root/outbox" --archive "$root/archive" \
  --now 2026-11-23T02:00:00Z --log-format console
cat <<EOT

Where to look:
  $root/outbox/<licence>/NAME.result.xml    what a sponsor's system reads back (schema/xsd/result-v1.xsd)
  $root/outbox/<licence>/NAME.errors.csv    one row per problem, safe to open in a spreadsheet
  $root/outbox/<licence>/NAME.summary.html  a page for a person
  $bin files list --db $db                  the ledger: every file and what became of it
  $bin cas show --db $db --user jsmith01 CAS26000000201   a certificate and its activity history
Run 'make demo' again: the same uploads are recognised as duplicates and nothing changes.
EOT
