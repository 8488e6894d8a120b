# floor.sh — sourced by bench.sh: the floor of issue 18, what SQLite (the
# sqlite3 shell) and PostgreSQL (psql) need for the same register writes a
# bdt run makes, as set-based SQL in one transaction.
#
# The writes are taken from a run's own database: floor_changes compares the
# database a bdt run left with the register it started from and keeps, in a
# separate SQLite file (not timed), what the run added: its ledger_file rows,
# its ledger_outcome chunks, and the rows appended to the three histories
# (fee_change, status_change, activity_report). The floor then replays them
# on a fresh copy of the register as one INSERT … SELECT per table and one
# UPDATE … FROM of the certificates a fee change names (its five fee
# columns, the columns a fee update sets), in one transaction, with the
# pragmas bdt's writer uses (WAL, synchronous=FULL, foreign keys on); the
# commit (the WAL's fsync) is timed with it.
#
# What the floor leaves out, and bdt does: reading the certificates for the
# rules, the rules themselves, the ledger's own updates of the file's row
# (claim, settle, reports written, archived: a row each) and the reports.
# The first of these is measured beside the floor (floor_reads_sql): what
# SQLite needs to read, set-based, every certificate the file names with the
# last seq of its fee history, as the rules' read does.

# floor_tables lists the tables whose new rows a run's floor replays, in the
# order foreign keys allow.
floor_tables="ledger_file fee_change status_change activity_report ledger_outcome"

# floor_changes RUN_DB TEMPLATE_DB CHANGES_DB: the rows RUN_DB holds that
# TEMPLATE_DB does not, table by table, into CHANGES_DB (replaced).
floor_changes() {
  local run=$1 template=$2 out=$3 t key
  rm -f "$out"
  {
    echo ".bail on"
    echo "ATTACH '$template' AS t; ATTACH '$out' AS c;"
    for t in $floor_tables; do
      case $t in
        ledger_file) key="id" ;;
        ledger_outcome) key="file, first" ;;
        *) key="number, seq" ;;
      esac
      echo "CREATE TABLE c.$t AS SELECT * FROM main.$t WHERE ($key) NOT IN (SELECT $key FROM t.$t);"
    done
    echo "CREATE TABLE c.file_cert AS SELECT DISTINCT cert AS number FROM main.ledger_record WHERE cert != '' AND file IN (SELECT id FROM c.ledger_file);"
  } | sqlite3 "$run"
}

# floor_fee_columns are the certificate's columns a fee change sets, each
# from its history row's after_ column.
floor_fee_columns="course_fees_first_year course_fees_paid boarding_fees_paid includes_accommodation accommodation_fees_paid"

# floor_fee_set prints the SET list of the certificates' UPDATE: each fee
# column from the history row f.
floor_fee_set() {
  local col sep=""
  for col in $floor_fee_columns; do
    printf '%s%s = f.after_%s' "$sep" "$col" "$col"
    sep=", "
  done
}

# floor_sqlite_sql CHANGES_DB prints the SQLite floor: the script the sqlite3
# shell runs on a fresh copy of the register.
floor_sqlite_sql() {
  local t
  echo ".bail on"
  echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
  echo "ATTACH '$1' AS c;"
  echo "BEGIN IMMEDIATE;"
  for t in $floor_tables; do
    echo "INSERT INTO main.$t SELECT * FROM c.$t;"
  done
  echo "UPDATE main.certificate SET $(floor_fee_set) FROM c.fee_change f WHERE certificate.number = f.number;"
  echo "COMMIT;"
}

# floor_reads_sql CHANGES_DB prints the reads beside the floor: every
# certificate the run's files name (the ledger's records), whole, with the
# last seq of its fee history, in one statement, its rows printed to
# /dev/null.
floor_reads_sql() {
  echo ".bail on"
  echo "ATTACH '$1' AS c;"
  echo ".output /dev/null"
  echo "SELECT r.*, (SELECT coalesce(max(seq), 0) FROM main.fee_change h WHERE h.number = r.number) FROM main.certificate r WHERE number IN (SELECT number FROM c.file_cert);"
}

# floor_pg_stage CHANGES_DB URL: loads the changes into PostgreSQL database URL
# as tables stage_<table> (LIKE the table), not timed: each row goes through
# JSON (one object a line, column names as keys) so that PostgreSQL's types
# (boolean, json) take SQLite's values.
floor_pg_stage() {
  local changes=$1 url=$2 t cols
  for t in $floor_tables; do
    cols=$(sqlite3 "$changes" "SELECT group_concat(printf('''%s'', %s', name, CASE WHEN name IN ('rows', 'file_findings') THEN 'json(' || name || ')' ELSE name END), ', ') FROM pragma_table_info('$t')")
    sqlite3 "$changes" "SELECT json_object($cols) FROM $t" >"$changes.$t.jsonl"
    PGOPTIONS=--client-min-messages=warning psql -q -v ON_ERROR_STOP=1 "$url" \
      -c "DROP TABLE IF EXISTS stage_json; CREATE UNLOGGED TABLE stage_json (doc text)" \
      -c "\\copy stage_json (doc) FROM '$changes.$t.jsonl' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" \
      -c "DROP TABLE IF EXISTS stage_$t; CREATE UNLOGGED TABLE stage_$t (LIKE $t)" \
      -c "INSERT INTO stage_$t SELECT (json_populate_record(NULL::stage_$t, doc::json)).* FROM stage_json" \
      -c "DROP TABLE stage_json; ANALYZE stage_$t"
    rm -f "$changes.$t.jsonl"
  done
}

# floor_pg_sql prints the PostgreSQL floor: the same writes from the staged
# tables, one statement a table, in one transaction.
floor_pg_sql() {
  local t
  echo "\\set ON_ERROR_STOP on"
  echo "BEGIN;"
  for t in $floor_tables; do
    case $t in
      ledger_file) echo "INSERT INTO $t OVERRIDING SYSTEM VALUE SELECT * FROM stage_$t;" ;;
      *) echo "INSERT INTO $t SELECT * FROM stage_$t;" ;;
    esac
  done
  echo "UPDATE certificate SET $(floor_fee_set) FROM stage_fee_change f WHERE certificate.number = f.number;"
  echo "COMMIT;"
}
