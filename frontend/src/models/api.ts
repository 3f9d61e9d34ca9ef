// The coordinator's model endpoints (docs/MODELS.md, "Endpoints and probes").
import { allPages, request } from '../api';
import type { Body, Ok } from '../schema';

export type ModelEndpoint = Ok<'/api/model-endpoints/{id}', 'get'>;
export type Capabilities = ModelEndpoint['capabilities'];
export type NewModelEndpoint = Body<'/api/model-endpoints', 'post'>;

const enc = (n: number) => encodeURIComponent(String(n));

export const modelsApi = {
  list: () => allPages<ModelEndpoint>('/api/model-endpoints'),
  /** Registers and probes: the answer has the capabilities (a failed probe is in the notes). */
  create: (n: NewModelEndpoint) => request<ModelEndpoint>('POST', '/api/model-endpoints', n),
  probe: (id: number) => request<ModelEndpoint>('POST', `/api/model-endpoints/${enc(id)}/probe`),
  remove: (id: number) => request<void>('DELETE', `/api/model-endpoints/${enc(id)}`),
};
