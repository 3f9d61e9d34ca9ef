// Pairwise preference and ranking of model responses.
import { useEffect, useState, type DragEvent } from 'react';
import { candidateOf, candidateSummary, convField, messagesOf } from '../conversation';
import { DEFAULT_KEYMAP, keyLabel, keyOf, slotKey, useKeymap } from '../keymap';
import type { Answer, PairwiseSchema, RankingSchema } from '../types';
import { AnswerLine, ItemText, Kbd } from './common';
import { Transcript } from './Conversation';
import { str, type EditorContext, type EditorModule, type EditorProps } from './types';

/** FNV-1a, 32 bits: a stable hash for choosing the left/right order. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Left/right order for a labeller and an item: deterministic, about half "ba". */
export function shownOrder(ctx: EditorContext): 'ab' | 'ba' {
  return fnv1a(`${ctx.memberId}:${ctx.itemId}`) % 2 === 0 ? 'ab' : 'ba';
}

// ---- pairwise ----

type PairAnswer = { choice?: 'a' | 'b' | 'tie' | 'both_bad'; strength?: number; rationale: string; shown_order: 'ab' | 'ba' };

const STRENGTHS = ['Slightly', 'Clearly', 'Much'];

function PairwiseEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<PairAnswer>) {
  const s = schema as PairwiseSchema;
  const allowTie = s.allow_tie ?? true;
  const allowBad = s.allow_both_bad ?? true;
  const rationale = s.rationale ?? 'optional';
  const prompt = str(data, s.prompt_field ?? 'prompt');
  // Left is what the labeller calls "A"; underneath it may be response b.
  const left: 'a' | 'b' = answer.shown_order === 'ba' ? 'b' : 'a';
  const right: 'a' | 'b' = left === 'a' ? 'b' : 'a';
  const fieldOf = (x: 'a' | 'b') => (x === 'a' ? (s.a_field ?? 'response_a') : (s.b_field ?? 'response_b'));
  const textOf = (x: 'a' | 'b') => str(data, fieldOf(x));
  // Over a conversation: the shared history, then each candidate next turn.
  const conv = convField(s);
  const pick = (c: PairAnswer['choice']) => onChange({ ...answer, choice: c, strength: c === 'a' || c === 'b' ? answer.strength : undefined });
  const km = useKeymap();
  const strengthKeys = ['1', '2', '3'].map((d) => slotKey(km, d));
  useEffect(() => {
    keyRef.current = (e) => {
      if (readOnly) return false;
      const k = keyOf(e);
      const strength = strengthKeys.indexOf(k) + 1;
      if (!k) return false;
      if (k === km.pair_left) pick(left);
      else if (k === km.pair_right) pick(right);
      else if (k === km.pair_tie && allowTie) pick('tie');
      else if (k === km.pair_both_bad && allowBad) pick('both_bad');
      else if (s.strength && strength > 0 && (answer.choice === 'a' || answer.choice === 'b')) onChange({ ...answer, strength });
      else return false;
      return true;
    };
    return () => {
      keyRef.current = null;
    };
  });
  const shown = (c: PairAnswer['choice']) =>
    c === left ? 'A (left) is better' : c === right ? 'B (right) is better' : c === 'tie' ? 'a tie: both equally good' : c === 'both_bad' ? 'both are bad' : '';
  return (
    <div className="editor editor-pairwise">
      {conv ? <Transcript messages={messagesOf(data, conv)} label="Conversation so far" /> : prompt && <ItemText label="Prompt" text={prompt} />}
      <div className="pair">
        {(['A', 'B'] as const).map((name, i) => {
          const x = i === 0 ? left : right;
          return (
            <section key={name} className={`pair-side ${answer.choice === x ? 'pair-chosen' : ''}`} aria-label={`${conv ? 'Next turn' : 'Response'} ${name}`}>
              <h3 className="item-label">
                {conv ? 'Next turn' : 'Response'} {name} {i === 0 ? '(left)' : '(right)'}
              </h3>
              {conv ? (
                <Transcript compact messages={candidateOf(data[fieldOf(x)])} label={`Next turn ${name}`} />
              ) : (
                <div className="item-text">{textOf(x)}</div>
              )}
            </section>
          );
        })}
      </div>
      <fieldset className="choices choices-row">
        <legend>{conv ? 'Which next turn is better?' : 'Which response is better?'}</legend>
        {(
          [
            ['A is better', left, km.pair_left],
            ['B is better', right, km.pair_right],
            ...(allowTie ? [['Tie', 'tie', km.pair_tie]] : []),
            ...(allowBad ? [['Both bad', 'both_bad', km.pair_both_bad]] : []),
          ] as [string, PairAnswer['choice'], string][]
        ).map(([lbl, c, k]) => (
          <label key={k} className={`choice ${answer.choice === c ? 'choice-on' : ''}`}>
            <input type="radio" name="pair-choice" checked={answer.choice === c} disabled={readOnly} onChange={() => pick(c)} />
            <span className="choice-text">{lbl}</span>
            <Kbd k={k} />
          </label>
        ))}
      </fieldset>
      {s.strength && (answer.choice === 'a' || answer.choice === 'b') && (
        <fieldset className="choices choices-row">
          <legend>How much better?</legend>
          {STRENGTHS.map((lbl, i) => (
            <label key={lbl} className={`choice ${answer.strength === i + 1 ? 'choice-on' : ''}`}>
              <input type="radio" name="pair-strength" checked={answer.strength === i + 1} disabled={readOnly} onChange={() => onChange({ ...answer, strength: i + 1 })} />
              <span className="choice-text">{lbl}</span>
              <Kbd k={strengthKeys[i]} />
            </label>
          ))}
        </fieldset>
      )}
      {rationale !== 'off' && (
        <div className="field">
          <label htmlFor="pair-rationale">Rationale{rationale === 'required' ? ' (required)' : ' (optional)'}</label>
          <textarea
            id="pair-rationale"
            rows={3}
            value={answer.rationale}
            readOnly={readOnly}
            aria-describedby="pair-rationale-hint"
            onChange={(e) => onChange({ ...answer, rationale: e.target.value })}
          />
          <p className="hint" id="pair-rationale-hint">
            Ctrl+Enter submits from here; Esc leaves the box.
          </p>
        </div>
      )}
      <AnswerLine>
        {answer.choice ? shown(answer.choice) : <span className="muted">no choice yet</span>}
        {answer.strength && (answer.choice === 'a' || answer.choice === 'b') ? ` (${STRENGTHS[answer.strength - 1].toLowerCase()})` : ''}
      </AnswerLine>
    </div>
  );
}

