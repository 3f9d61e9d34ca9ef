#!/usr/bin/env bash
# The append-path benchmark of docs/BENCHMARKS.md ("Court roll"): vest
# throughput at 8 and 64 callers, in one run, four ways on one server:
#   go          BenchmarkVest (equity/store, the real Go post path)
#   vest.sql    pgbench docs/bench/vest.sql (the same SQL, no Go)
#   pgledger    pgbench docs/bench/pgledger_vest.sql (two pgledger transfers)
#   gopgledger  the same pgledger transaction sent from Go (BenchmarkPgledgerFromGo)
# Each is run RUNS times (default 3); the table shows medians and the ratios
# Go/vest.sql, Go/pgledger and Go/pgledger-from-Go. Needs go, psql, pgbench.
#
#   docs/bench/run-vest-bench.sh [DATABASE_URL]
#
# Without a URL it starts its own cluster (TEST_DATABASE_URL is ignored) with
# PostgreSQL's default durability (fsync = on, synchronous_commit = on; only
# max_connections is raised, to 200, and checkpoints spaced: below) in a temp
# dir and removes it afterwards.
# Use that for figures: go run ./cmd/with-postgres and the dev cluster run
# with fsync = off, which hides commit latency.
#
# pgledger is not part of copyhold: point PGLEDGER_DIR at a clone of it
#   git clone https://github.com/pgr0ss/pgledger /tmp/pgledger
#   PGLEDGER_DIR=/tmp/pgledger docs/bench/run-vest-bench.sh
# (it loads vendor/scoville-pgsql-ulid/*.sql, then pgledger.sql), or set
# PGLEDGER_SQL to a space-separated list of SQL files loaded in that order.
# Without either, pgledger is skipped.
#
# BenchmarkVest vacuums and analyzes its fixture (1,000s of credits) before its
# timed vests; the pgbench fixtures (64 rows) are left unanalyzed, as they
# always were: statistics taken on 64 rows can mislead the planner once the
# run has written thousands, where without any it goes by the tables' size.
#
# gopgledger runs pgledger's same transaction from Go (BenchmarkPgledgerFromGo:
# GORM's transaction, database/sql, pgx, the application's pool), on the same
# database as pgbench's: the server does the same work for both, so the two
# pgledger columns part what the client costs from what the ledger's SQL does.
#
# Every run, pgbench's and Go's, starts right after a CHECKPOINT, and the own
# cluster spaces its checkpoints an hour and 4 GB of WAL apart, so that none
# falls inside a run: after a checkpoint the first write to each page logs the
# whole page, so a run that a checkpoint fell into paid for it alone.
# Durability is unchanged (fsync, synchronous_commit, full_page_writes).
#
# Knobs: RUNS=3 DURATION=10 (pgbench and pgledger-from-Go seconds per run)
# VEST_N=1000 (Go vests per run) CALLERS="8 64" ONLY="go vestsql pgledger
# gopgledger" (gopgledger needs pgledger) GO_PROCS (GOMAXPROCS of both Go
# benchmarks, as `go test -cpu`; default: Go's own, every core; docs/BENCHMARKS.md,
# "GOMAXPROCS=1 for the Go side").
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
duration=${DURATION:-10}
vest_n=${VEST_N:-1000}
callers=${CALLERS:-8 64}
only=${ONLY:-go vestsql pgledger gopgledger}
go_procs=${GO_PROCS:+-cpu=$GO_PROCS}
url=${1:-}
out=$(mktemp -d)
chmod 755 "$out"
cluster=""
dbs=()

cleanup() {
  for d in "${dbs[@]}"; do psql "$url" -qc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  if [[ -n $cluster ]]; then
    as_pg pg_ctl -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
  fi
  rm -rf "$out"
}
trap cleanup EXIT

as_pg() { # initdb refuses root: run the cluster as the postgres user then
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ -z $url ]]; then
  cluster=$(mktemp -d /tmp/vest-bench-pg.XXXXXX)
  chmod 755 "$cluster"
  [[ $(id -u) == 0 ]] && chown postgres "$cluster"
  port=$(( 20000 + RANDOM % 20000 ))
  as_pg initdb -D "$cluster/data" -U postgres -A trust >/dev/null
  as_pg pg_ctl -D "$cluster/data" -l "$cluster/log" -w \
    -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c max_connections=200 -c checkpoint_timeout=1h -c max_wal_size=4GB" \
    start >/dev/null
  url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  echo "== own cluster on :$port (default durability)"
  # A new cluster has no WAL segments to reuse: the first runs would create and
  # zero-fill theirs. Write some 400 MB of WAL once, so that the checkpoint
  # leaves recycled segments for the runs.
  psql "$url" -q -v ON_ERROR_STOP=1 -c "CREATE TABLE wal_warmup AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 1500000) g" \
    -c "DROP TABLE wal_warmup" -c "CHECKPOINT" >/dev/null
