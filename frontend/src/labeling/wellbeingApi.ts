// Client for the keyboard map and wellbeing endpoints (docs/API.md, "Wellbeing").
import { allPages, request } from '../api';
import type { Body, Ok, Schema } from '../schema';

export type ShortcutsAnswer = Ok<'/api/me/shortcuts', 'get'>;
export type MyWellbeing = Schema<'MyWellbeing'>;
export type WellbeingChoices = Body<'/api/me/wellbeing', 'put'>;
export type WellbeingSettings = Schema<'WellbeingSettings'>;
export type WellbeingDay = Schema<'WellbeingDay'>;
export type WellbeingNotice = Schema<'WellbeingNotice'>;
export type SensitiveCategory = NonNullable<MyWellbeing['categories']>[number];

export const CATEGORY_LABELS: Record<SensitiveCategory, string> = {
  violence: 'Violence',
  sexual: 'Sexual content',
  self_harm: 'Self-harm',
  hate: 'Hate',
};

export const wellbeingApi = {
  shortcuts: () => request<ShortcutsAnswer>('GET', '/api/me/shortcuts'),
  setShortcuts: (keys: Record<string, string>) => request<ShortcutsAnswer>('PUT', '/api/me/shortcuts', { keys } satisfies Body<'/api/me/shortcuts', 'put'>),
  mine: () => request<MyWellbeing>('GET', '/api/me/wellbeing'),
  setMine: (c: WellbeingChoices) => request<MyWellbeing>('PUT', '/api/me/wellbeing', c),
  affected: (project_id: number | null, note: string) =>
    request<Ok<'/api/me/wellbeing/affected', 'post'>>('POST', '/api/me/wellbeing/affected', { project_id, note } satisfies Body<'/api/me/wellbeing/affected', 'post'>),
  resume: () => request<MyWellbeing>('POST', '/api/me/wellbeing/resume'),
  /** The notices addressed to the caller as the co-op's contact, newest first (every page). */
  notices: () => allPages<WellbeingNotice>('/api/wellbeing/notices'),
  settings: () => request<WellbeingSettings>('GET', '/api/wellbeing/settings'),
  setSettings: (s: WellbeingSettings) => request<WellbeingSettings>('PUT', '/api/wellbeing/settings', s),
  summary: (days = 14) => request<Ok<'/api/wellbeing/summary', 'get'>>('GET', `/api/wellbeing/summary?days=${days}`).then((r) => r.days ?? []),
};
