/** A list's filter fields; on a phone they fold behind one button, so that the list stays in view. */
import { Button, Collapse } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';

export function FoldingFilters({ active, children }: { active: number; children: ReactNode }) {
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const [unfolded, setUnfolded] = useState(false);
  if (!phone) return <>{children}</>;
  return (
    <>
      <Button variant="default" mb="sm" onClick={() => setUnfolded((open) => !open)} aria-expanded={unfolded}>
        {unfolded ? 'Masquer les filtres' : active > 0 ? `Filtres (${active})` : 'Filtres'}
      </Button>
      <Collapse expanded={unfolded}>{children}</Collapse>
    </>
  );
}
