// The app's API types come from the OpenAPI document (schema.ts): these
// checks keep hand-written request and answer shapes from coming back.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname);

function sources(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'test' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && e.name !== 'openapi.gen.ts' ? [p] : [];
  });
}

/** The JSON bodies written inline in request() calls, and whether each is checked against the document. */
function inlineBodies(text: string): { body: string; checked: boolean }[] {
  const call = /request<[\s\S]*?>\(\s*'(?:POST|PUT|PATCH|DELETE)',\s*(['`])[^'`]*\1,\s*(\{[^{}]*\}|\(\w+ \? \{[^{}]*\} : \{[^{}]*\}\))(\s*satisfies\s+Body<)?/g;
  return [...text.matchAll(call)].map((m) => ({ body: m[2], checked: m[3] !== undefined }));
}

/** Object shapes declared in a module that talks to the API. */
function declaredShapes(text: string): string[] {
  return [...text.matchAll(/^(?:export )?(?:interface (\w+)|type (\w+)(?:<[^=]*>)? = \{)/gm)].map((m) => m[1] ?? m[2]);
}

// Shapes that are not the API's: the list helpers' page, request options,
// and the import form's state (importQuery maps it to the documented query).
const notAPIShapes = ['Page', 'RequestOptions', 'ImportOptions'];

describe('the API contract in the app', () => {
  it('finds unchecked bodies and hand-written shapes (the checks can fail)', () => {
    expect(inlineBodies("request<void>('POST', '/api/tasks/skip', { lease_token, reason })")).toEqual([{ body: '{ lease_token, reason }', checked: false }]);
    expect(inlineBodies("request<void>('POST', `/api/x/${id}`, { a } satisfies Body<'/api/x/{id}', 'post'>)")[0].checked).toBe(true);
    expect(declaredShapes('export interface Task {\n  id: number;\n}\ntype Row = { a: string };\n')).toEqual(['Task', 'Row']);
  });

  it('checks every JSON body written inline against the document (satisfies Body<…>)', () => {
    const unchecked = sources().flatMap((f) =>
      inlineBodies(readFileSync(f, 'utf8'))
        .filter((b) => !b.checked)
        .map((b) => `${relative(root, f)}: ${b.body}`),
    );
    expect(unchecked).toEqual([]);
  });

  it('declares no request or answer shapes by hand in the API modules', () => {
    const apiModules = sources().filter((f) => /(^|\/)(api|\w+Api)\.ts$/.test(f));
    expect(apiModules.length).toBeGreaterThan(8);
    const shapes = apiModules.flatMap((f) =>
      declaredShapes(readFileSync(f, 'utf8'))
        .filter((n) => !notAPIShapes.includes(n))
        .map((n) => `${relative(root, f)}: ${n}`),
    );
    expect(shapes).toEqual([]);
  });
});
