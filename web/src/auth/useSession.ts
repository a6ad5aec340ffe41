/** React bindings of the session (auth/session.ts) and the current user. */
import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, unwrap } from '../api/client';
import { sessionState, subscribe } from './session';

export function useSession() {
  return useSyncExternalStore(subscribe, sessionState);
}

export function useMe() {
  const session = useSession();
  return useQuery({
    queryKey: ['me'],
    queryFn: () => unwrap(api.GET('/api/v1/auth/me')),
    enabled: session.status === 'signed-in',
    staleTime: 60_000,
  });
}
