/** Technicians and skills (docs/api.md §4.4): lists, one profile, and their writes. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from './client';
import type { Answer, BodyOf, QueryOf } from './types';

export type TechnicienQuery = QueryOf<'/api/v1/techniciens/'>;
export type TechnicienCreate = BodyOf<'/api/v1/techniciens/', 'post'>;
export type TechnicienUpdate = BodyOf<'/api/v1/techniciens/{technicien_id}', 'put'>;
export type Competence = Answer<'/api/v1/techniciens/competences', 'get'>[number];
export type CompetenceCreate = BodyOf<'/api/v1/techniciens/competences', 'post'>;

export function useTechniciensPage(query: TechnicienQuery) {
  return useQuery({
    queryKey: ['techniciens', 'page', query],
    queryFn: () => unwrapPage(api.GET('/api/v1/techniciens/', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

export function useTechnicien(id: number) {
  return useQuery({
    queryKey: ['techniciens', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/techniciens/{technicien_id}', { params: { path: { technicien_id: id } } })),
  });
}

export function useCompetences() {
  return useQuery({
    queryKey: ['competences'],
    queryFn: () => unwrapPage(api.GET('/api/v1/techniciens/competences', { params: { query: { sort: 'nom', limit: 500 } } })),
  });
}

/** Accounts of the technician role without a profile yet: the ones a new profile can be opened for. */
export function useTechnicienAccountsWithoutProfile(enabled: boolean) {
  return useQuery({
    queryKey: ['users', { role: 'technicien', sans_profil: true }],
    queryFn: async () => (await unwrap(api.GET('/api/v1/users/', { params: { query: { role: ['technicien'], is_active: 'true', limit: 500, sort: 'username' } } }))).filter((user) => user.technicien_id === null),
    enabled,
  });
}

/** Technicians and skills are read by pickers and lists elsewhere: every write refreshes them all. */
function useTechniciensMutation<A, R>(mutationFn: (args: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['techniciens'] });
      void queryClient.invalidateQueries({ queryKey: ['competences'] });
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
}

export const useCreateTechnicien = () => useTechniciensMutation((body: TechnicienCreate) => unwrap(api.POST('/api/v1/techniciens/', { body })));
export const useUpdateTechnicien = () =>
  useTechniciensMutation(({ id, body }: { id: number; body: TechnicienUpdate }) => unwrap(api.PUT('/api/v1/techniciens/{technicien_id}', { params: { path: { technicien_id: id } }, body })));
export const useCreateCompetence = () => useTechniciensMutation((body: CompetenceCreate) => unwrap(api.POST('/api/v1/techniciens/competences', { body })));
export const usePatchCompetence = () =>
  useTechniciensMutation(({ id, body }: { id: number; body: CompetenceCreate }) => unwrap(api.PATCH('/api/v1/techniciens/competences/{competence_id}', { params: { path: { competence_id: id } }, body })));
export const useDeleteCompetence = () => useTechniciensMutation((id: number) => unwrap(api.DELETE('/api/v1/techniciens/competences/{competence_id}', { params: { path: { competence_id: id } } })));
