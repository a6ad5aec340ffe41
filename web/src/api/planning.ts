/** Preventive planning (docs/api.md §4.6): the list and its writes (create, edit, replan, suspend). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from './client';
import type { Answer, BodyOf, QueryOf } from './types';

export type Planning = Answer<'/api/v1/planning/{planning_id}', 'get'>;
export type PlanningQuery = QueryOf<'/api/v1/planning/'>;
export type PlanningCreate = BodyOf<'/api/v1/planning/', 'post'>;
export type PlanningUpdate = BodyOf<'/api/v1/planning/{planning_id}', 'put'>;
export type StatutPlanning = Planning['statut'];
export type FrequenceLabel = Planning['frequence'];

export function usePlannings(query: PlanningQuery) {
  return useQuery({
    queryKey: ['planning', query],
    queryFn: () => unwrapPage(api.GET('/api/v1/planning/', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

function usePlanningMutation<A>(mutationFn: (args: A) => Promise<Planning>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['planning'] }) });
}

const path = (id: number) => ({ params: { path: { planning_id: id } } });

export const useCreatePlanning = () => usePlanningMutation((body: PlanningCreate) => unwrap(api.POST('/api/v1/planning/', { body })));
export const useUpdatePlanning = () => usePlanningMutation(({ id, body }: { id: number; body: PlanningUpdate }) => unwrap(api.PUT('/api/v1/planning/{planning_id}', { ...path(id), body })));
export const useReplan = () =>
  usePlanningMutation(({ id, date }: { id: number; date: string }) => unwrap(api.PATCH('/api/v1/planning/{planning_id}/dates', { ...path(id), body: { nouvelle_date: date } })));
