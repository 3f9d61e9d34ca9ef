import type { HTMLAttributes } from 'react';

/** A heading at a given level: proposal cards sit at different depths on different pages. */
export function H({ level, ...rest }: { level: number } & HTMLAttributes<HTMLHeadingElement>) {
  const Tag = `h${Math.max(1, Math.min(6, level))}` as 'h2';
  return <Tag {...rest} />;
}
