/**
 * The interventions list's filters, sort and page, kept in the URL (a shared link or a reload shows
 * the same list) and turned into the API's query.
 */
import type { InterventionQuery, Priorite, Statut, TypeIntervention } from '../api/types';
import { LIST_PAGE_SIZE, pageOf } from './useUrlState';

export interface ListFilters {
  statut: Statut[];
  priorite: Priorite[];
  type: TypeIntervention[];
  urgence: '' | 'true' | 'false';
  en_retard: '' | 'true' | 'false';
  technicien_id: string;
  equipement_id: string;
  client_id: string;
  q: string;
  sort: string;
  page: number;
}

const list = <T extends string>(params: URLSearchParams, name: string) => (params.get(name) ?? '').split(',').filter(Boolean) as T[];
const flag = (value: string | null): '' | 'true' | 'false' => (value === 'true' || value === 'false' ? value : '');
const id = (value: string | null) => (value && /^\d+$/.test(value) ? value : '');

export function readFilters(params: URLSearchParams): ListFilters {
  return {
    statut: list(params, 'statut'),
    priorite: list(params, 'priorite'),
    type: list(params, 'type'),
    urgence: flag(params.get('urgence')),
    en_retard: flag(params.get('en_retard')),
    technicien_id: id(params.get('technicien_id')),
    equipement_id: id(params.get('equipement_id')),
    client_id: id(params.get('client_id')),
    q: params.get('q') ?? '',
    sort: params.get('sort') ?? '-date_creation',
    page: pageOf(params),
  };
}

/** Only the non-default values, so that URLs stay short. */
export function writeFilters(filters: ListFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['statut', 'priorite', 'type'] as const) if (filters[name].length > 0) params.set(name, filters[name].join(','));
  for (const name of ['urgence', 'en_retard', 'technicien_id', 'equipement_id', 'client_id', 'q'] as const) if (filters[name]) params.set(name, filters[name]);
  if (filters.sort !== '-date_creation') params.set('sort', filters.sort);
  if (filters.page > 1) params.set('page', String(filters.page));
  return params;
}

export function apiQuery(filters: ListFilters): InterventionQuery {
  const query: InterventionQuery = { limit: LIST_PAGE_SIZE, offset: (filters.page - 1) * LIST_PAGE_SIZE, sort: filters.sort };
  if (filters.statut.length > 0) query.statut = filters.statut;
  if (filters.priorite.length > 0) query.priorite = filters.priorite;
  if (filters.type.length > 0) query.type = filters.type;
  if (filters.urgence) query.urgence = filters.urgence;
  if (filters.en_retard) query.en_retard = filters.en_retard;
  if (filters.technicien_id) query.technicien_id = Number(filters.technicien_id);
  if (filters.equipement_id) query.equipement_id = Number(filters.equipement_id);
  if (filters.client_id) query.client_id = Number(filters.client_id);
  if (filters.q.trim()) query.q = filters.q.trim();
  return query;
}
