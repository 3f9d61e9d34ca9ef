// Spans over a conversation (spans schema with conversation_field): the
// transcript for context, then the span editor on one turn at a time. J/K
// (the member's turn_next / turn_prev keys) move between turns, unless a
// label's own hotkey takes the key; offsets are code points inside that turn's content,
// and every span carries its turn_id (docs/TASKTYPES.md, "Answers per turn").
import { useEffect, useRef, useState } from 'react';
import { cpLength, cpSlice } from '../codepoints';
import { convField, messagesOf, roleLabel, stepTurn, type Message } from '../conversation';
import { choiceHotkeys } from '../keys';
import { DEFAULT_KEYMAP, keyLabel, keyOf, slotKey, useKeymap, type Keymap } from '../keymap';
import type { SpansSchema } from '../types';
import { Transcript } from './Conversation';
import { bySchema } from './dispatch';
import { spans, SpansEditor, type Span } from './Spans';
import type { EditorModule, EditorProps, KeyHandler } from './types';

export interface TurnSpan extends Span {
  turn_id: string;
}
type TurnSpansAnswer = { spans: TurnSpan[] };

const TURN_FIELD = 'turn_text';

/** Messages whose text can carry spans (they have an id and content). */
export function labellableTurns(msgs: readonly Message[]): Message[] {
  return msgs.filter((m) => m.id && m.content);
}

/** Spans in conversation order: by the turn's position, then start, end, label (the server's normalised order). */
export function sortTurnSpans(msgs: readonly Message[], spans: readonly TurnSpan[]): TurnSpan[] {
  const pos = new Map(msgs.map((m, i) => [m.id, i]));
  return [...spans].sort((a, b) => (pos.get(a.turn_id) ?? 0) - (pos.get(b.turn_id) ?? 0) || a.start - b.start || a.end - b.end || a.label.localeCompare(b.label));
}

function TurnSpansEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<TurnSpansAnswer>) {
  const s = schema as SpansSchema;
  const msgs = messagesOf(data, convField(s));
  const turns = labellableTurns(msgs);
  const ids = turns.map((m) => m.id as string);
  const [cur, setCur] = useState<string | null>(() => turns.find((m) => m.role !== 'system')?.id ?? ids[0] ?? null);
  const inner = useRef<KeyHandler | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const go = (id: string | null) => {
    moved.current = true;
    setCur(id);
  };
  // After moving to another turn, the keyboard goes on in that turn's text.
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    rootRef.current?.querySelector<HTMLElement>('[data-testid="span-text"]')?.focus();
  }, [cur]);
  const km = useKeymap();
  const labelKeys = labelKeysOf(s, km);
  const m = turns.find((t) => t.id === cur);
  useEffect(() => {
    keyRef.current = (e) => {
      const k = keyOf(e);
      if ((k === km.turn_next || k === km.turn_prev) && !labelKeys.includes(k)) {
        go(stepTurn(ids, cur, k === km.turn_next ? 1 : -1));
        return true;
      }
      return inner.current?.(e) ?? false;
    };
    return () => {
      keyRef.current = null;
    };
  });
  const own = answer.spans.filter((x) => x.turn_id === cur);
  const count = (id: string) => answer.spans.filter((x) => x.turn_id === id).length;
  return (
    <div className="editor editor-spans editor-turns" ref={rootRef}>
      <Transcript
        messages={msgs}
        active={cur}
        extra={(t) => (t.id && count(t.id) ? <p className="muted small">{count(t.id)} span{count(t.id) === 1 ? '' : 's'} in this turn</p> : null)}
      />
      <div className="turn-pick" role="group" aria-label={`Turn to label (${keyLabel(km.turn_next)} / ${keyLabel(km.turn_prev)})`}>
        {turns.map((t, i) => (
          <button type="button" key={t.id} className={`btn btn-small ${t.id === cur ? 'btn-primary' : ''}`} aria-pressed={t.id === cur} onClick={() => go(t.id as string)}>
            {i + 1}. {roleLabel(t)}
          </button>
        ))}
      </div>
      {m ? (
        <section aria-label={`Spans in turn ${ids.indexOf(m.id as string) + 1}`}>
          <SpansEditor
            key={m.id}
            schema={{ ...s, field: TURN_FIELD, conversation_field: undefined }}
            data={{ [TURN_FIELD]: m.content }}
            answer={{ spans: own }}
            onChange={(a) =>
              onChange({ spans: sortTurnSpans(msgs, [...answer.spans.filter((x) => x.turn_id !== cur), ...a.spans.map((x) => ({ ...x, turn_id: m.id as string }))]) })
            }
            keyRef={inner}
            readOnly={readOnly}
          />
        </section>
      ) : (
        <p className="muted">This conversation has no text to label.</p>
      )}
    </div>
  );
}

/** The keys of the span labels as the member presses them (a label's own hotkey wins over a turn key). */
function labelKeysOf(s: SpansSchema, km: Keymap): string[] {
  return choiceHotkeys(s.labels, true).map((k) => slotKey(km, k));
}

export const turnSpans: EditorModule<TurnSpansAnswer> = {
  Editor: TurnSpansEditor,
  empty: () => ({ spans: [] }),
  from: (schema, data, _c, saved) => {
    const s = schema as SpansSchema;
    const msgs = messagesOf(data, convField(s));
    const byId = new Map(msgs.map((m) => [m.id, m]));
    const list = Array.isArray(saved.spans) ? (saved.spans as TurnSpan[]) : [];
    const ok = list.filter((x) => {
      const m = x && byId.get(x.turn_id);
      return m && Number.isInteger(x.start) && Number.isInteger(x.end) && x.start >= 0 && x.start < x.end && x.end <= cpLength(m.content) && s.labels.some((l) => l.value === x.label);
    });
    return { spans: sortTurnSpans(msgs, ok.map((x) => ({ turn_id: x.turn_id, start: x.start, end: x.end, label: x.label, text: cpSlice(byId.get(x.turn_id)!.content, x.start, x.end) }))) };
  },
  validate: () => null,
  toAnswer: (schema, data, a) => {
    const msgs = messagesOf(data, convField(schema));
    const byId = new Map(msgs.map((m) => [m.id, m]));
    return {
      spans: sortTurnSpans(msgs, a.spans).map((x) => ({ turn_id: x.turn_id, start: x.start, end: x.end, label: x.label, text: cpSlice(byId.get(x.turn_id)?.content ?? '', x.start, x.end) })),
    };
  },
  shortcuts: (schema, km = DEFAULT_KEYMAP) => {
    const keys = labelKeysOf(schema as SpansSchema, km);
    const turn = [km.turn_next, km.turn_prev].filter((k) => !keys.includes(k));
    return [...(turn.length ? [{ keys: turn.map(keyLabel).join(' / '), action: turn.length === 2 ? 'Next / previous turn' : turn[0] === km.turn_next ? 'Next turn' : 'Previous turn' }] : []), ...spans.shortcuts(schema, km)];
  },
};

/** The spans task type: per turn over a conversation, else the plain editor. */
export const spansAny = bySchema((schema) => !!convField(schema), turnSpans, spans);