fi

db_url() { # the URL with its database name replaced
  sed -E "s#^(postgres(ql)?://[^/]+/)[^?]*#\1$1#" <<<"$url"
}
med() { if [[ -s $1 ]]; then median <"$1"; else echo -; fi; }
median() { sort -g | awk -v f="${1:-%.0f}" '{a[NR] = $1} END {if (NR) printf f "\n", a[int((NR + 1) / 2)]; else print "-"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b}'; }

echo "== Go benchmarks: GOMAXPROCS=${GO_PROCS:-$(nproc) (every core)}"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
psql "$url" -Atc "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync')
  || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers')
  || ', max_connections=' || current_setting('max_connections')" | sed 's/^/== /'

# migrated_db NAME: a fresh database with copyhold's migrations.
migrated_db() {
  psql "$url" -qc "CREATE DATABASE $1" >/dev/null
  dbs+=("$1")
  for f in migrations/postgres/*.sql; do
    awk '/^-- \+goose Down/ {exit} {print}' "$f" | psql "$(db_url "$1")" -q -v ON_ERROR_STOP=1 >/dev/null
  done
}

# server_cpu_ms: the CPU (user + system, ms) the server has used so far: the
# postmaster, what it reaped from exited backends, and its live children.
# Only for the script's own cluster (the server must run on this host); "-"
# otherwise. Where the time goes matters more than tps on a shared machine.
server_cpu_ms() {
  [[ -n $cluster && -r $cluster/data/postmaster.pid ]] || { echo -; return; }
  local pm t f d
  pm=$(head -1 "$cluster/data/postmaster.pid")
  read -ra f < <(sed 's/.*) //' "/proc/$pm/stat")
  t=$((f[11] + f[12] + f[13] + f[14]))
  for d in /proc/[0-9]*; do
    read -ra f < <(sed 's/.*) //' "$d/stat" 2>/dev/null) || continue
    [[ ${f[1]:-} == "$pm" ]] && t=$((t + f[11] + f[12]))
  done
  echo $((t * 1000 / $(getconf CLK_TCK)))
}

pgbench_runs() { # NAME DB SCRIPT: RUNS pgbench runs per caller count → $out/NAME-C.txt (tps per line)
  local name=$1 db=$2 script=$3 c i a b n
  for c in $callers; do
    for ((i = 1; i <= runs; i++)); do
      psql "$url" -qc CHECKPOINT >/dev/null 2>&1 || true # as the Go benchmarks do before their timed part
      a=$(server_cpu_ms)
      /usr/bin/time -f "client-cpu-s %U %S" pgbench "$(db_url "$db")" -n -f "$script" -c "$c" -j 2 -T "$duration" \
        >"$out/$name-$c-$i.log" 2>&1
      b=$(server_cpu_ms)
      awk '/^tps/ {print $3}' "$out/$name-$c-$i.log" >>"$out/$name-$c.txt"
      n=$(awk -F': ' '/actually processed/ {split($2, x, "/"); print x[1]}' "$out/$name-$c-$i.log")
      awk -v a="$a" -v b="$b" -v n="$n" '/^client-cpu-s/ {
          printf "%s %.3f\n", (a == "-" || n == 0) ? "-" : sprintf("%.3f", (b - a) / n), n ? ($2 + $3) * 1000 / n : 0 }' \
        "$out/$name-$c-$i.log" >>"$out/$name-$c.cpu"
      echo "   $name clients=$c run $i: $(tail -1 "$out/$name-$c.txt") tps, server/client CPU ms per tx: $(tail -1 "$out/$name-$c.cpu")"
    done
  done
}

go_runs() { # NAME BENCHMARK BENCHTIME: RUNS runs of an equity/store benchmark per caller count → $out/NAME-C.txt (vest/s) and .cpu
  local name=$1 bench=$2 benchtime=$3 c
  for c in $callers; do
    go test -run '^$' -bench "$bench/callers=$c\$" -benchtime "$benchtime" -count "$runs" ${go_procs} ./equity/store/ | tee "$out/$name-$c.log" |
      awk '{for (i = 2; i <= NF; i++) if ($i == "vest/s") print $(i-1)}' | tee "$out/$name-$c.txt" | sed "s/^/   $name callers=$c: /; s/\$/ per s/"
    awk '/vest\/s/ {s = "-"; g = "-"; for (i = 2; i <= NF; i++) { if ($i == "pg-cpu-ms/op") s = $(i-1); if ($i == "go-cpu-ms/op") g = $(i-1) } print s, g}' \
      "$out/$name-$c.log" >"$out/$name-$c.cpu"
  done
}

if [[ " $only " == *" go "* ]]; then
  echo "== go: BenchmarkVest, $vest_n vests × $runs runs per caller count"
  TEST_DATABASE_URL="$url" go_runs go BenchmarkVest "${vest_n}x"
fi

if [[ " $only " == *" vestsql "* ]]; then
  echo "== vest.sql: pgbench, ${duration}s × $runs runs per client count"
  db="vestbench_sql_$$"
  migrated_db "$db"
  psql "$(db_url "$db")" -q -v ON_ERROR_STOP=1 -f docs/bench/vest_setup.sql >/dev/null
  pgbench_runs vestsql "$db" docs/bench/vest.sql
fi

pgledger_files=()
if [[ -n ${PGLEDGER_SQL:-} ]]; then
  read -ra pgledger_files <<<"$PGLEDGER_SQL"
elif [[ -n ${PGLEDGER_DIR:-} ]]; then
  pgledger_files=("$PGLEDGER_DIR"/vendor/scoville-pgsql-ulid/ulid-to-uuid.sql "$PGLEDGER_DIR"/vendor/scoville-pgsql-ulid/uuid-to-ulid.sql "$PGLEDGER_DIR"/pgledger.sql)
fi
if [[ " $only " == *" pgledger "* ]]; then
  if ((${#pgledger_files[@]} == 0)); then
    echo "== pgledger: skipped (set PGLEDGER_DIR or PGLEDGER_SQL)"
  else
    echo "== pgledger: pgbench, ${duration}s × $runs runs per client count"
    db="vestbench_pgledger_$$"
    psql "$url" -qc "CREATE DATABASE $db" >/dev/null
    dbs+=("$db")
    for f in "${pgledger_files[@]}"; do psql "$(db_url "$db")" -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null; done
    psql "$(db_url "$db")" -q -v ON_ERROR_STOP=1 -f docs/bench/pgledger_setup.sql >/dev/null
    pgbench_runs pgledger "$db" docs/bench/pgledger_vest.sql
    if [[ " $only " == *" gopgledger "* ]]; then
      echo "== pgledger from Go: BenchmarkPgledgerFromGo, ${duration}s × $runs runs per caller count"
      COPYHOLD_PGLEDGER_URL="$(db_url "$db")" go_runs gopgledger BenchmarkPgledgerFromGo "${duration}s"
    fi
  fi
fi

echo
echo "| callers | Go vest/s | vest.sql tps | pgledger tps | pgledger from Go tps | Go / vest.sql | Go / pgledger | Go / pgledger from Go |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $callers; do
  g=$(med "$out/go-$c.txt")
  v=$(med "$out/vestsql-$c.txt")
  p=$(med "$out/pgledger-$c.txt")
  q=$(med "$out/gopgledger-$c.txt")
  echo "| $c | $g | $v | $p | $q | $(ratio "$g" "$v") | $(ratio "$g" "$p") | $(ratio "$g" "$q") |"
done
echo
echo "CPU per vest in ms (medians; server = every PostgreSQL process, client = Go or pgbench):"
echo "| callers | Go server | Go client | vest.sql server | vest.sql client | pgledger server | pgledger client | pgledger from Go: server | pgledger from Go: client |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $callers; do
  row="| $c"
  for n in go vestsql pgledger gopgledger; do
    for col in 1 2; do
      if [[ -s $out/$n-$c.cpu ]]; then row+=" | $(awk -v k=$col '{print $k}' "$out/$n-$c.cpu" | { grep -v '^-$' || true; } | median %.2f)"; else row+=" | -"; fi
    done
  done
  echo "$row |"
done
echo "(medians of $runs runs; all runs: $(for f in "$out"/*-*.txt; do printf '%s=[%s] ' "$(basename "$f" .txt)" "$(paste -sd, "$f")"; done))"