export const pairwise: EditorModule<PairAnswer> = {
  Editor: PairwiseEditor,
  empty: (_s, _d, ctx) => ({ rationale: '', shown_order: shownOrder(ctx) }),
  from: (_s, _d, ctx, saved) => {
    const c = saved.choice;
    return {
      choice: c === 'a' || c === 'b' || c === 'tie' || c === 'both_bad' ? c : undefined,
      strength: typeof saved.strength === 'number' ? saved.strength : undefined,
      rationale: typeof saved.rationale === 'string' ? saved.rationale : '',
      shown_order: saved.shown_order === 'ab' || saved.shown_order === 'ba' ? saved.shown_order : shownOrder(ctx),
    };
  },
  validate: (schema, _d, a) => {
    const s = schema as PairwiseSchema;
    if (!a.choice) return 'Choose A, B' + ((s.allow_tie ?? true) ? ', tie' : '') + ((s.allow_both_bad ?? true) ? ' or both bad' : '') + '.';
    if ((s.rationale ?? 'optional') === 'required' && !a.rationale.trim()) return 'Write a short rationale.';
    return null;
  },
  toAnswer: (schema, _d, a) => {
    const s = schema as PairwiseSchema;
    const out: Answer = { choice: a.choice, shown_order: a.shown_order };
    if (s.strength && a.strength && (a.choice === 'a' || a.choice === 'b')) out.strength = a.strength;
    if ((s.rationale ?? 'optional') !== 'off' && a.rationale.trim()) out.rationale = a.rationale.trim();
    return out;
  },
  shortcuts: (schema, km = DEFAULT_KEYMAP) => {
    const s = schema as PairwiseSchema;
    const strength = ['1', '2', '3'].map((d) => keyLabel(slotKey(km, d))).join(' / ');
    return [
      { keys: keyLabel(km.pair_left), action: 'Left response (A) is better' },
      { keys: keyLabel(km.pair_right), action: 'Right response (B) is better' },
      ...((s.allow_tie ?? true) ? [{ keys: keyLabel(km.pair_tie), action: 'Tie' }] : []),
      ...((s.allow_both_bad ?? true) ? [{ keys: keyLabel(km.pair_both_bad), action: 'Both bad' }] : []),
      ...(s.strength ? [{ keys: strength, action: 'Strength: slightly / clearly / much better' }] : []),
    ];
  },
};

