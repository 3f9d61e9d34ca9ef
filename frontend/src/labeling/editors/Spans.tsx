// Text spans (NER). Select with the mouse, or with the keyboard: focus the
// text, move the caret with the arrows (Ctrl+arrow by word), extend with
// Shift+arrow, then press a label key. Offsets are Unicode code points (what
// the server stores), kept on grapheme boundaries so emoji and combining
// marks are never split. Overlapping spans are stacked underlines; each span
// is also a button in the list below, removable with Delete or Backspace.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent as RKeyboardEvent, type ReactElement } from 'react';
import { cpLength, cpSlice, graphemeBoundaries, nextBoundary, prevBoundary, snapToGraphemes, snapToTokens, utf16ToCp, wordBoundary } from '../codepoints';
import { choiceHotkeys } from '../keys';
import { DEFAULT_KEYMAP, keyLabel, keyOf, slotKey, useKeymap } from '../keymap';
import type { SpanLabel, SpansSchema } from '../types';
import { AnswerLine, Kbd, labelOf } from './common';
import { str, type EditorModule, type EditorProps } from './types';

export interface Span {
  start: number;
  end: number;
  label: string;
  text?: string;
}
type SpansAnswer = { spans: Span[] };

const PALETTE = ['#1d5fa8', '#b42318', '#1a6b3c', '#8a4b00', '#6b3fa0', '#0f6e76', '#9a1f61', '#4d5b00'];

export function colorOf(labels: SpanLabel[], value: string): string {
  const i = labels.findIndex((l) => l.value === value);
  return labels[i]?.color || PALETTE[Math.max(0, i) % PALETTE.length];
}

export function sortSpans(spans: Span[]): Span[] {
  return [...spans].sort((a, b) => a.start - b.start || a.end - b.end || a.label.localeCompare(b.label));
}

/** Adds a span; without allow_overlap, spans it overlaps are replaced. */
export function addSpan(spans: Span[], sp: Span, allowOverlap: boolean): Span[] {
  if (spans.some((x) => x.start === sp.start && x.end === sp.end && x.label === sp.label)) return spans;
  const kept = allowOverlap ? spans : spans.filter((x) => x.end <= sp.start || x.start >= sp.end);
  return sortSpans([...kept, sp]);
}

/** Gives each span a track so that overlapping spans get different underline rows. */
export function assignTracks(spans: Span[]): number[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a].start - spans[b].start || spans[b].end - spans[a].end);
  const trackEnds: number[] = [];
  const tracks = new Array<number>(spans.length).fill(0);
  for (const i of order) {
    let t = trackEnds.findIndex((end) => end <= spans[i].start);
    if (t < 0) {
      t = trackEnds.length;
      trackEnds.push(0);
    }
    trackEnds[t] = spans[i].end;
    tracks[i] = t;
  }
  return tracks;
}

/** Maps a DOM point inside the text box to a code-point offset. */
function domPointToCp(root: HTMLElement, node: Node, offset: number, total: number): number | null {
  if (!root.contains(node)) return null;
  if (node.nodeType === Node.TEXT_NODE) {
    const el = node.parentElement?.closest<HTMLElement>('[data-cp]');
    if (!el) return null;
    return Number(el.dataset.cp) + utf16ToCp(node.textContent ?? '', offset);
  }
  const el = node as HTMLElement;
  if (el.dataset?.cp !== undefined) return Number(el.dataset.cp) + (offset > 0 ? cpLength(el.textContent ?? '') : 0);
  const child = el.childNodes[offset] as HTMLElement | undefined;
  const seg = child?.closest?.('[data-cp]') as HTMLElement | null | undefined;
  if (seg?.dataset.cp !== undefined) return Number(seg.dataset.cp);
  return offset === 0 ? 0 : total;
}

