import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown, safeHref } from './markdown';

describe('markdown sanitiser', () => {
  it('renders the allowed subset', () => {
    const { container } = render(
      <Markdown source={'# Title\n\nSome **bold**, *em* and `code`.\n\n- one\n- two\n\n1. first\n\n[site](https://example.org/a?b=1) [mail](mailto:a@b.c)\n\n```\nx < y\n```'} />,
    );
    expect(container.querySelector('h3')?.textContent).toBe('Title');
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('em')?.textContent).toBe('em');
    expect(container.querySelectorAll('ul li')).toHaveLength(2);
    expect(container.querySelectorAll('ol li')).toHaveLength(1);
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(2);
    expect(links[0].getAttribute('href')).toBe('https://example.org/a?b=1');
    expect(links[0].getAttribute('rel')).toBe('noopener noreferrer');
    expect(container.querySelector('pre code')?.textContent).toBe('x < y');
  });

  it('shows HTML literally and never creates script, img or handlers', () => {
    const src = '<script>window.__pwned=1</script>\n\n<img src=x onerror="window.__pwned=1">\n\n**<b onclick=alert(1)>hi</b>**';
    const { container } = render(<Markdown source={src} />);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toContain('<script>window.__pwned=1</script>');
    expect(container.textContent).toContain('<img src=x onerror="window.__pwned=1">');
    expect(container.innerHTML).not.toMatch(/<img|<script|<b /);
  });

  it('drops javascript:, data: and obfuscated links but keeps their text', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>x</script>', 'vbscript:x', '/relative', '//evil.example']) {
      const { container, unmount } = render(<Markdown source={`[click](${href})`} />);
      expect(container.querySelector('a')).toBeNull();
      expect(container.textContent).toContain('click');
      unmount();
    }
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('https://ok.example/')).toBe('https://ok.example/');
    expect(safeHref('mailto:x@y.z')).toBe('mailto:x@y.z');
  });
});