// ---- ranking ----

type RankAnswer = { ranking: string[][]; shown_order: string[] };

/** The order a labeller first sees an item's responses in: shuffled, stable per labeller and item. */
export function shuffledIds(ids: readonly string[], ctx: EditorContext): string[] {
  const out = [...ids];
  let h = fnv1a(`${ctx.memberId}:${ctx.itemId}:ranking`);
  for (let i = out.length - 1; i > 0; i--) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h ^ (h >>> 12)) >>> 0;
    const j = h % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A short quote of a response for the answer line (internal ids stay hidden). */
export function quoteOf(r: Resp | undefined, n: number): string {
  if (r?.messages !== undefined) return candidateSummary(candidateOf(r.messages));
  const t = (r?.title || r?.text || r?.body || '').trim().replace(/\s+/g, ' ');
  if (!t) return `response ${n}`;
  return `“${t.length > 24 ? `${t.slice(0, 23)}…` : t}”`;
}
interface Resp {
  id: string;
  text?: string;
  title?: string;
  body?: string;
  /** A candidate next turn of a conversation (messages). */
  messages?: unknown;
}

export function responsesOf(schema: RankingSchema, data: Record<string, unknown>): Resp[] {
  const v = data[schema.responses_field ?? 'responses'];
  return Array.isArray(v) ? (v.filter((r) => r && typeof r === 'object' && typeof (r as Resp).id === 'string') as Resp[]) : [];
}

function tierOf(r: string[][], id: string) {
  return r.findIndex((t) => t.includes(id));
}

/** Moves id one place up (dir -1) or down (+1). A tied item first leaves its tier. */
export function moveItem(r: string[][], id: string, dir: -1 | 1): string[][] {
  const t = tierOf(r, id);
  if (t < 0) return r;
  const out = r.map((x) => [...x]);
  if (out[t].length > 1) {
    out[t] = out[t].filter((x) => x !== id);
    out.splice(dir < 0 ? t : t + 1, 0, [id]);
    return out;
  }
  const u = t + dir;
  if (u < 0 || u >= out.length) return r;
  [out[t], out[u]] = [out[u], out[t]];
  return out;
}

/** Ties id with the tier above; if it is already tied, unties it (own tier below). */
export function toggleTie(r: string[][], id: string): string[][] {
  const t = tierOf(r, id);
  if (t < 0) return r;
  const out = r.map((x) => [...x]);
  if (out[t].length > 1) {
    out[t] = out[t].filter((x) => x !== id);
    out.splice(t + 1, 0, [id]);
    return out;
  }
  if (t === 0) return r;
  out[t - 1].push(id);
  out.splice(t, 1);
  return out;
}

