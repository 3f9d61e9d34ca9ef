package sqldb

// Statements that keep their generic plan.
//
// pgx prepares each statement once per connection, and PostgreSQL then
// chooses, at every execution, between the statement's generic plan (made
// once, for any parameter values) and a custom plan made for the values at
// hand, which costs a planning each time. After five custom plans it keeps
// the generic plan only while the generic plan's estimated cost is below the
// custom plans' average. For a statement whose plan is fixed by its design
// (an index walked in order up to a LIMIT), that comparison decides nothing
// but whether the statement is planned again on every execution, and it
// turns on the statistics of the rows at hand: on a project of 2M slots the
// claim's custom plans were estimated cheaper than its generic plan, so every
// claim was planned again (about 1 ms on 2 cores, where executing it took
// half that), while on a project of 20k slots the generic plan was kept
// (docs/BENCHMARKS.md, "Claim p50 and project size").
//
// GenericPlan marks a context: a query (QueryContext; Exec ignores the
// mark) run with it outside a transaction, through OpenPostgres's driver,
// goes in one write with genericPlanSQL ahead of it, in the same implicit
// transaction (one Sync), so PostgreSQL runs the statement's generic plan;
// the setting ends with the statement. It costs no round trip. Inside a
// transaction (where the setting would outlive the statement) and on other
// drivers the mark does nothing.

import "context"

// genericPlanSQL sets plan_cache_mode for the implicit transaction of the
// statement that follows it in the same batch.
const genericPlanSQL = "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"

type genericPlanKey struct{}

// GenericPlan returns ctx marked so that the queries run with it outside a
// transaction use their generic plan (see above).
func GenericPlan(ctx context.Context) context.Context {
	return context.WithValue(ctx, genericPlanKey{}, true)
}

func isGenericPlan(ctx context.Context) bool {
	on, _ := ctx.Value(genericPlanKey{}).(bool)
	return on
}
