// One task type, two editors: which one an item gets depends on its schema
// (a per-turn rubric over a conversation, or the flat rubric).
import type { Answer } from '../types';
import type { EditorModule, EditorProps } from './types';

export function bySchema<A, B>(pick: (schema: unknown) => boolean, yes: EditorModule<A>, no: EditorModule<B>): EditorModule {
  const m = (schema: unknown) => (pick(schema) ? yes : no) as unknown as EditorModule;
  function Editor(p: EditorProps) {
    const E = m(p.schema).Editor;
    return <E {...p} />;
  }
  return {
    Editor,
    empty: (s, d, c) => m(s).empty(s, d, c),
    from: (s, d, c, saved: Answer) => m(s).from(s, d, c, saved),
    validate: (s, d, a) => m(s).validate(s, d, a),
    toAnswer: (s, d, a) => m(s).toAnswer(s, d, a),
    shortcuts: (s, km) => m(s).shortcuts(s, km),
    confirm: (s, d, a) => m(s).confirm?.(s, d, a) ?? null,
  };
}
