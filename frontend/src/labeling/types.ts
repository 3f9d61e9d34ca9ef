// Types of the labelling API (see docs/TASKTYPES.md and labeling/tasktype*.go).

export type TaskType = 'classification' | 'multilabel' | 'spans' | 'pairwise' | 'ranking' | 'rubric' | 'rewrite' | 'moderation';
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

export type ProjectStatus = 'draft' | 'open' | 'paused' | 'closed';

export interface Model {
  id: number;
  name: string;
  base_model: string;
  description: string;
  created_at: string;
}

export interface Project {
  id: number;
  model_id: number;
  name: string;
  task_type: TaskType;
  schema: unknown;
  instructions: string;
  overlap: number;
  lease_seconds: number;
  ordering: 'priority' | 'random';
  random_seed: number;
  gold_rate_bp: number;
  stint: number;
  status: ProjectStatus;
  created_at: string;
  updated_at: string;
}

export type ProjectSettings = Pick<
  Project,
  'name' | 'task_type' | 'schema' | 'instructions' | 'overlap' | 'lease_seconds' | 'ordering' | 'random_seed' | 'gold_rate_bp' | 'stint'
>;

export interface Progress {
  project_id: number;
  items: number;
  gold_items: number;
  complete_items: number;
  slots_total: number;
  slots_done: number;
  leased: number;
  slots_left: number;
  today: { member_id: number; done_today: number }[] | null;
  /** Live leases that run out first, soonest first. */
  expiring?: { assignment_id: number; item_id: number; member_id: number; lease_expires_at: string }[];
  /** Submissions and completions of the last 30 minutes, oldest first. */
  recent?: { type: 'task.submitted' | 'item.completed'; at: string }[];
}

/** What became of one kind of Label Studio annotation in an import. */
export interface KindTally {
  kept: number;
  converted: number;
  dropped: number;
  dropped_reasons?: Record<string, number>;
}

export interface ImportReport {
  import_id: number;
  records: number;
  imported: number;
  duplicates: number;
  rejected: number;
  first_error?: string | null;
  prior_annotations?: number;
  annotations?: { predictions: KindTally; annotations: KindTally };
}

export type ItemData = Record<string, unknown>;
export type Answer = Record<string, unknown>;

export interface Task {
  assignment_id: number;
  lease_token: string;
  lease_expires_at: string;
  project_id: number;
  item_id: number;
  data: ItemData;
  prediction?: Answer | null;
  sensitive: boolean;
  draft?: Answer | null;
  task_type: TaskType;
  schema: unknown;
}

export interface MyProgress {
  project_id: number;
  done_today: number;
  claimed_today: number;
  stint_left: number | null;
  sensitive_left_today: number | null;
  items_left: number;
  resets_at: string;
}

/** GET /api/projects/:id/pace: the median lead time of the project's last 200 answers. */
export interface ProjectPace {
  project_id: number;
  median_lead_time_ms: number | null;
  sample: number;
}

export interface MySettings {
  sensitive_daily_cap: number;
  coop_sensitive_max: number;
}

export type SubmissionStatus = 'submitted' | 'accepted' | 'rejected' | 'corrected';

export interface Submission {
  id: number;
  item_id: number;
  project_id: number;
  answer: Answer;
  status: SubmissionStatus;
  created_at: string;
  replayed?: boolean;
}

export interface MySubmission {
  id: number;
  project_id: number;
  project_name: string;
  item_id: number;
  data: ItemData;
  answer: Answer;
  status: SubmissionStatus;
  reason?: string | null;
  corrected_answer?: Answer | null;
  created_at: string;
  updated_at: string;
  revisions: number;
}

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

export interface ClassificationSchema {
  field?: string;
  choices: ChoiceOption[];
}
export interface MultiLabelSchema {
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
export interface SpansSchema {
  field?: string;
  labels: SpanLabel[];
  allow_overlap?: boolean;
  /** Keep spans exactly as selected, spaces included (default: snap to words and trim). */
  character_precise?: boolean;
}
export interface PairwiseSchema {
  prompt_field?: string;
  a_field?: string;
  b_field?: string;
  strength?: boolean;
  rationale?: RationaleMode;
  allow_tie?: boolean;
  allow_both_bad?: boolean;
}
export interface RankingSchema {
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
export interface RubricSchema {
  prompt_field?: string;
  response_field?: string;
  criteria: Criterion[];
  rationale?: RationaleMode;
}
export interface RewriteSchema {
  field?: string;
  prompt_field?: string;
  min_length?: number;
  max_length?: number;
}
export interface ModerationSchema {
  field?: string;
  categories: ChoiceOption[];
  severities?: ScalePoint[];
  multi?: boolean;
}
