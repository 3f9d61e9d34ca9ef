// The conversation value of item data (docs/TASKTYPES.md, "Conversations"):
// reading it tolerantly for display, turn navigation, tool-call formatting,
// and which turns differ between submissions. Pure functions, no React.

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  type?: string;
  function: { name: string; arguments: string };
}

export interface Message {
  /** The stable turn id (the server assigns t<index>); candidates have none. */
  id?: string;
  role: Role;
  content: string;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  weight?: number;
}

/** The conversation keys of a schema (absent when it reads plain fields). */
export interface ConvSchema {
  conversation_field?: string;
  turn?: string;
}

const ROLES: readonly Role[] = ['system', 'user', 'assistant', 'tool'];

/** The schema's conversation field, or '' when it reads plain text fields. */
export function convField(schema: unknown): string {
  const f = (schema as ConvSchema | null)?.conversation_field;
  return typeof f === 'string' ? f : '';
}

/** The schema's turn setting, or the given default when the schema has none. */
export function turnSetting(schema: unknown, dflt: string): string {
  const t = (schema as ConvSchema | null)?.turn;
  return typeof t === 'string' && t ? t : dflt;
}

function toMessage(v: unknown, i: number, withIds: boolean): Message | null {
  if (!v || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  const role = ROLES.includes(m.role as Role) ? (m.role as Role) : null;
  if (!role) return null;
  const out: Message = { role, content: typeof m.content === 'string' ? m.content : '' };
  if (typeof m.id === 'string' && m.id) out.id = m.id;
  else if (withIds) out.id = `t${i}`;
  if (typeof m.name === 'string' && m.name) out.name = m.name;
  if (Array.isArray(m.tool_calls)) {
    out.tool_calls = m.tool_calls
      .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object')
      .map((c, j) => {
        const fn = (c.function ?? {}) as Record<string, unknown>;
        const args = fn.arguments;
        return {
          id: typeof c.id === 'string' ? c.id : `call_${i}_${j}`,
          type: typeof c.type === 'string' ? c.type : 'function',
          function: { name: typeof fn.name === 'string' ? fn.name : '', arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
        };
      });
  }
  if (typeof m.tool_call_id === 'string') out.tool_call_id = m.tool_call_id;
  if (typeof m.weight === 'number') out.weight = m.weight;
  return out;
}

/** A rubric schema over a conversation with turn "each_assistant" (the default there) is answered per turn. */
export function isPerTurnRubric(schema: unknown): boolean {
  return !!convField(schema) && turnSetting(schema, 'each_assistant') === 'each_assistant';
}

/** The messages of data[field]; an absent or malformed value gives []. Missing ids become t<index>, as at import. */
export function messagesOf(data: Record<string, unknown>, field: string): Message[] {
  const v = data[field];
  const arr = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { messages?: unknown }).messages) ? (v as { messages: unknown[] }).messages : [];
  return arr.map((m, i) => toMessage(m, i, true)).filter((m): m is Message => m !== null);
}

/** A candidate next turn: a string is one assistant message; an array is messages (without turn ids). */
export function candidateOf(v: unknown): Message[] {
  if (typeof v === 'string') return [{ role: 'assistant', content: v }];
  if (!Array.isArray(v)) return [];
  return v.map((m, i) => toMessage(m, i, false)).filter((m): m is Message => m !== null);
}

/** Ids of the assistant turns, in conversation order. */
export function assistantIds(msgs: readonly Message[]): string[] {
  return msgs.filter((m) => m.role === 'assistant' && m.id).map((m) => m.id as string);
}

/** Index of the last assistant message, or -1. */
export function lastAssistantIndex(msgs: readonly Message[]): number {
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i].role === 'assistant') return i;
  return -1;
}

/**
 * The turn after (dir 1, key j) or before (dir -1, key k) cur among ids,
 * clamped at both ends; the first id when cur is not among them.
 */
export function stepTurn(ids: readonly string[], cur: string | null | undefined, dir: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const i = cur ? ids.indexOf(cur) : -1;
  if (i < 0) return dir > 0 ? ids[0] : ids[ids.length - 1];
  return ids[Math.max(0, Math.min(ids.length - 1, i + dir))];
}

