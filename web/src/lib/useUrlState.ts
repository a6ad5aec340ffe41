/**
 * A list screen's filters and page kept in the URL (a reload or a shared link shows the same list),
 * for every list of the application: read a value or a comma-separated list, change one filter or
 * all of them (back to page 1), turn the page.
 */
import { useSearchParams } from 'react-router-dom';

/** The server pages of every list screen (the interventions' query too: lib/listParams.ts). */
export const LIST_PAGE_SIZE = 50;

/** The page asked for by `?page=`, 1 when absent or not a page number. */
export function pageOf(params: URLSearchParams): number {
  const page = Number(params.get('page'));
  return Number.isInteger(page) && page > 0 ? page : 1;
}

export function useUrlState() {
  const [params, setParams] = useSearchParams();
  const page = pageOf(params);
  const value = (name: string) => params.get(name) ?? '';
  // A filter change replaces the history entry (typing in a text filter adds none per key); `push`
  // adds one where Back should return to what was before (a tab).
  const setAll = (next: URLSearchParams, { push = false } = {}) => {
    next.delete('page');
    setParams(next, { replace: !push });
  };
  return {
    params,
    page,
    offset: (page - 1) * LIST_PAGE_SIZE,
    value,
    list: (name: string) => value(name).split(',').filter(Boolean),
    /** Whether a filter is set (the page and the tab are none): an empty list then says so. */
    filtered: [...params.keys()].some((name) => name !== 'page' && name !== 'onglet'),
    /** One filter, back to page 1; an empty value leaves the URL. */
    set(name: string, next: string | string[] | null, options: { push?: boolean } = {}) {
      const updated = new URLSearchParams(params);
      const text = Array.isArray(next) ? next.join(',') : (next ?? '');
      if (text) updated.set(name, text);
      else updated.delete(name);
      setAll(updated, options);
    },
    /** Every filter at once (the interventions' typed filters, written by lib/listParams.ts). */
    setAll,
    setPage(next: number) {
      const updated = new URLSearchParams(params);
      if (next > 1) updated.set('page', String(next));
      else updated.delete('page');
      setParams(updated);
    },
    clear: () => setParams(new URLSearchParams(), { replace: true }),
  };
}