/** Drops id into tier index `to` as its own tier (before it), or into it when tie is set. */
export function dropItem(r: string[][], id: string, to: number, tie: boolean): string[][] {
  const from = tierOf(r, id);
  if (from < 0) return r;
  const out = r.map((x) => x.filter((y) => y !== id));
  let target = to;
  if (out[from].length === 0) {
    out.splice(from, 1);
    if (from < to) target--;
  }
  target = Math.max(0, Math.min(target, out.length));
  if (tie && target < out.length) out[target].push(id);
  else out.splice(target, 0, [id]);
  return out;
}

function RankingEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<RankAnswer>) {
  const s = schema as RankingSchema;
  const allowTies = s.allow_ties ?? true;
  const resps = responsesOf(s, data);
  const byId = new Map(resps.map((r) => [r.id, r]));
  const flat = answer.ranking.flat();
  const [sel, setSel] = useState<string | null>(flat[0] ?? null);
  const [drag, setDrag] = useState<string | null>(null);
  const prompt = str(data, s.prompt_field ?? 'prompt');
  const km = useKeymap();
  useEffect(() => {
    keyRef.current = (e) => {
      if (readOnly || e.ctrlKey || e.metaKey) return false;
      const i = sel ? flat.indexOf(sel) : -1;
      // Arrows always; the member's keys too, Shift or Alt moving instead of selecting.
      const bare = keyOf({ ...e, key: e.key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false });
      const up = e.key === 'ArrowUp' || bare === km.rank_up;
      const down = e.key === 'ArrowDown' || bare === km.rank_down;
      if ((up || down) && (e.shiftKey || e.altKey) && sel) {
        onChange({ ...answer, ranking: moveItem(answer.ranking, sel, up ? -1 : 1) });
        return true;
      }
      if (up || down) {
        const j = i < 0 ? 0 : Math.max(0, Math.min(flat.length - 1, i + (up ? -1 : 1)));
        setSel(flat[j] ?? null);
        return true;
      }
      if (keyOf(e) === km.rank_tie && allowTies && sel) {
        onChange({ ...answer, ranking: toggleTie(answer.ranking, sel) });
        return true;
      }
      return false;
    };
    return () => {
      keyRef.current = null;
    };
  });
  function onDrop(e: DragEvent, t: number, tie: boolean) {
    e.preventDefault();
    const id = drag ?? e.dataTransfer.getData('text/plain');
    setDrag(null);
    if (id && byId.has(id)) onChange({ ...answer, ranking: dropItem(answer.ranking, id, t, tie && allowTies) });
  }
  return (
    <div className="editor editor-ranking">
      {convField(s) ? <Transcript messages={messagesOf(data, convField(s))} label="Conversation so far" /> : prompt && <ItemText label="Prompt" text={prompt} />}
      <h3 className="item-label" id="rank-label">
        Ranking, best first
      </h3>
      <p className="hint">
        Select with ↑/↓, move with Shift+↑/↓ (or Alt), {allowTies ? `${keyLabel(km.rank_tie)} ties with the one above or unties, ` : ''}or drag and drop
        {allowTies ? ' (drop on a card to tie with it, between cards to place)' : ''}.
      </p>
      <ol className="rank-list" aria-labelledby="rank-label">
        {answer.ranking.map((tier, t) => (
          <li key={tier.join('|')} className="rank-tier">
            <div className="rank-drop" onDragOver={(e) => e.preventDefault()} onDrop={(e) => onDrop(e, t, false)} aria-hidden="true" />
            <div className="rank-tier-body">
              <span className="rank-no" aria-hidden="true">
                {t + 1}
              </span>
              <ul className="rank-items">
                {tier.map((id) => {
                  const r = byId.get(id);
                  return (
                    <li
                      key={id}
                      className={`rank-item ${sel === id ? 'rank-sel' : ''}`}
                      draggable={!readOnly}
                      aria-current={sel === id ? 'true' : undefined}
                      onDragStart={(e) => {
                        setDrag(id);
                        e.dataTransfer.setData('text/plain', id);
                      }}
                      onDragOver={(e) => e.preventDefault()}
                      onDrop={(e) => onDrop(e, t, true)}
                      onClick={() => setSel(id)}
                    >
                      <span className="visually-hidden">
                        Rank {t + 1}
                        {tier.length > 1 ? ' (tied)' : ''}:{' '}
                      </span>
                      {r?.title && <strong className="rank-title">{r.title}</strong>}
                      {r?.messages !== undefined ? (
                        <Transcript compact messages={candidateOf(r.messages)} label={`Candidate ${answer.shown_order.indexOf(id) + 1}`} />
                      ) : (
                        <span className="rank-text">{r?.text ?? r?.body ?? id}</span>
                      )}
                      {r?.title && r.body && r.text && <span className="rank-text">{r.body}</span>}
                    </li>
                  );
                })}
              </ul>
            </div>
          </li>
        ))}
        <li className="rank-tier rank-tail" aria-hidden="true">
          <div className="rank-drop" onDragOver={(e) => e.preventDefault()} onDrop={(e) => onDrop(e, answer.ranking.length, false)} />
        </li>
      </ol>
      <AnswerLine>
        {answer.ranking
          .map((t) =>
            t
              .map((id) => quoteOf(byId.get(id), answer.shown_order.indexOf(id) + 1))
              .join(' = '),
          )
          .join(' > ')}
      </AnswerLine>
    </div>
  );
}

