// The API's types, generated from the OpenAPI document (docs/openapi.json,
// the one the server serves at /api/openapi.json) into openapi.gen.ts by
// `npm run api-types`, which `npm run build` and `npm run typecheck` run
// first. The app's api.ts files name these types; they write none by hand,
// so a field the server renames or retypes breaks the build.
import type { components, paths } from './openapi.gen';

export type Schemas = components['schemas'];

/** A named schema of the document (a Go type of the server). */
export type Schema<N extends keyof Schemas> = Schemas[N];

type JSONContent<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON answer of an operation (method in lower case) for a status. */
export type Ok<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? JSONContent<R[S]>
    : never
  : never;

/** The JSON body an operation takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? JSONContent<NonNullable<B>>
  : never;

/** The query parameters an operation takes (all optional). */
export type Query<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** An error code an operation may answer with a status. */
export type ErrorCode<P extends keyof paths, M extends keyof paths[P], S extends number> = Ok<P, M, S> extends { code: infer C } ? C : never;

/**
 * Refine narrows fields that the document leaves open (any JSON: an item's
 * data, an answer, a schema) to what the app knows of them. Only existing
 * fields, and only to a type the document allows.
 */
export type Refine<A, B extends { [K in keyof B]: K extends keyof A ? A[K] : never }> = Omit<A, keyof B> & B;

/** A frame the server sends on /ws, by its op (the document's x-websocket annex, WSServerFrame). */
export type ServerFrame<Op extends Schema<'WSServerFrame'>['op']> = Extract<Schema<'WSServerFrame'>, { op: Op }>;

/** A frame the client sends on /ws (WSClientFrame). */
export type ClientFrame = Schema<'WSClientFrame'>;