export function SpansEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<SpansAnswer>) {
  const s = schema as SpansSchema;
  const text = str(data, s.field ?? 'text');
  const bounds = useMemo(() => graphemeBoundaries(text), [text]);
  const total = bounds[bounds.length - 1];
  const km = useKeymap();
  const keys = choiceHotkeys(s.labels, true).map((k) => slotKey(km, k));
  const [caret, setCaret] = useState(0);
  const [anchor, setAnchor] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);
  const [message, setMessage] = useState('');
  const boxRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  const raw: [number, number] | null = anchor !== null && anchor !== caret ? [Math.min(anchor, caret), Math.max(anchor, caret)] : null;
  // Unless the project asks for character-precise spans, a selection snaps
  // to whole words and never keeps leading or trailing whitespace.
  const sel: [number, number] | null = raw && !s.character_precise ? snapToTokens(text, bounds, raw[0], raw[1]) : raw;

  function label(i: number) {
    if (!sel) {
      setMessage(raw ? 'Only spaces are selected: select a word.' : 'Select some text first, then press a label key.');
      return;
    }
    const l = s.labels[i];
    const sp = { start: sel[0], end: sel[1], label: l.value, text: cpSlice(text, sel[0], sel[1]) };
    onChange({ spans: addSpan(answer.spans, sp, !!s.allow_overlap) });
    setAnchor(null);
    setMessage(`Labelled “${sp.text}” as ${labelOf(l)}.`);
  }

  useEffect(() => {
    keyRef.current = (e) => {
      if (readOnly) return false;
      const k = keyOf(e);
      if (!k) return false;
      const i = keys.indexOf(k);
      if (i < 0) return false;
      label(i);
      return true;
    };
    return () => {
      keyRef.current = null;
    };
  });

  function onBoxKey(e: RKeyboardEvent<HTMLDivElement>) {
    if (readOnly) return;
    const word = e.ctrlKey || e.altKey || e.metaKey;
    let to: number | null = null;
    if (e.key === 'ArrowRight') to = word ? wordBoundary(text, bounds, caret, 1) : nextBoundary(bounds, caret);
    else if (e.key === 'ArrowLeft') to = word ? wordBoundary(text, bounds, caret, -1) : prevBoundary(bounds, caret);
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = total;
    else if (e.key === 'Escape' && anchor !== null) {
      setAnchor(null);
      e.preventDefault();
      return;
    }
    if (to === null) return;
    e.preventDefault();
    if (e.shiftKey) {
      if (anchor === null) setAnchor(caret);
    } else setAnchor(null);
    setCaret(to);
  }

  function onMouseUp() {
    if (readOnly) return;
    const box = boxRef.current;
    const ds = window.getSelection();
    if (!box || !ds || ds.rangeCount === 0 || ds.isCollapsed || !ds.anchorNode || !ds.focusNode) return;
    const a = domPointToCp(box, ds.anchorNode, ds.anchorOffset, total);
    const f = domPointToCp(box, ds.focusNode, ds.focusOffset, total);
    if (a === null || f === null || a === f) return;
    const [st, en] = snapToGraphemes(bounds, Math.min(a, f), Math.max(a, f));
    ds.removeAllRanges();
    setAnchor(st);
    setCaret(en);
    box.focus();
  }

  // Segments: cut the text at every span edge, the selection and the caret.
  const spans = answer.spans;
  const tracks = assignTracks(spans);
  const cuts = new Set<number>([0, total, caret]);
  spans.forEach((x) => {
    cuts.add(x.start);
    cuts.add(x.end);
  });
  if (sel) {
    cuts.add(sel[0]);
    cuts.add(sel[1]);
  }
  const points = [...cuts].filter((c) => c >= 0 && c <= total).sort((a, b) => a - b);
  const segs: ReactElement[] = [];
  for (let i = 0; i < points.length - 1 || (i === 0 && points.length === 1); i++) {
    const st = points[i];
    const en = points[i + 1] ?? st;
    if (focused && st === caret) segs.push(<span key={`c${st}`} className="caret" aria-hidden="true" />);
    if (en <= st) continue;
    const covering = spans.map((x, j) => ({ x, t: tracks[j] })).filter(({ x }) => x.start <= st && x.end >= en);
    const style =
      covering.length > 0
        ? {
            boxShadow: covering
              .sort((p, q) => p.t - q.t)
              .map(({ x, t }) => `inset 0 -${(t + 1) * 4}px 0 ${colorOf(s.labels, x.label)}`)
              .join(', '),
            paddingBottom: `${Math.max(...covering.map((c) => c.t)) * 4 + 6}px`,
            backgroundColor: 'rgba(29, 95, 168, 0.07)',
          }
        : undefined;
    const inSel = sel && st >= sel[0] && en <= sel[1];
    segs.push(
      <span key={st} data-cp={st} className={inSel ? 'seg seg-sel' : 'seg'} style={style}>
        {cpSlice(text, st, en)}
      </span>,
    );
  }
  if (focused && caret === total && total > 0) segs.push(<span key="cend" className="caret" aria-hidden="true" />);

  function removeAt(i: number) {
    const gone = spans[i];
    onChange({ spans: spans.filter((_, j) => j !== i) });
    setMessage(`Removed ${labelOf(s.labels.find((l) => l.value === gone.label) ?? { value: gone.label })} “${gone.text ?? cpSlice(text, gone.start, gone.end)}”.`);
    requestAnimationFrame(() => {
      const btns = listRef.current?.querySelectorAll<HTMLButtonElement>('button.span-chip');
      if (btns && btns.length) btns[Math.min(i, btns.length - 1)].focus();
      else boxRef.current?.focus();
    });
  }

  return (
    <div className="editor editor-spans">
      <div className="span-labels" aria-label="Labels">
        {s.labels.map((l, i) => (
          <button
            type="button"
            key={l.value}
            className="btn btn-small span-label-btn"
            disabled={readOnly}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => label(i)}
            title={l.description}
          >
            <span className="swatch" style={{ backgroundColor: colorOf(s.labels, l.value) }} aria-hidden="true" />
            {labelOf(l)} <Kbd k={keys[i]} />
          </button>
        ))}
      </div>
      <h3 className="item-label" id="span-text-label">
        Text
      </h3>
      <div
        ref={boxRef}
        className="item-text span-text"
        role="textbox"
        aria-readonly="true"
        aria-multiline="true"
        aria-labelledby="span-text-label"
        aria-describedby="span-help"
        tabIndex={0}
        onKeyDown={onBoxKey}
        onMouseUp={onMouseUp}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        data-testid="span-text"
        data-autofocus
      >
        {segs}
      </div>
      <p className="hint" id="span-help">
        Select with the mouse, or focus the text and use arrows (Shift+arrow selects, Ctrl+arrow jumps words), then press a label key.
      </p>
      <p className="hint" role="status" aria-live="polite">
        {sel ? `Selected “${cpSlice(text, sel[0], sel[1])}” (characters ${sel[0]}–${sel[1]}).` : message}
      </p>
      <h3 className="item-label">Spans ({spans.length})</h3>
      {spans.length === 0 ? (
        <AnswerLine>no spans (nothing to label in this text)</AnswerLine>
      ) : (
        <>
          <ul className="span-list" ref={listRef} aria-label="Labelled spans">
            {spans.map((x, i) => {
              const l = s.labels.find((y) => y.value === x.label) ?? { value: x.label };
              return (
                <li key={`${x.start}-${x.end}-${x.label}`}>
                  <button
                    type="button"
                    className="span-chip"
                    disabled={readOnly}
                    aria-describedby="span-chip-help"
                    onKeyDown={(e) => {
                      if (e.key === 'Delete' || e.key === 'Backspace') {
                        e.preventDefault();
                        removeAt(i);
                      }
                    }}
                  >
                    <span className="swatch" style={{ backgroundColor: colorOf(s.labels, x.label) }} aria-hidden="true" />
                    <strong>{labelOf(l)}</strong> “{x.text ?? cpSlice(text, x.start, x.end)}” <span className="muted small">{x.start}–{x.end}</span>
                  </button>
                  <button type="button" className="btn btn-small" disabled={readOnly} onClick={() => removeAt(i)}>
                    Remove<span className="visually-hidden"> {labelOf(l)} “{x.text ?? cpSlice(text, x.start, x.end)}”</span> <Kbd k="Del" />
                  </button>
                </li>
              );
            })}
          </ul>
          <p className="visually-hidden" id="span-chip-help">
            Press Delete to remove the focused span.
          </p>
          <AnswerLine>
            {spans.length} span{spans.length === 1 ? '' : 's'}
          </AnswerLine>
        </>
      )}
    </div>
  );
}