export const ranking: EditorModule<RankAnswer> = {
  Editor: RankingEditor,
  empty: (schema, data, ctx) => {
    const shown = shuffledIds(
      responsesOf(schema as RankingSchema, data).map((r) => r.id),
      ctx,
    );
    return { ranking: shown.map((id) => [id]), shown_order: shown };
  },
  from: (schema, data, ctx, saved) => {
    const ids = responsesOf(schema as RankingSchema, data).map((r) => r.id);
    const savedShown = Array.isArray(saved.shown_order) ? (saved.shown_order as unknown[]) : null;
    const shown =
      savedShown && savedShown.length === ids.length && ids.every((x) => savedShown.includes(x)) ? (savedShown as string[]) : shuffledIds(ids, ctx);
    const seen = new Set<string>();
    const tiers: string[][] = [];
    if (Array.isArray(saved.ranking)) {
      for (const t of saved.ranking as unknown[]) {
        if (!Array.isArray(t)) continue;
        const tier = t.filter((x): x is string => typeof x === 'string' && ids.includes(x) && !seen.has(x));
        tier.forEach((x) => seen.add(x));
        if (tier.length) tiers.push(tier);
      }
    }
    shown.filter((x) => !seen.has(x)).forEach((x) => tiers.push([x]));
    return { ranking: tiers, shown_order: shown };
  },
  validate: (schema, data, a) => {
    const ids = responsesOf(schema as RankingSchema, data).map((r) => r.id);
    const flat = a.ranking.flat();
    if (flat.length !== ids.length || ids.some((x) => !flat.includes(x))) return 'Rank every response exactly once.';
    if (!((schema as RankingSchema).allow_ties ?? true) && a.ranking.some((t) => t.length > 1)) return 'Ties are not allowed in this project.';
    return null;
  },
  toAnswer: (_s, _d, a) => ({ ranking: a.ranking.map((t) => [...t]), shown_order: [...a.shown_order] }),
  confirm: (_s, _d, a) =>
    a.ranking.every((t, i) => t.length === 1 && t[0] === a.shown_order[i])
      ? { question: 'You have not moved any response: the ranking is the order they were shown in. Submit it as it is?', action: 'Submit the order as shown' }
      : null,
  shortcuts: (schema, km = DEFAULT_KEYMAP) => [
    { keys: `↑ / ↓ (or ${keyLabel(km.rank_up)} / ${keyLabel(km.rank_down)})`, action: 'Select a response' },
    { keys: 'Shift + ↑ / ↓ (or Alt)', action: 'Move the selected response up or down' },
    ...(((schema as RankingSchema).allow_ties ?? true) ? [{ keys: keyLabel(km.rank_tie), action: 'Tie with the response above / untie' }] : []),
  ],
};
