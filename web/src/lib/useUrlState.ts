/**
 * A list screen's filters and page kept in the URL (a reload or a shared link shows the same list):
 * read a value, change one (back to page 1 unless the page itself changes).
 */
import { useSearchParams } from 'react-router-dom';

export function useUrlState() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const value = (name: string) => params.get(name) ?? '';
  const change = (name: string, next: string | null) => {
    const updated = new URLSearchParams(params);
    if (next) updated.set(name, next);
    else updated.delete(name);
    if (name !== 'page') updated.delete('page');
    // Typing in a text filter replaces the history entry instead of adding one per key.
    setParams(updated, { replace: name !== 'page' });
  };
  return { params, page, value, change, filtered: [...params.keys()].some((name) => name !== 'page' && name !== 'onglet') };
}
