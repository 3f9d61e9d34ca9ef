// Pieces shared by the editors: the item text, a key badge, the answer line.
import type { ReactNode } from 'react';
import { keyLabel } from '../keymap';

export function Kbd({ k }: { k: string }) {
  if (!k) return null;
  return <kbd className="kbd">{keyLabel(k)}</kbd>;
}

export function ItemText({ label, text, className }: { label: string; text: string; className?: string }) {
  return (
    <section className={`item-block ${className ?? ''}`} aria-label={label}>
      <h3 className="item-label">{label}</h3>
      <div className="item-text">{text}</div>
    </section>
  );
}

/** States the current answer in words, and updates screen readers politely. */
export function AnswerLine({ children }: { children: ReactNode }) {
  return (
    <p className="answer-line" role="status" aria-live="polite">
      <span className="answer-line-label">Your answer: </span>
      {children}
    </p>
  );
}

export function labelOf(o: { value: string | number; label?: string }): string {
  return o.label && o.label.trim() ? o.label : String(o.value);
}
