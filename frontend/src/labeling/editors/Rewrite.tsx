// Rewrite: edit a copy of the original; a word-level diff shows the change.
import { useMemo } from 'react';
import { cpLength } from '../codepoints';
import { diffWords } from '../diff';
import { convField, lastAssistantIndex, messagesOf, turnSetting, type Message } from '../conversation';
import type { ItemData, RewriteSchema } from '../types';
import { AnswerLine, ItemText } from './common';
import { Transcript } from './Conversation';
import { str, type EditorModule, type EditorProps } from './types';

type RewriteAnswer = { text: string };

/** The conversation of a rewrite item and the index of the turn rewritten (-1 for turn "next": a new turn is written). */
export function rewriteTurn(s: RewriteSchema, data: ItemData): { messages: Message[]; index: number } {
  const messages = messagesOf(data, convField(s));
  return { messages, index: turnSetting(s, 'last_assistant') === 'last_assistant' ? lastAssistantIndex(messages) : -1 };
}

export function DiffView({ before, after, label = 'Changes' }: { before: string; after: string; label?: string }) {
  const parts = useMemo(() => diffWords(before, after), [before, after]);
  return (
    <section className="item-block" aria-label={label}>
      <h3 className="item-label">{label}</h3>
      <div className="item-text diff">
        {parts.map((p, i) =>
          p.type === 'same' ? (
            <span key={i}>{p.text}</span>
          ) : p.type === 'add' ? (
            <ins key={i} className="diff-add">
              <span className="visually-hidden">[added: </span>
              {p.text}
              <span className="visually-hidden">]</span>
            </ins>
          ) : (
            <del key={i} className="diff-del">
              <span className="visually-hidden">[removed: </span>
              {p.text}
              <span className="visually-hidden">]</span>
            </del>
          ),
        )}
      </div>
    </section>
  );
}

const fieldOf = (s: RewriteSchema) => (s.field === undefined ? 'response' : s.field);
const promptOf = (s: RewriteSchema) => (s.prompt_field === undefined ? 'prompt' : s.prompt_field);

/** The text being rewritten: the plain field, or over a conversation the last assistant turn ("" for turn "next"). */
export function originalOf(schema: unknown, data: ItemData): string {
  const s = schema as RewriteSchema;
  if (!convField(s)) return str(data, fieldOf(s));
  const t = rewriteTurn(s, data);
  return t.index >= 0 ? t.messages[t.index].content : '';
}

function RewriteEditor({ schema, data, answer, onChange, readOnly }: EditorProps<RewriteAnswer>) {
  const s = schema as RewriteSchema;
  const conv = convField(s) ? rewriteTurn(s, data) : null;
  const original = originalOf(s, data);
  const prompt = conv ? '' : str(data, promptOf(s));
  const n = cpLength(answer.text.trim());
  return (
    <div className="editor editor-rewrite">
      {conv && (
        <Transcript
          messages={conv.index >= 0 ? conv.messages.slice(0, conv.index) : conv.messages}
          label={conv.index >= 0 ? 'Conversation before the turn you rewrite' : 'Conversation so far: write the next assistant turn'}
        />
      )}
      {prompt && <ItemText label="Prompt" text={prompt} />}
      {original && <ItemText label={conv ? 'Original assistant turn' : 'Original'} text={original} />}
      <div className="field">
        <label htmlFor="rewrite-text">{original ? 'Your rewrite' : 'Your response'}</label>
        <textarea
          id="rewrite-text"
          data-autofocus
          rows={8}
          value={answer.text}
          readOnly={readOnly}
          aria-describedby="rewrite-hint"
          onChange={(e) => onChange({ text: e.target.value })}
        />
        <p className="hint" id="rewrite-hint">
          {n} characters{s.min_length && s.min_length > 1 ? `, at least ${s.min_length}` : ''}
          {s.max_length ? `, at most ${s.max_length}` : ''}. Ctrl+Enter submits; Esc leaves the box.
        </p>
      </div>
      {original && <DiffView before={original} after={answer.text} />}
      <AnswerLine>{original ? (answer.text === original ? 'unchanged from the original' : 'a rewritten text (see the changes)') : `${n} characters written`}</AnswerLine>
    </div>
  );
}

export const rewrite: EditorModule<RewriteAnswer> = {
  Editor: RewriteEditor,
  empty: (schema, data) => ({ text: originalOf(schema, data) }),
  from: (schema, data, _c, saved) => ({ text: typeof saved.text === 'string' ? saved.text : originalOf(schema, data) }),
  validate: (schema, _d, a) => {
    const s = schema as RewriteSchema;
    const n = cpLength(a.text.trim());
    if (n === 0) return 'Write the text first.';
    if (n < (s.min_length ?? 1)) return `Write at least ${s.min_length} characters.`;
    if (s.max_length && cpLength(a.text) > s.max_length) return `Keep it to ${s.max_length} characters.`;
    return null;
  },
  toAnswer: (_s, _d, a) => ({ text: a.text }),
  confirm: (schema, data, a) =>
    a.text === originalOf(schema, data) && a.text !== ''
      ? { question: 'Your text is unchanged from the original. Submit it unchanged?', action: 'Submit it unchanged' }
      : null,
  shortcuts: () => [
    { keys: '(typing)', action: 'The text box has focus when the task opens: type your rewrite there' },
    { keys: 'Ctrl + Enter', action: 'Submit from the text box (unchanged text asks first)' },
    { keys: 'Esc', action: 'Leave the text box' },
  ],
};
