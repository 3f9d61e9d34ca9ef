// Types of the labelling API (see docs/TASKTYPES.md and labeling/tasktype*.go).
import type { Ok, Refine, Schema } from '../schema';

export type TaskType = Schema<'Project'>['task_type'];
export const TASK_TYPES: readonly TaskType[] = ['classification', 'multilabel', 'spans', 'pairwise', 'ranking', 'rubric', 'rewrite', 'moderation'];
export const TASK_TYPE_LABELS: Record<TaskType, string> = {
  classification: 'Classification (one choice)',
  multilabel: 'Multi-label (several choices)',
  spans: 'Text spans (NER)',
  pairwise: 'Pairwise preference',
  ranking: 'Ranking (ties allowed)',
  rubric: 'Rubric scoring',
  rewrite: 'Rewrite / demonstration',
  moderation: 'Moderation',
};

export type ProjectStatus = Schema<'Project'>['status'];

export type Model = Schema<'Model'>;

export type Project = Schema<'Project'>;

export type ProjectSettings = Pick<
  Project,
  'name' | 'task_type' | 'schema' | 'instructions' | 'overlap' | 'lease_seconds' | 'ordering' | 'random_seed' | 'gold_rate_bp' | 'stint'
> &
  Partial<Pick<Project, 'suggestion_policy' | 'suggestion_control_bp' | 'order_by_usefulness'>>;

/** When labellers see an item's suggestion (docs/MODELS.md, "Suggestions"). */
export type SuggestionPolicy = 'off' | 'after_answer' | 'up_front';

export type SuggestionMeta = Schema<'SuggestionMeta'>;

/** POST /api/tasks/first-answer: the labeller's first answer, and the suggestion revealed only now. */
export type FirstAnswerResult = Refine<Schema<'FirstAnswerResult'>, { first_answer: Answer; suggestion?: Answer | null }>;

export type Progress = Schema<'ProjectProgress'>;

export type KindTally = Schema<'KindTally'>;

export type ImportReport = Schema<'ImportReport'>;

/** An item's data and an answer: the document says only "JSON". */
export type ItemData = Record<string, unknown>;
export type Answer = Record<string, unknown>;

export type Task = Refine<Schema<'Task'>, { data: ItemData; prediction?: Answer | null; draft?: Answer | null; first_answer?: Answer | null }>;

export type MyProgress = Schema<'MyProgress'>;

/** GET /api/projects/:id/pace: the median lead time of the project's last 200 answers. */
export type ProjectPace = Schema<'ProjectPace'>;

export type MySettings = Ok<'/api/me/settings', 'get'>;

export type SubmissionStatus = Schema<'Submission'>['status'];

export type Submission = Refine<Schema<'Submission'>, { answer: Answer }>;

export type MySubmission = Refine<Schema<'MyWorkItem'>, { data: ItemData; answer: Answer; corrected_answer?: Answer | null }>;

// ---- schemas (normalised by the server; the editors tolerate missing defaults) ----


export interface ChoiceOption {
  value: string;
  label?: string;
  hotkey?: string;
  description?: string;
  exclusive?: boolean;
}
export interface ScalePoint {
  value: number;
  label?: string;
  description?: string;
}
export type RationaleMode = 'off' | 'optional' | 'required';

/** Schemas that read a conversation (docs/TASKTYPES.md, "Conversations"). */
export interface ConvKeys {
  conversation_field?: string;
  turn?: string;
}

export interface ClassificationSchema extends ConvKeys {
  field?: string;
  choices: ChoiceOption[];
}
export interface MultiLabelSchema extends ConvKeys {
  field?: string;
  choices: ChoiceOption[];
  min?: number;
  max?: number;
}
export interface SpanLabel {
  value: string;
  label?: string;
  hotkey?: string;
  description?: string;
  color?: string;
}
export interface SpansSchema extends ConvKeys {
  field?: string;
  labels: SpanLabel[];
  allow_overlap?: boolean;
  /** Keep spans exactly as selected, spaces included (default: snap to words and trim). */
  character_precise?: boolean;
}
export interface PairwiseSchema extends ConvKeys {
  prompt_field?: string;
  a_field?: string;
  b_field?: string;
  strength?: boolean;
  rationale?: RationaleMode;
  allow_tie?: boolean;
  allow_both_bad?: boolean;
}
export interface RankingSchema extends ConvKeys {
  prompt_field?: string;
  responses_field?: string;
  allow_ties?: boolean;
}
export interface Criterion {
  id: string;
  label?: string;
  description?: string;
  optional?: boolean;
  scale?: ScalePoint[];
}
export interface RubricSchema extends ConvKeys {
  prompt_field?: string;
  response_field?: string;
  criteria: Criterion[];
  rationale?: RationaleMode;
}
export interface RewriteSchema extends ConvKeys {
  field?: string;
  prompt_field?: string;
  min_length?: number;
  max_length?: number;
}
export interface ModerationSchema extends ConvKeys {
  field?: string;
  categories: ChoiceOption[];
  severities?: ScalePoint[];
  multi?: boolean;
}
