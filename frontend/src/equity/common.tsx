// Shared bits of the equity pages: section tabs, model names, query helpers.
import { useEffect, useState } from 'react';
import { useSession } from '../auth';
import { labelApi } from '../labeling/api';
import type { Model } from '../labeling/types';
import { Link, navigate, useLocation } from '../router';
import { RollStatus } from './roll/RollStatus';

export type EquityTab = 'mine' | 'statement' | 'transfer' | 'register' | 'govern';

export function EquityTabs({ current }: { current: EquityTab }) {
  const { me } = useSession();
  const tabs: { id: EquityTab; to: string; label: string }[] = [
    { id: 'mine', to: '/equity', label: 'My holdings' },
    { id: 'statement', to: '/equity/statement', label: 'Statement' },
    { id: 'transfer', to: '/equity/transfer', label: 'Transfer' },
    { id: 'register', to: '/equity/register', label: 'Court roll' },
  ];
  if (me?.roles.includes('coordinator')) tabs.push({ id: 'govern', to: '/equity/govern', label: 'Governance' });
  return (
    <>
      <nav className="tabs no-print" aria-label="Equity sections">
        {tabs.map((t) => (
          <Link key={t.id} to={t.to} aria-current={current === t.id ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {/* Every visit to an equity page checks the court roll (issue 13). */}
      <RollStatus />
    </>
  );
}

/** Every model of the co-op (any member may list them). */
export function useModels(): { models: Model[] | null; error: Error | null } {
  const [models, setModels] = useState<Model[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let live = true;
    labelApi.models().then(
      (m) => live && setModels(m),
      (e) => live && setError(e as Error),
    );
    return () => {
      live = false;
    };
  }, []);
  return { models, error };
}

/** The page's query parameters, and a setter that replaces the URL. */
export function useQuery(): [URLSearchParams, (patch: Record<string, string | null>) => void] {
  const { pathname, search } = useLocation();
  const q = new URLSearchParams(search);
  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    const s = next.toString();
    navigate(`${pathname}${s ? '?' + s : ''}`, { replace: true });
  };
  return [q, set];
}

export function positiveInt(v: string | null): number | null {
  return v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : null;
}

/** The register head hash, readable and wrappable. */
export function HeadHash({ seq, hash }: { seq: number; hash: string }) {
  return (
    <p className="eq-head">
      <span className="muted">Register head</span> <span className="nowrap">entry {seq.toLocaleString('en-GB')}</span>
      <span className="visually-hidden">, hash</span>{' '}
      <code className="eq-hash" data-testid="head-hash">
        {hash}
      </code>
    </p>
  );
}

export function todayUTC(): string {
  return new Date().toISOString().slice(0, 10);
}
