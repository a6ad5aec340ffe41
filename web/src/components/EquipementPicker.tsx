/** Chooses an equipment by name, searchable (the intervention form and the planning dialog). */
import { Select } from '@mantine/core';
import { useEquipements } from '../api/lookups';

export function EquipementPicker({ value, onChange, error }: { value: string | null; onChange: (value: string | null) => void; error?: string }) {
  const equipements = useEquipements();
  return (
    <Select
      label="Équipement"
      required
      searchable
      placeholder={equipements.isPending ? 'Chargement des équipements…' : 'Choisir un équipement'}
      data={(equipements.data ?? []).map((e) => ({ value: String(e.id), label: e.nom }))}
      value={value}
      onChange={onChange}
      error={error ?? (equipements.isError ? 'Impossible de charger les équipements' : undefined)}
      nothingFoundMessage="Aucun équipement"
      comboboxProps={{ withinPortal: true }}
    />
  );
}
