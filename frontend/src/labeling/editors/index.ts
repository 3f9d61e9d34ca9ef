// Editors are loaded on demand: each task type's code is its own chunk.
import type { TaskType } from '../types';
import type { EditorModule } from './types';

const loaders: Record<TaskType, () => Promise<EditorModule>> = {
  classification: () => import('./Choice').then((m) => m.classification as unknown as EditorModule),
  multilabel: () => import('./Choice').then((m) => m.multilabel as unknown as EditorModule),
  moderation: () => import('./Choice').then((m) => m.moderation as unknown as EditorModule),
  spans: () => import('./TurnSpans').then((m) => m.spansAny),
  pairwise: () => import('./Compare').then((m) => m.pairwise as unknown as EditorModule),
  ranking: () => import('./Compare').then((m) => m.ranking as unknown as EditorModule),
  rubric: () => import('./Rubric').then((m) => m.rubric as unknown as EditorModule),
  rewrite: () => import('./Rewrite').then((m) => m.rewrite as unknown as EditorModule),
};

const cache = new Map<TaskType, EditorModule>();
const inflight = new Map<TaskType, Promise<EditorModule>>();

export function loadEditor(t: TaskType): Promise<EditorModule> {
  const hit = cache.get(t);
  if (hit) return Promise.resolve(hit);
  let p = inflight.get(t);
  if (!p) {
    const load = loaders[t];
    if (!load) return Promise.reject(new Error(`unknown task type ${t}`));
    p = load().then((m) => {
      cache.set(t, m);
      return m;
    });
    inflight.set(t, p);
  }
  return p;
}

/** The module if already loaded (lets the next task render synchronously). */
export function loadedEditor(t: TaskType): EditorModule | undefined {
  return cache.get(t);
}
