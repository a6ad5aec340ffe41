/**
 * What a page load starts before React's first render (docs/architecture.md "Web application"): the
 * chunk of the screen of the URL, the session from the HttpOnly cookie, and, for the interventions
 * list, its first page as soon as the access token is there, so that the list's request does not
 * wait for the screen to render first.
 */
import type { QueryClient } from '@tanstack/react-query';
import { interventionsPageOptions } from './api/interventions';
import { preloadScreen } from './App';
import { onFirstAccessToken, resumeSession } from './auth/session';
import { apiQuery, readFilters } from './lib/listParams';

export function bootPage(queryClient: QueryClient, location: Location): void {
  preloadScreen(location.pathname);
  if (location.pathname === '/interventions') {
    onFirstAccessToken(() => void queryClient.prefetchQuery(interventionsPageOptions(apiQuery(readFilters(new URLSearchParams(location.search))))));
  }
  void resumeSession();
}
