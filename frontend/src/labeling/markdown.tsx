// A tiny markdown → React renderer for project instructions, which are
// UNTRUSTED. It never produces HTML strings: everything becomes React
// elements and text, so <script>, <img onerror> and friends show literally.
// Allowed: headings, paragraphs, emphasis, inline and fenced code, lists,
// block quotes, links with http/https/mailto hrefs only.
import { Fragment, type ReactNode } from 'react';

/** Returns href if it is an http(s) or mailto URL, else null. */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  // Control characters and whitespace inside a scheme are how filters get bypassed.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(href)) return null;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'mailto:') return null;
  return url.href;
}

type Inline = ReactNode;

const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|__([\s\S]+?)__|\*([^*\s][\s\S]*?)\*|_([^_\s][\s\S]*?)_|\[([^\]]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)/;

export function renderInline(text: string, keyPrefix = 'i'): Inline[] {
  const out: Inline[] = [];
  let rest = text;
  let k = 0;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const key = `${keyPrefix}-${k++}`;
    if (m[1]) out.push(<code key={key}>{m[2]}</code>);
    else if (m[3] !== undefined || m[4] !== undefined) out.push(<strong key={key}>{renderInline(m[3] ?? m[4], key)}</strong>);
    else if (m[5] !== undefined || m[6] !== undefined) out.push(<em key={key}>{renderInline(m[5] ?? m[6], key)}</em>);
    else {
      const label = m[7];
      const href = safeHref(m[8]);
      if (href) {
        out.push(
          <a key={key} href={href} rel="noopener noreferrer" target="_blank">
            {renderInline(label, key)}
          </a>,
        );
      } else {
        // Not an allowed link: show exactly what was written.
        out.push(m[0]);
      }
    }
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

interface ListBlock {
  ordered: boolean;
  items: string[];
}

export function Markdown({ source, className }: { source: string; className?: string }) {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: ReactNode[] = [];
  let para: string[] = [];
  let list: ListBlock | null = null;
  let quote: string[] = [];
  let k = 0;
  const flushPara = () => {
    if (para.length) blocks.push(<p key={k++}>{renderInline(para.join(' '), `p${k}`)}</p>);
    para = [];
  };
  const flushList = () => {
    if (list) {
      const items = list.items.map((it, i) => <li key={i}>{renderInline(it, `l${k}-${i}`)}</li>);
      blocks.push(list.ordered ? <ol key={k++}>{items}</ol> : <ul key={k++}>{items}</ul>);
    }
    list = null;
  };
  const flushQuote = () => {
    if (quote.length) blocks.push(<blockquote key={k++}>{renderInline(quote.join(' '), `q${k}`)}</blockquote>);
    quote = [];
  };
  const flush = () => {
    flushPara();
    flushList();
    flushQuote();
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) code.push(lines[i++]);
      blocks.push(
        <pre key={k++}>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const h = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      flush();
      // Instructions sit under the page's own h1/h2: shift levels down by two.
      const level = Math.min(6, h[1].length + 2);
      const Tag = `h${level}` as 'h3';
      blocks.push(<Tag key={k++}>{renderInline(h[2], `h${k}`)}</Tag>);
      continue;
    }
    const li = /^\s*(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line);
    if (li) {
      flushPara();
      flushQuote();
      const ordered = !li[1];
      if (list && list.ordered !== ordered) flushList();
      if (!list) list = { ordered, items: [] };
      list.items.push(li[3]);
      continue;
    }
    const q = /^\s*>\s?(.*)$/.exec(line);
    if (q) {
      flushPara();
      flushList();
      quote.push(q[1]);
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      list.items[list.items.length - 1] += ' ' + line.trim();
      continue;
    }
    flushList();
    flushQuote();
    para.push(line.trim());
  }
  flush();
  return <div className={className ?? 'markdown'}>{blocks.length ? blocks : <Fragment />}</div>;
}
