// A readable chat transcript: one block per message with its role, the
// system prompt collapsed, tool calls as formatted JSON with their results
// under them, and message text as inert markdown (React elements, never
// HTML strings). Long conversations scroll inside their box, which starts
// at the last turns; the active turn is kept in view.
import { useEffect, useRef, type ReactNode } from 'react';
import { convField, lastAssistantIndex, messagesOf, nestedResults, prettyJSON, resultsByCall, roleLabel, turnSetting, type Message } from '../conversation';
import { Markdown } from '../markdown';

export interface TranscriptProps {
  messages: readonly Message[];
  /** Accessible name of the transcript. */
  label?: string;
  /** Turn ids to highlight (the turn being labelled). */
  highlight?: readonly string[];
  /** The turn the keyboard is on: marked and scrolled into view. */
  active?: string | null;
  /** Extra content under a message (rating controls, a differs badge). */
  extra?: (m: Message) => ReactNode;
  /** Turn ids marked "differs" (the reviewer's view). */
  differs?: ReadonlySet<string>;
  /** A candidate turn inside another box: no heading, no scrolling of its own. */
  compact?: boolean;
  /** Let the page scroll instead of the box (rating panels under the turns make them tall). */
  unbounded?: boolean;
}

function ToolCallView({ call, result }: { call: NonNullable<Message['tool_calls']>[number]; result?: Message }) {
  return (
    <div className="conv-call">
      <p className="conv-call-head">
        Tool call <strong className="mono">{call.function.name || '(no name)'}</strong> <span className="muted small mono">{call.id}</span>
      </p>
      <pre className="conv-json" aria-label={`Arguments of ${call.function.name}`}>
        {prettyJSON(call.function.arguments)}
      </pre>
      {result ? (
        <div className="conv-result" data-turn={result.id}>
          <p className="conv-call-head">Result{result.name ? ` · ${result.name}` : ''}</p>
          <pre className="conv-json">{prettyJSON(result.content)}</pre>
        </div>
      ) : (
        <p className="muted small">No result in this conversation.</p>
      )}
    </div>
  );
}

function MessageBody({ m, results }: { m: Message; results: Map<string, Message> }) {
  if (m.role === 'tool') {
    return (
      <>
        {m.tool_call_id && <p className="muted small mono">answers {m.tool_call_id}</p>}
        <pre className="conv-json">{prettyJSON(m.content)}</pre>
      </>
    );
  }
  return (
    <>
      {m.content ? <Markdown source={m.content} className="markdown conv-text" /> : null}
      {(m.tool_calls ?? []).map((c) => (
        <ToolCallView key={c.id} call={c} result={results.get(c.id)} />
      ))}
    </>
  );
}

export function Transcript({ messages, label = 'Conversation', highlight, active, extra, differs, compact, unbounded }: TranscriptProps) {
  const boxRef = useRef<HTMLOListElement>(null);
  const results = resultsByCall(messages);
  const nested = nestedResults(messages);
  // Start at the end (the last turns are the ones being labelled), once per conversation.
  const shape = `${messages.length}:${messages[0]?.id ?? ''}:${messages[messages.length - 1]?.id ?? ''}`;
  useEffect(() => {
    const el = boxRef.current;
    if (el && !compact && !unbounded) el.scrollTop = el.scrollHeight;
  }, [shape, compact, unbounded]);
  useEffect(() => {
    if (!active) return;
    const el = [...(boxRef.current?.querySelectorAll<HTMLElement>('[data-turn]') ?? [])].find((x) => x.dataset.turn === active);
    el?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);
  const list = (
    <ol className={`conv-turns ${compact ? 'conv-compact' : unbounded ? 'conv-unbounded' : ''}`} ref={boxRef} tabIndex={compact || unbounded ? undefined : 0} aria-label={`${label}, ${messages.length} messages`}>
      {messages.map((m, i) => {
        if (nested.has(m)) return null;
        const on = !!m.id && !!highlight?.includes(m.id);
        const isActive = !!m.id && m.id === active;
        const cls = ['conv-turn', `conv-${m.role}`, on ? 'conv-highlight' : '', isActive ? 'conv-active' : ''].filter(Boolean).join(' ');
        const badge = m.id && differs?.has(m.id) ? <span className="rv-differs">differs</span> : null;
        if (m.role === 'system') {
          return (
            <li key={m.id ?? i} className={cls} data-turn={m.id}>
              <details className="conv-system">
                <summary>
                  {roleLabel(m)} prompt {badge}
                </summary>
                <Markdown source={m.content} className="markdown conv-text" />
              </details>
              {extra?.(m)}
            </li>
          );
        }
        return (
          <li key={m.id ?? i} className={cls} data-turn={m.id} aria-current={isActive ? 'step' : undefined}>
            <p className="conv-role">
              {roleLabel(m)}
              {on && <span className="conv-tag"> · being labelled</span>}
              {isActive && <span className="visually-hidden"> (current turn)</span>} {badge}
            </p>
            <MessageBody m={m} results={results} />
            {extra?.(m)}
          </li>
        );
      })}
    </ol>
  );
  // A candidate sits inside its own labelled box: no heading of its own.
  if (compact) return list;
  return (
    <section className="item-block conv" aria-label={label}>
      <h3 className="item-label">{label}</h3>
      {list}
    </section>
  );
}

/** The transcript of an item whose schema reads a conversation; turn "last_assistant" highlights that turn. */
export function ItemTranscript({ schema, data, label }: { schema: unknown; data: Record<string, unknown>; label?: string }) {
  const msgs = messagesOf(data, convField(schema));
  const last = lastAssistantIndex(msgs);
  const hl = turnSetting(schema, '') === 'last_assistant' && last >= 0 && msgs[last].id ? [msgs[last].id as string] : undefined;
  return <Transcript messages={msgs} highlight={hl} active={hl?.[0]} label={label} />;
}
