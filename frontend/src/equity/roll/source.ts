// The court roll's public endpoints (no login; PLAN-issue13 "HTTP").
import { ApiError, errorFromResponse, request } from '../../api';
import type { RollSource } from './roll';

async function text(path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/plain' } });
  } catch {
    throw new ApiError(0, 'network_error');
  }
  if (!res.ok) throw await errorFromResponse(res);
  return res.text();
}

const q = (v: number) => encodeURIComponent(String(v));

export const httpRollSource: RollSource = {
  key: () => text('/api/register/key'),
  checkpoint: () => text('/api/register/checkpoint'),
  consistency: (from, to) => request('GET', `/api/register/proof/consistency?from=${q(from)}&to=${q(to)}`),
  inclusion: (index, size) => request('GET', `/api/register/proof/inclusion?index=${q(index)}&size=${q(size)}`),
  entry: (index) => request('GET', `/api/register/entries/${q(index)}`),
  witnesses: () => request('GET', '/api/register/witnesses'),
};
