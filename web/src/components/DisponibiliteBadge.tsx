import type { Technicien } from '../api/types';
import { DISPONIBILITE_LABELS } from '../lib/labels';
import { ToneBadge } from './StatutBadge';

/** A technician's availability: green when available, orange when busy, grey otherwise. */
export function DisponibiliteBadge({ value }: { value: Technicien['disponibilite'] }) {
  return <ToneBadge color={value === 'disponible' ? 'green' : value === 'occupe' ? 'orange' : 'gray'}>{DISPONIBILITE_LABELS[value]}</ToneBadge>;
}
