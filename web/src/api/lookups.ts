/**
 * Reference lists the forms and filters pick from (cached: they change rarely). A filter loads its
 * list only when it is opened or already set, so that a list page's first paint does not wait for it.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';

const LOOKUP_STALE_MS = 5 * 60_000;

export function useTechniciens(enabled = true) {
  return useQuery({
    queryKey: ['techniciens', 'all'],
    queryFn: () => unwrap(api.GET('/api/v1/techniciens/', { params: { query: { limit: 500, is_active: 'true' } } })),
    staleTime: LOOKUP_STALE_MS,
    enabled,
  });
}

export function useEquipements(enabled = true) {
  return useQuery({
    queryKey: ['equipements', 'all'],
    queryFn: () => unwrap(api.GET('/api/v1/equipements/', { params: { query: { limit: 500, sort: 'nom' } } })),
    staleTime: LOOKUP_STALE_MS,
    enabled,
  });
}

export function useClients(enabled = true) {
  return useQuery({
    queryKey: ['clients', 'all'],
    queryFn: () => unwrap(api.GET('/api/v1/clients/', { params: { query: { limit: 500 } } })),
    staleTime: LOOKUP_STALE_MS,
    enabled,
  });
}

export function technicienName(technicien: { user: { full_name: string; username: string } }): string {
  return technicien.user.full_name || technicien.user.username;
}
