/**
 * Filters and page of a list screen kept in the URL (a reload or a shared link shows the same list),
 * for the screens whose filters are plain strings and lists (équipements, clients).
 */
import { useSearchParams } from 'react-router-dom';

export const LIST_PAGE_SIZE = 50;

export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  return {
    text: (name: string) => params.get(name) ?? '',
    list: (name: string) => (params.get(name) ?? '').split(',').filter(Boolean),
    page,
    /** A filter change goes back to page 1; an empty value leaves the URL. */
    set(name: string, value: string | string[] | null) {
      const next = new URLSearchParams(params);
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      if (text) next.set(name, text);
      else next.delete(name);
      next.delete('page');
      setParams(next, { replace: true });
    },
    setPage(value: number) {
      const next = new URLSearchParams(params);
      if (value > 1) next.set('page', String(value));
      else next.delete('page');
      setParams(next);
    },
    clear: () => setParams(new URLSearchParams(), { replace: true }),
    offset: (page - 1) * LIST_PAGE_SIZE,
  };
}
