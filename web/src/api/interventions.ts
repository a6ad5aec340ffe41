/** Queries and mutations of one intervention, shared by the detail page and the technician view. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from './client';
import type { BodyOf, InterventionQuery } from './types';

export type StatusChange = NonNullable<BodyOf<'/api/v1/interventions/{intervention_id}/statut', 'patch'>>;

/**
 * A page fetched this recently is shown as it is: the page load's prefetch (boot.ts) is not asked
 * again when the screen mounts (that second request and render of 50 rows cost ~300 ms on a cold
 * load). Changes made here invalidate the list anyway; the bell's polling brings the others.
 */
const LIST_FRESH_MS = 10_000;

/** One page of the list: shared by the list screen and the page load that fetches it ahead (boot.ts). */
export function interventionsPageOptions(query: InterventionQuery) {
  return {
    queryKey: ['interventions', query],
    queryFn: () => unwrapPage(api.GET('/api/v1/interventions/', { params: { query } })),
    placeholderData: keepPreviousData,
    staleTime: LIST_FRESH_MS,
  };
}

export function useIntervention(id: number) {
  return useQuery({
    queryKey: ['intervention', id],
    queryFn: () => unwrap(api.GET('/api/v1/interventions/{intervention_id}', { params: { path: { intervention_id: id } } })),
    // 0: no intervention (the creation form, an invalid URL), nothing to ask.
    enabled: id > 0,
  });
}

export function useHistorique(id: number) {
  return useQuery({
    queryKey: ['intervention', id, 'historique'],
    queryFn: () => unwrap(api.GET('/api/v1/interventions/{intervention_id}/historique', { params: { path: { intervention_id: id } } })),
    enabled: id > 0,
  });
}

/** PATCH …/statut with a JSON body; refreshes the record, its history and the lists. */
export function useStatusChange(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: StatusChange) => unwrap(api.PATCH('/api/v1/interventions/{intervention_id}/statut', { params: { path: { intervention_id: id } }, body: change })),
    onSuccess: (updated) => {
      queryClient.setQueryData(['intervention', id], updated);
      void queryClient.invalidateQueries({ queryKey: ['intervention', id, 'historique'] });
      void queryClient.invalidateQueries({ queryKey: ['interventions'] });
      void queryClient.invalidateQueries({ queryKey: ['dashboard'] });
    },
  });
}
