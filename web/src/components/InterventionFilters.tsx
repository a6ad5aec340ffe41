/** The filter bar of the interventions list; every change goes to the URL (lib/listParams.ts). */
import { Button, Group, MultiSelect, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { technicienName, useClients, useEquipements, useTechniciens } from '../api/lookups';
import type { Role } from '../api/types';
import { PRIORITE_LABELS, STATUT_LABELS, TYPE_LABELS, options } from '../lib/labels';
import type { ListFilters } from '../lib/listParams';
import { FoldingFilters } from './FoldingFilters';

const YES_NO = [
  { value: 'true', label: 'Oui' },
  { value: 'false', label: 'Non' },
];

export const SORTS = [
  { value: '-date_creation', label: 'Plus récentes d’abord' },
  { value: 'date_creation', label: 'Plus anciennes d’abord' },
  { value: 'date_limite', label: 'Échéance la plus proche' },
  { value: 'priorite', label: 'Priorité (urgente d’abord)' },
  { value: 'statut', label: 'Statut' },
  { value: '-updated_at', label: 'Modifiées récemment' },
];

export function InterventionFilters({ filters, role, onChange }: { filters: ListFilters; role: Role; onChange: (next: Partial<ListFilters>) => void }) {
  const manager = role === 'admin' || role === 'responsable';
  const [wanted, setWanted] = useState({ technicien: Boolean(filters.technicien_id), equipement: Boolean(filters.equipement_id), client: Boolean(filters.client_id) });
  const want = (name: keyof typeof wanted) => () => setWanted((current) => (current[name] ? current : { ...current, [name]: true }));
  const techniciens = useTechniciens(manager && wanted.technicien);
  const equipements = useEquipements(wanted.equipement);
  const clients = useClients(manager && wanted.client);
  const [q, setQ] = useState(filters.q);
  const pushQ = useDebouncedCallback((value: string) => onChange({ q: value }), 350);

  const active = [filters.statut.length, filters.priorite.length, filters.type.length, filters.urgence, filters.en_retard, filters.technicien_id, filters.equipement_id, filters.client_id, filters.q].filter(Boolean).length;
  const grid = (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} mb="md" spacing="sm">
      <TextInput label="Recherche" placeholder="Titre ou description" value={q} onChange={(e) => { setQ(e.currentTarget.value); pushQ(e.currentTarget.value); }} />
      <MultiSelect label="Statut" data={options(STATUT_LABELS)} value={filters.statut} onChange={(value) => onChange({ statut: value as ListFilters['statut'] })} clearable />
      <MultiSelect label="Priorité" data={options(PRIORITE_LABELS)} value={filters.priorite} onChange={(value) => onChange({ priorite: value as ListFilters['priorite'] })} clearable />
      <MultiSelect label="Type" data={options(TYPE_LABELS)} value={filters.type} onChange={(value) => onChange({ type: value as ListFilters['type'] })} clearable />
      <Select label="Urgence" data={YES_NO} value={filters.urgence || null} onChange={(value) => onChange({ urgence: (value ?? '') as ListFilters['urgence'] })} clearable placeholder="Toutes" />
      <Select label="En retard" data={YES_NO} value={filters.en_retard || null} onChange={(value) => onChange({ en_retard: (value ?? '') as ListFilters['en_retard'] })} clearable placeholder="Toutes" />
      {manager && (
        <Select
          label="Technicien"
          onDropdownOpen={want('technicien')}
          searchable
          clearable
          placeholder="Tous"
          data={(techniciens.data ?? []).map((t) => ({ value: String(t.id), label: technicienName(t) }))}
          value={filters.technicien_id || null}
          onChange={(value) => onChange({ technicien_id: value ?? '' })}
        />
      )}
      <Select
        label="Équipement"
        onDropdownOpen={want('equipement')}
        searchable
        clearable
        placeholder="Tous"
        data={(equipements.data ?? []).map((e) => ({ value: String(e.id), label: e.nom }))}
        value={filters.equipement_id || null}
        onChange={(value) => onChange({ equipement_id: value ?? '' })}
      />
      {manager && (
        <Select
          label="Client"
          onDropdownOpen={want('client')}
          searchable
          clearable
          placeholder="Tous"
          data={(clients.data ?? []).map((c) => ({ value: String(c.id), label: c.nom_entreprise }))}
          value={filters.client_id || null}
          onChange={(value) => onChange({ client_id: value ?? '' })}
        />
      )}
      <Select label="Tri" data={SORTS} value={filters.sort} onChange={(value) => onChange({ sort: value ?? '-date_creation' })} allowDeselect={false} />
      <Group align="flex-end">
        <Button variant="default" onClick={() => { setQ(''); onChange({ statut: [], priorite: [], type: [], urgence: '', en_retard: '', technicien_id: '', equipement_id: '', client_id: '', q: '' }); }}>
          Effacer les filtres
        </Button>
      </Group>
    </SimpleGrid>
  );
  // On a phone the eleven fields would push the list off the screen: they fold behind one button.
  return <FoldingFilters active={active}>{grid}</FoldingFilters>;
}
