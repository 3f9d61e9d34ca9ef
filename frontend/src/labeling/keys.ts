// Keyboard helpers shared by the workbench and the editors.
import type { ChoiceOption, ScalePoint } from './types';

/** Elements where keys type text: the workbench leaves their keys alone. */
export function isTypingTarget(t: EventTarget | null): boolean {
  if (!t || !(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (t as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
  }
  return false;
}

/** The key as one lower-case character when no Ctrl/Cmd/Alt is held, else null. */
export function plainKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): string | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  return e.key.length === 1 ? e.key.toLowerCase() : null;
}

/** Hotkeys of options; the server fills digits in for most types, this mirrors it for unnormalised previews. */
export function choiceHotkeys(opts: readonly { hotkey?: string }[], auto: boolean, reserved: readonly string[] = []): string[] {
  const used = new Set(opts.map((o) => (o.hotkey ?? '').toLowerCase()).filter(Boolean));
  const pool = auto ? '123456789'.split('') : [];
  return opts.map((o) => {
    if (o.hotkey) return o.hotkey.toLowerCase();
    const k = pool.find((d) => !used.has(d) && !reserved.includes(d));
    if (k) used.add(k);
    return k ?? '';
  });
}

/** Letters for moderation categories without hotkeys (digits belong to severities). */
export function letterHotkeys(opts: readonly ChoiceOption[], reserved: readonly string[]): string[] {
  const used = new Set(opts.map((o) => (o.hotkey ?? '').toLowerCase()).filter(Boolean));
  const pool = 'qwetyuopadfghjklzcvnm'.split('').filter((c) => !reserved.includes(c));
  return opts.map((o) => {
    if (o.hotkey) return o.hotkey.toLowerCase();
    const k = pool.find((c) => !used.has(c));
    if (k) used.add(k);
    return k ?? '';
  });
}

/** Keys for scale points: the value itself when every value is a single digit, else 1..9 by position. */
export function scaleKeys(scale: readonly ScalePoint[]): string[] {
  if (scale.every((p) => Number.isInteger(p.value) && p.value >= 0 && p.value <= 9)) return scale.map((p) => String(p.value));
  return scale.map((_, i) => (i < 9 ? String(i + 1) : ''));
}