/** Tool call arguments (JSON text) pretty-printed; text that does not parse is shown as it is. */
export function prettyJSON(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The tool message answering each tool call, by call id (the first one when several do). */
export function resultsByCall(msgs: readonly Message[]): Map<string, Message> {
  const out = new Map<string, Message>();
  for (const m of msgs) if (m.role === 'tool' && m.tool_call_id && !out.has(m.tool_call_id)) out.set(m.tool_call_id, m);
  return out;
}

/** Tool messages that will be shown under their call (the call is in msgs): they are not shown again on their own. */
export function nestedResults(msgs: readonly Message[]): Set<Message> {
  const calls = new Set(msgs.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id)));
  const byCall = resultsByCall(msgs);
  const out = new Set<Message>();
  for (const [id, m] of byCall) if (calls.has(id)) out.add(m);
  return out;
}

/** A one-line description of a candidate for answer lines: its first text, or the tools it calls. */
export function candidateSummary(msgs: readonly Message[], max = 24): string {
  const first = msgs.find((m) => m.role === 'assistant');
  const t = (first?.content ?? '').trim().replace(/\s+/g, ' ');
  if (t) {
    const cps = Array.from(t);
    return `“${cps.length > max ? `${cps.slice(0, max - 1).join('')}…` : t}”`;
  }
  const names = (first?.tool_calls ?? []).map((c) => c.function.name).filter(Boolean);
  return names.length ? `a call to ${names.join(', ')}` : 'an empty turn';
}

/** The role as a reader sees it. */
export function roleLabel(m: Message): string {
  const base = m.role === 'system' ? 'System' : m.role === 'user' ? 'User' : m.role === 'assistant' ? 'Assistant' : 'Tool';
  return m.name ? `${base} · ${m.name}` : base;
}

// ---- per-turn answers and their differences ----

/** One turn of a per-turn rubric answer, as the server stores it. */
export interface TurnEntry {
  scores: Record<string, number>;
  rationale?: string;
  exclude?: boolean;
}

/** The turns map of a per-turn answer ({"turns": {...}}), tolerant of junk. */
export function turnsOf(answer: unknown): Record<string, TurnEntry> {
  const t = (answer as { turns?: unknown } | null)?.turns;
  if (!t || typeof t !== 'object' || Array.isArray(t)) return {};
  const out: Record<string, TurnEntry> = {};
  for (const [id, v] of Object.entries(t as Record<string, unknown>)) {
    if (!v || typeof v !== 'object') continue;
    const e = v as Record<string, unknown>;
    const scores: Record<string, number> = {};
    for (const [c, s] of Object.entries((e.scores ?? {}) as Record<string, unknown>)) if (typeof s === 'number') scores[c] = s;
    out[id] = { scores, ...(typeof e.rationale === 'string' && e.rationale ? { rationale: e.rationale } : {}), ...(e.exclude === true ? { exclude: true } : {}) };
  }
  return out;
}

/** What of a turn entry votes (the rationale does not): scores sorted by criterion, then the exclude mark. */
function voteOf(e: TurnEntry | undefined): string {
  if (!e) return '';
  const scores = Object.keys(e.scores)
    .sort()
    .map((c) => `${c}=${e.scores[c]}`)
    .join(',');
  return `${scores}|${e.exclude ? 'x' : ''}`;
}

/**
 * Turn ids whose per-turn answers differ between submissions (scores or the
 * exclude mark, as the server's disagreement summary counts them), sorted.
 */
export function differingTurns(answers: readonly unknown[]): string[] {
  const per = answers.map(turnsOf);
  const ids = new Set(per.flatMap((t) => Object.keys(t)));
  return [...ids].filter((id) => new Set(per.map((t) => voteOf(t[id]))).size > 1).sort();
}

/** Criteria of one turn whose score differs, from the server's fields named "turn/criterion". */
export function differingCriteria(fields: readonly { name: string; differ?: boolean }[] | null | undefined, turnId: string): Set<string> {
  const out = new Set<string>();
  for (const f of fields ?? []) {
    const slash = f.name.indexOf('/');
    if (slash > 0 && f.name.slice(0, slash) === turnId && f.differ) out.add(f.name.slice(slash + 1));
  }
  return out;
}
