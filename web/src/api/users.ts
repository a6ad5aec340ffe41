/** Administration of the accounts (admin, docs/api.md §4.2): the list and every action on one user. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from './client';
import type { Answer, BodyOf, QueryOf } from './types';

export type User = Answer<'/api/v1/users/{user_id}', 'get'>;
export type UserQuery = QueryOf<'/api/v1/users/'>;
export type UserCreate = BodyOf<'/api/v1/users/', 'post'>;
export type UserPatch = BodyOf<'/api/v1/users/{user_id}', 'patch'>;

export function useUsers(query: UserQuery) {
  return useQuery({
    queryKey: ['users', query],
    queryFn: () => unwrapPage(api.GET('/api/v1/users/', { params: { query } })),
    placeholderData: keepPreviousData,
  });
}

/** A mutation that refreshes the users list (and the audit log it writes to) once done. */
function useUserMutation<A, R>(mutationFn: (args: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      void queryClient.invalidateQueries({ queryKey: ['audit'] });
    },
  });
}

const path = (id: number) => ({ params: { path: { user_id: id } } });

export const useCreateUser = () => useUserMutation((body: UserCreate) => unwrap(api.POST('/api/v1/users/', { body })));
export const usePatchUser = () => useUserMutation(({ id, body }: { id: number; body: UserPatch }) => unwrap(api.PATCH('/api/v1/users/{user_id}', { ...path(id), body })));
export const useDeactivateUser = () => useUserMutation((id: number) => unwrap(api.DELETE('/api/v1/users/{user_id}', path(id))));
export const useActivateUser = () => useUserMutation((id: number) => unwrap(api.PATCH('/api/v1/users/{user_id}/activate', path(id))));
export const useResetPassword = () =>
  useUserMutation(({ id, password }: { id: number; password: string }) => unwrap(api.POST('/api/v1/users/{user_id}/reset-password', { ...path(id), body: { new_password: password } })));
export const useRevokeSessions = () => useUserMutation((id: number) => unwrap(api.POST('/api/v1/users/{user_id}/revoke-sessions', path(id))));
export const useResetMfa = () => useUserMutation((id: number) => unwrap(api.POST('/api/v1/users/{user_id}/mfa/reset', path(id))));