export const spans: EditorModule<SpansAnswer> = {
  Editor: SpansEditor,
  empty: () => ({ spans: [] }),
  from: (schema, data, _c, saved) => {
    const s = schema as SpansSchema;
    const text = str(data, s.field ?? 'text');
    const n = cpLength(text);
    const list = Array.isArray(saved.spans) ? (saved.spans as Span[]) : [];
    return {
      spans: sortSpans(
        list
          .filter((x) => x && Number.isInteger(x.start) && Number.isInteger(x.end) && x.start >= 0 && x.end <= n && x.start < x.end && s.labels.some((l) => l.value === x.label))
          .map((x) => ({ start: x.start, end: x.end, label: x.label, text: cpSlice(text, x.start, x.end) })),
      ),
    };
  },
  validate: () => null,
  toAnswer: (schema, data, a) => {
    const text = str(data, (schema as SpansSchema).field ?? 'text');
    return { spans: a.spans.map((x) => ({ start: x.start, end: x.end, label: x.label, text: cpSlice(text, x.start, x.end) })) };
  },
  shortcuts: (schema, km = DEFAULT_KEYMAP) => {
    const s = schema as SpansSchema;
    const keys = choiceHotkeys(s.labels, true).map((k) => slotKey(km, k));
    return [
      { keys: '← →', action: 'Move the caret (text focused)' },
      { keys: 'Shift + ← →', action: 'Extend the selection' },
      { keys: 'Ctrl + ← →', action: 'Move by word' },
      ...s.labels.map((l, i) => ({ keys: keyLabel(keys[i]), action: `Label the selection “${labelOf(l)}”` })).filter((x) => x.keys),
      { keys: 'Delete / Backspace', action: 'Remove the focused span' },
    ];
  },
};
