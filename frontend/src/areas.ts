// Which areas of the workbench a member can use, decided by their roles.
// The server enforces the same rules; this only shapes the UI.

export type AreaId = 'work' | 'review' | 'equity' | 'equity-govern' | 'votes' | 'admin' | 'quality' | 'datasets' | 'datasets-member';

export interface Area {
  id: AreaId;
  label: string;
  path: string;
  /** Role needed to use the area; null means every member. */
  role: string | null;
  /** Other roles that also open the area. */
  alsoFor?: readonly string[];
  /** false: gated by role but not listed in the navigation (reached by links). */
  nav?: false;
}

export const AREAS: readonly Area[] = [
  { id: 'work', label: 'Work', path: '/work', role: 'labeller' },
  { id: 'review', label: 'Review', path: '/review', role: 'reviewer' },
  // Quality pages for every project; a labeller's own figures live under /work/quality.
  { id: 'quality', label: 'Quality', path: '/quality', role: 'reviewer', alsoFor: ['coordinator'] },
  // Equity governance (rate cards, rules, distributions): coordinators; listed before Equity so it matches first.
  { id: 'equity-govern', label: 'Equity governance', path: '/equity/govern', role: 'coordinator', nav: false },
  { id: 'equity', label: 'Equity', path: '/equity', role: null },
  // Collective rule: every member proposes and votes (one member, one vote).
  { id: 'votes', label: 'Votes', path: '/votes', role: null },
  // Datasets: every member sees the leaderboard and the releases their work is in
  // (listed first so they match before the coordinator's /datasets); reached by links.
  { id: 'datasets-member', label: 'My releases', path: '/datasets/mine', role: null, nav: false },
  { id: 'datasets-member', label: 'Leaderboard', path: '/datasets/leaderboard', role: null, nav: false },
  { id: 'datasets', label: 'Datasets', path: '/datasets', role: 'coordinator' },
  { id: 'admin', label: 'Co-op admin', path: '/admin', role: 'coordinator' },
];

export function canUse(area: Area, roles: readonly string[]): boolean {
  return area.role === null || roles.includes(area.role) || !!area.alsoFor?.some((r) => roles.includes(r));
}

export function areasFor(roles: readonly string[]): Area[] {
  return AREAS.filter((a) => a.nav !== false && canUse(a, roles));
}

export function areaForPath(pathname: string): Area | undefined {
  return AREAS.find((a) => pathname === a.path || pathname.startsWith(a.path + '/'));
}

/** Where a member lands after logging in: the first area their roles open up. */
export function homeFor(roles: readonly string[]): string {
  const order: AreaId[] = ['work', 'review', 'admin'];
  for (const id of order) {
    const area = AREAS.find((a) => a.id === id)!;
    if (canUse(area, roles)) return area.path;
  }
  return '/equity';
}
