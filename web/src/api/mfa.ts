/** The caller's second factor (docs/security.md §3a): state, enrolment, confirmation, removal. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';

export function useMfaStatus() {
  return useQuery({ queryKey: ['mfa'], queryFn: () => unwrap(api.GET('/api/v1/auth/mfa')) });
}

export function useMfaEnrol() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/auth/mfa/enroll')) });
}

/** The state is refetched by the screen once the recovery codes have been read, not before. */
export function useMfaConfirm() {
  return useMutation({ mutationFn: (otp: string) => unwrap(api.POST('/api/v1/auth/mfa/confirm', { body: { otp } })) });
}

export function useMfaDisable() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { password: string; otp: string }) => unwrap(api.POST('/api/v1/auth/mfa/disable', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['mfa'] }),
  });
}
