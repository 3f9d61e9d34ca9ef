// Blind evaluation requests: the JSONL file a coordinator uploads (one
// {"prompt", "outputs": {"<release version>": text}} per line) turned into
// the POST /api/evaluations body, with release versions mapped to ids.

import type { Body, Refine, Schema } from '../schema';

export type EvaluationPrompt = Refine<Schema<'EvaluationPromptInput'>, { prompt: string; outputs: Record<string, string> }>;
export type EvaluationRequest = Refine<
  Body<'/api/evaluations', 'post'>,
  { model_id: number; name: string; task_type: 'pairwise' | 'rubric'; release_ids: number[]; prompts: EvaluationPrompt[] }
>;

/** The line a problem was found on (1-based) and what it is. */
export class EvaluationFileError extends Error {
  constructor(readonly line: number, detail: string) {
    super(`Line ${line}: ${detail}`);
    this.name = 'EvaluationFileError';
  }
}

/**
 * Parses the JSONL text against the model's releases and the ticked release
 * ids. Every non-blank line must have a prompt and a non-empty output for every
 * ticked release; a version the model has no release for, or one that is not
 * ticked, is an error naming the line. Blank lines are skipped.
 */
export function promptsFromJsonl(text: string, releases: { id: number; version: string }[], ticked: number[]): EvaluationPrompt[] {
  const byVersion = new Map(releases.map((r) => [r.version, r.id]));
  const tickedSet = new Set(ticked);
  const versionOf = new Map(releases.map((r) => [r.id, r.version]));
  const prompts: EvaluationPrompt[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new EvaluationFileError(n, 'not valid JSON');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new EvaluationFileError(n, 'expected an object {"prompt", "outputs"}');
    const { prompt, outputs } = v as { prompt?: unknown; outputs?: unknown };
    if (typeof prompt !== 'string' || prompt.trim() === '') throw new EvaluationFileError(n, '"prompt" must be a non-empty string');
    if (!outputs || typeof outputs !== 'object' || Array.isArray(outputs)) throw new EvaluationFileError(n, '"outputs" must be an object of release version → text');
    const out: Record<string, string> = {};
    for (const [version, t] of Object.entries(outputs as Record<string, unknown>)) {
      const id = byVersion.get(version);
      if (id === undefined) throw new EvaluationFileError(n, `unknown release version "${version}"`);
      if (!tickedSet.has(id)) throw new EvaluationFileError(n, `release "${version}" is not ticked`);
      if (typeof t !== 'string' || t.trim() === '') throw new EvaluationFileError(n, `the output of "${version}" must be non-empty text`);
      out[String(id)] = t;
    }
    for (const id of ticked) {
      if (!(String(id) in out)) throw new EvaluationFileError(n, `no output from release "${versionOf.get(id) ?? id}"`);
    }
    prompts.push({ prompt, outputs: out });
  });
  if (prompts.length === 0) throw new EvaluationFileError(lines.length, 'the file has no prompts');
  return prompts;
}

/** Rubric criteria from one label per line; ids are slugs of the labels. */
export function rubricSchema(criteriaText: string): { response_field: string; criteria: { id: string; label: string }[] } {
  const seen = new Set<string>();
  const criteria = criteriaText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((label, i) => {
      let id = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || `c${i + 1}`;
      if (!/^[a-z0-9]/.test(id)) id = `c${id}`;
      while (seen.has(id)) id = `${id}_${i + 1}`;
      seen.add(id);
      return { id, label };
    });
  return { response_field: 'response', criteria };
}

export function buildEvaluationRequest(args: {
  modelId: number;
  name: string;
  taskType: 'pairwise' | 'rubric';
  criteria?: string;
  releases: { id: number; version: string }[];
  ticked: number[];
  jsonl: string;
}): EvaluationRequest {
  if (args.ticked.length < 2) throw new Error('Tick two or more releases to compare.');
  const release_ids = args.releases.filter((r) => args.ticked.includes(r.id)).map((r) => r.id);
  const req: EvaluationRequest = {
    model_id: args.modelId,
    name: args.name.trim(),
    task_type: args.taskType,
    release_ids,
    prompts: promptsFromJsonl(args.jsonl, args.releases, release_ids),
  };
  if (args.taskType === 'rubric') {
    const schema = rubricSchema(args.criteria ?? '');
    if (schema.criteria.length === 0) throw new Error('A rubric evaluation needs at least one criterion.');
    req.schema = schema;
  }
  return req;
}
