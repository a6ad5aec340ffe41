import { Badge } from '@mantine/core';
import type { Statut } from '../api/types';
import { STATUT_COLORS, STATUT_LABELS } from '../lib/labels';

export function StatutBadge({ statut }: { statut: Statut }) {
  return (
    <Badge color={STATUT_COLORS[statut]} variant="light" autoContrast>
      {STATUT_LABELS[statut]}
    </Badge>
  );
}
