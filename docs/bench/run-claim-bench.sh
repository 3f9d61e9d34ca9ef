#!/usr/bin/env bash
# Runs the claim+submit benchmark twice against one PostgreSQL server: the Go
# store (BenchmarkClaimSubmit, 20k-slot project, the ledger wired as `copyhold
# serve` wires it) and pgbench sending exactly the statements the Go path
# sends (docs/bench/claim-submit.sql, held to it by
# TestClaimSubmitStatementsMatchPgbench), at the same number of concurrent
# labellers, and prints the ratio; then River running as many no-op jobs with
# as many workers (docs/bench/river, its own module), the ceiling of the
# claim-and-complete pattern, and that ratio. Needs go, psql and pgbench.
# RIVER=0 skips River.
#
#   docs/bench/run-claim-bench.sh 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' [labellers=8] [actions-per-labeller=300]
set -euo pipefail
url=${1:?usage: $0 DATABASE_URL [labellers] [actions-per-labeller]}
clients=${2:-8}
per=${3:-300}
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== Go store: $clients labellers × $per actions"
TEST_DATABASE_URL="$url" go test -run '^$' -bench "BenchmarkClaimSubmit/slots=20k/labellers=${clients}\$" \
  -benchtime "$((clients * per))x" -count 1 ./labeling/store/ | tee "$out/go.txt"

echo "== pgbench: the same statements, same load"
schema="claim_pgbench_$$"
psql "$url" -qc "CREATE SCHEMA $schema"
trap 'psql "$url" -qc "DROP SCHEMA $schema CASCADE" >/dev/null; rm -rf "$out"' EXIT
export PGOPTIONS="-c search_path=$schema -c client_min_messages=warning"
for f in migrations/postgres/*.sql; do
  awk '/^-- \+goose Down/ {exit} {print}' "$f" | psql "$url" -q -v ON_ERROR_STOP=1 >/dev/null
done
psql "$url" -q -v ON_ERROR_STOP=1 -v labellers=64 -v items=6667 -v name=bench-pgbench -f docs/bench/claim-fixture.sql >/dev/null
project=$(psql "$url" -Atc "SELECT id FROM projects WHERE name = 'bench-pgbench'")
model=$(psql "$url" -Atc "SELECT model_id FROM projects WHERE id = $project")
member0=$(psql "$url" -Atc "SELECT min(id) FROM members WHERE login LIKE 'bench%'")
psql "$url" -q -v ON_ERROR_STOP=1 -v name=bench-pgbench -f docs/bench/claim-prepare.sql >/dev/null
rc=$(psql "$url" -Atc "SELECT id FROM equity_rate_cards WHERE project_id = $project ORDER BY version DESC LIMIT 1")
# The simple protocol: pgbench's prepared mode turns every :variable into a
# parameter, also inside string literals, so it cannot send this script's
# per-client strings (accounts, event payloads) without changing the
# statements' text. pgbench therefore parses and plans each statement each
# time, where pgx prepares each once per connection (its statement cache).
now=$(date -u '+%Y-%m-%d %H:%M:%S+00')
pgbench "$url" -n -M simple -f docs/bench/claim-submit.sql -c "$clients" -j 2 -t "$per" \
  -D project="$project" -D member0="$member0" -D scope="project:$project" -D rscope="review:$project" \
  -D unit="unit:$model" -D rc="$rc" -D now="$now" -D expires="$(date -u -d '+600 seconds' '+%Y-%m-%d %H:%M:%S+00')" \
  -D day="$(date -u '+%Y-%m-%d 00:00:00+00')" -D dayname="$(date -u '+%Y-%m-%d')" | tee "$out/pgbench.txt"

go_rate=$(awk '{for (i = 2; i <= NF; i++) if ($i == "claims/s") print $(i-1)}' "$out/go.txt" | tail -1)
pg_rate=$(awk '/^tps/ {print $3}' "$out/pgbench.txt")
echo "Go store: $go_rate claim+submit/s; pgbench: $pg_rate claim+submit/s;" \
  "ratio Go/pgbench = $(awk -v a="$go_rate" -v b="$pg_rate" 'BEGIN {printf "%.2f", a / b}')"
if [ "${RIVER:-1}" != 0 ]; then
  echo "== River: $((clients * per)) no-op jobs, $clients workers, same server"
  (cd docs/bench/river && go run . -url "$url" -jobs "$((clients * per))" -workers "$clients") | tee "$out/river.txt"
  river_rate=$(awk '{print $(NF-1)}' "$out/river.txt" | tail -1)
  echo "ratio Go/River no-op = $(awk -v a="$go_rate" -v b="$river_rate" 'BEGIN {printf "%.3f", a / b}')"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
