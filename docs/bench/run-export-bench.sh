#!/usr/bin/env bash
# Exports a snapshot of N accepted pairwise annotations to TRL DPO JSONL
# through the Go store (BenchmarkExportSnapshot), and, in the same run after
# each export, copies the same frozen rows in the same order with psql's
# \copy. Prints the median rows/s of each, the ratio of the median wall
# times (x-copy-time: 1.0 is as fast as \copy) and the peak RSS of the
# export. Needs go and psql.
#
#   docs/bench/run-export-bench.sh 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' [rows=1000000] [runs=3]
set -euo pipefail
url=${1:?usage: $0 DATABASE_URL [rows] [runs]}
rows=${2:-1000000}
runs=${3:-3}
cd "$(dirname "$0")/../.."
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
TEST_DATABASE_URL="$url" COPYHOLD_EXPORT_BENCH_ROWS="$rows" go test -run '^$' -bench BenchmarkExportSnapshot \
  -benchtime "${runs}x" -count 1 -timeout 60m ./labeling/store/
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
