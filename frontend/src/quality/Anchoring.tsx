// Anchoring on the quality page (docs/MODELS.md, "Suggestions"): how often
// final answers equal the model's suggestion where it was shown, against
// control items where it was withheld, and under after_answer how often a
// different first answer was changed to the suggestion.
import type { Schema } from '../schema';

export type Anchoring = Schema<'Anchoring'>;

const POLICY: Record<string, string> = {
  off: 'Suggestions are off',
  after_answer: 'Shown after the labeller’s first answer',
  up_front: 'Shown up front',
};

/** A basis-point rate as a percentage, or a dash when there is nothing to count. */
export function pct(bp: number | null | undefined): string {
  return typeof bp === 'number' ? `${(bp / 100).toFixed(1)} %` : '—';
}

/** What the gap between shown and control agreement suggests, in words. */
export function anchoringReading(a: Anchoring): string {
  if (a.shown_agreement_bp == null || a.control_agreement_bp == null) {
    return 'Not enough answers yet to compare suggested items with control items.';
  }
  const gap = a.shown_agreement_bp - a.control_agreement_bp;
  if (gap >= 1000) return `Labellers agree with the model ${pct(gap)} more often when they see its suggestion: they may be anchored by it.`;
  if (gap <= -1000) return 'Labellers agree with the model less often when they see its suggestion.';
  return 'Agreement with the model is about the same with and without its suggestion: little sign of anchoring.';
}

export function AnchoringSection({ a }: { a: Anchoring }) {
  return (
    <section className="card" aria-labelledby="q-anchoring" data-testid="q-anchoring">
      <h2 id="q-anchoring">Suggestions and anchoring</h2>
      <p>
        {POLICY[a.policy] ?? a.policy}; {pct(a.control_bp)} of items are control items that never show their suggestion.
      </p>
      <dl className="q-stats">
        <div className="q-stat">
          <dt>Agreement with the suggestion, shown</dt>
          <dd data-testid="q-anchor-shown">
            {pct(a.shown_agreement_bp)} <span className="muted">({a.shown_agreed} of {a.shown})</span>
          </dd>
        </div>
        <div className="q-stat">
          <dt>Agreement with the suggestion, control items</dt>
          <dd data-testid="q-anchor-control">
            {pct(a.control_agreement_bp)} <span className="muted">({a.control_agreed} of {a.control})</span>
          </dd>
        </div>
        {a.policy === 'after_answer' || a.first_differed > 0 ? (
          <div className="q-stat">
            <dt>First answers changed to the suggestion</dt>
            <dd data-testid="q-anchor-changed">
              {pct(a.changed_toward_bp)} <span className="muted">({a.changed_to_suggestion} of {a.first_differed} that differed)</span>
            </dd>
          </div>
        ) : null}
      </dl>
      <p className="hint">{anchoringReading(a)}</p>
    </section>
  );
}
