-- pgbench script: one "vest" done with pgledger (github.com/pgr0ss/pgledger),
-- for docs/bench/run-vest-bench.sh. A copyhold vest moves a member's pending
-- credit to vested and credits the reviewer, so one transaction here is two
-- pgledger transfers: member m's pending → vested, and reviewer r's issuance
-- → vested (one issuance account per reviewer: copyhold keeps no balance row
-- for issuance, so neither side has a global hot row). Both go through one
-- pgledger_create_transfers call, which locks all accounts in sorted order
-- first (as copyhold's post path does), so concurrent vests cannot deadlock.
-- bench_accounts maps (member, kind) to pgledger's account ids (an indexed
-- lookup, like copyhold's balance rows keyed by account name).
\set m random(1, 64)
\set r random(1, 64)
BEGIN;
SELECT id FROM pgledger_create_transfers(ARRAY[
  ((SELECT id FROM bench_accounts WHERE member = :m AND kind = 'pending'),
   (SELECT id FROM bench_accounts WHERE member = :m AND kind = 'vested'), 1)::transfer_request,
  ((SELECT id FROM bench_accounts WHERE member = :r AND kind = 'issuance'),
   (SELECT id FROM bench_accounts WHERE member = :r AND kind = 'vested'), 1)::transfer_request]);
COMMIT;
