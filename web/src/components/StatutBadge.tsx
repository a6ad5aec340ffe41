import { Badge } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Statut } from '../api/types';
import { STATUT_COLORS, STATUT_LABELS } from '../lib/labels';

/** A tinted badge with near-black text: AA contrast (4.5:1) whatever the colour (Mantine's 9 shades of orange or yellow fall short). */
export function ToneBadge({ color, children, size }: { color: string; children: ReactNode; size?: 'xs' | 'sm' | 'md' }) {
  return (
    <Badge color={color} c="dark.8" variant="light" size={size} tt="none" miw="max-content" style={{ flexShrink: 0 }}>
      {children}
    </Badge>
  );
}

export function StatutBadge({ statut }: { statut: Statut }) {
  return <ToneBadge color={STATUT_COLORS[statut]}>{STATUT_LABELS[statut]}</ToneBadge>;
}
