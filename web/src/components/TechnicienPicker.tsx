/** Chooses a technician, showing each one's availability and skills. */
import { Group, Select, Stack, Text } from '@mantine/core';
import { technicienName, useTechniciens } from '../api/lookups';
import { DISPONIBILITE_LABELS } from '../lib/labels';
import { DisponibiliteBadge } from './DisponibiliteBadge';
import { ToneBadge } from './StatutBadge';

export function TechnicienPicker({ value, onChange, error }: { value: string | null; onChange: (value: string | null) => void; error?: string }) {
  const techniciens = useTechniciens();
  const byId = new Map((techniciens.data ?? []).map((t) => [String(t.id), t]));
  const selected = value ? byId.get(value) : undefined;
  return (
    <Stack gap="xs">
      <Select
        label="Technicien"
        placeholder={techniciens.isPending ? 'Chargement des techniciens…' : 'Choisir un technicien'}
        searchable
        data={(techniciens.data ?? []).map((t) => ({
          value: String(t.id),
          label: `${technicienName(t)} — ${DISPONIBILITE_LABELS[t.disponibilite]}${t.competences.length > 0 ? ` — ${t.competences.map((c) => c.nom).join(', ')}` : ''}`,
        }))}
        value={value}
        onChange={onChange}
        error={error ?? (techniciens.isError ? 'Impossible de charger les techniciens' : undefined)}
        nothingFoundMessage="Aucun technicien"
        comboboxProps={{ withinPortal: true }}
      />
      {selected && (
        <Group gap={6}>
          <DisponibiliteBadge value={selected.disponibilite} />
          {selected.competences.length === 0 && <Text size="xs" c="dimmed">Aucune compétence renseignée</Text>}
          {selected.competences.map((c) => (
            <ToneBadge key={c.id} color="gray" size="sm">{c.nom}</ToneBadge>
          ))}
        </Group>
      )}
    </Stack>
  );
}
