// Models' suggestions on the workbench (docs/MODELS.md, "Suggestions"):
// who suggested and how sure it was, and, under the after_answer policy,
// how the suggestion differs from the labeller's own first answer. Every
// value is rendered as text (no markup from data).
import type { Answer, SuggestionMeta } from './types';

/** "Suggested by qwen-7b · 82 % confident" (or "by an imported prediction"). */
export function suggestedBy(meta: SuggestionMeta | null | undefined): string {
  const who = meta?.model ? meta.model : meta?.source === 'endpoint' ? 'a model' : 'an imported prediction';
  const conf = typeof meta?.confidence === 'number' ? ` · ${Math.round(meta.confidence / 100)} % confident` : '';
  return `Suggested by ${who}${conf}`;
}

/** The parts of an answer a labeller compares: labels, severity, spans. */
export function answerParts(a: Answer | null | undefined): string[] {
  if (!a) return [];
  const out: string[] = [];
  if (typeof a.choice === 'string') out.push(a.choice);
  for (const key of ['choices', 'categories'] as const) {
    const v = a[key];
    if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(x);
  }
  if (typeof a.severity === 'number') out.push(`severity ${a.severity}`);
  if (Array.isArray(a.spans)) {
    for (const s of a.spans as { label?: unknown; text?: unknown; start?: unknown }[]) {
      if (s && typeof s.label === 'string') out.push(`${s.label}: “${typeof s.text === 'string' ? s.text : s.start}”`);
    }
  }
  return out;
}

export interface PartDiff {
  part: string;
  /** in both; only the suggestion has it; only the labeller's answer has it */
  kind: 'same' | 'added' | 'removed';
}

/** The difference between the labeller's answer and the suggestion, part by part. */
export function diffParts(mine: Answer | null | undefined, suggestion: Answer | null | undefined): PartDiff[] {
  const a = answerParts(mine);
  const b = answerParts(suggestion);
  const out: PartDiff[] = [];
  for (const p of b) out.push({ part: p, kind: a.includes(p) ? 'same' : 'added' });
  for (const p of a) if (!b.includes(p)) out.push({ part: p, kind: 'removed' });
  return out;
}

/** The marker over an up-front suggestion. */
export function SuggestionNote({ meta }: { meta: SuggestionMeta | null | undefined }) {
  return (
    <p className="wb-suggestion hint" data-suggestion="up_front">
      {suggestedBy(meta)} — check it as you would your own answer.
    </p>
  );
}

/** After the first answer: the suggestion, and how it differs. */
export function SuggestionReveal({ mine, suggestion, meta, matches }: { mine: Answer; suggestion: Answer; meta: SuggestionMeta | null | undefined; matches: boolean }) {
  const diff = diffParts(mine, suggestion);
  return (
    <section className="alert wb-reveal" aria-label="Suggestion" data-suggestion="after_answer" role="status">
      <p>
        <strong>{suggestedBy(meta)}.</strong>{' '}
        {matches ? 'It agrees with your first answer.' : 'It differs from your first answer: keep yours, or change it before you submit.'}
      </p>
      {!matches && (
        <ul className="wb-diff">
          {diff.map((d, i) => (
            <li key={i} className={`wb-diff-${d.kind}`}>
              {d.kind === 'added' ? 'Suggested: ' : d.kind === 'removed' ? 'Only yours: ' : 'Both: '}
              {d.part}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
