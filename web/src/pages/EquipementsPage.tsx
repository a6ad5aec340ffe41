/** Équipements: the server's page of 50 with its X-Total-Count, filters in the URL; a client sees their own. */
import { Anchor, Button, Group, MultiSelect, Select, SimpleGrid, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrapPage } from '../api/client';
import { useClients } from '../api/lookups';
import type { Criticite, StatutEquipement } from '../api/types';
import { useMe } from '../auth/useSession';
import { FoldingFilters } from '../components/FoldingFilters';
import { PagedTable } from '../components/PagedTable';
import { ToneBadge } from '../components/StatutBadge';
import { options } from '../lib/labels';
import { CRITICITE_LABELS, STATUT_EQUIPEMENT_COLORS, STATUT_EQUIPEMENT_LABELS } from '../lib/parc-labels';
import { LIST_PAGE_SIZE, useUrlState } from '../lib/useUrlState';

const SORTS = [
  { value: 'nom', label: 'Nom' },
  { value: '-created_at', label: 'Ajoutés récemment' },
  { value: 'statut', label: 'Statut' },
  { value: 'criticite', label: 'Criticité' },
];

export default function EquipementsPage() {
  const me = useMe();
  const manager = me.data?.role === 'admin' || me.data?.role === 'responsable';
  const filters = useUrlState();
  const clients = useClients(manager);
  const clientNames = new Map((clients.data ?? []).map((c) => [c.id, c.nom_entreprise]));
  const [q, setQ] = useState(filters.value('q'));
  const pushQ = useDebouncedCallback((value: string) => filters.set('q', value.trim()), 350);
  const query = {
    limit: LIST_PAGE_SIZE,
    offset: filters.offset,
    sort: filters.value('sort') || 'nom',
    ...(filters.value('q') ? { q: filters.value('q') } : {}),
    ...(filters.list('statut').length > 0 ? { statut: filters.list('statut') as StatutEquipement[] } : {}),
    ...(filters.list('criticite').length > 0 ? { criticite: filters.list('criticite') as Criticite[] } : {}),
    ...(filters.value('client_id') ? { client_id: Number(filters.value('client_id')) } : {}),
  };
  const list = useQuery({
    queryKey: ['equipements', 'page', query],
    queryFn: () => unwrapPage(api.GET('/api/v1/equipements/', { params: { query } })),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1}>{me.data?.role === 'client' ? 'Mes équipements' : 'Équipements'}</Title>
        {manager && <Button component={Link} to="/equipements/nouveau">Nouvel équipement</Button>}
      </Group>
      <FoldingFilters active={[filters.value('q'), filters.list('statut').length, filters.list('criticite').length, filters.value('client_id')].filter(Boolean).length}>
      <SimpleGrid cols={{ base: 1, xs: 2, md: manager ? 5 : 4 }} mb="md" spacing="sm">
        <TextInput label="Recherche" placeholder="Nom, n° de série, code interne" value={q} onChange={(e) => { setQ(e.currentTarget.value); pushQ(e.currentTarget.value); }} />
        <MultiSelect label="Statut" placeholder={filters.list('statut').length > 0 ? undefined : 'Tous'} data={options(STATUT_EQUIPEMENT_LABELS)} value={filters.list('statut')} onChange={(value) => filters.set('statut', value)} clearable />
        <MultiSelect label="Criticité" placeholder={filters.list('criticite').length > 0 ? undefined : 'Toutes'} data={options(CRITICITE_LABELS)} value={filters.list('criticite')} onChange={(value) => filters.set('criticite', value)} clearable />
        {manager && (
          <Select
            label="Client"
            searchable
            clearable
            placeholder="Tous"
            data={(clients.data ?? []).map((c) => ({ value: String(c.id), label: c.nom_entreprise }))}
            value={filters.value('client_id') || null}
            onChange={(value) => filters.set('client_id', value)}
          />
        )}
        <Select label="Tri" data={SORTS} value={filters.value('sort') || 'nom'} onChange={(value) => filters.set('sort', value === 'nom' ? null : value)} allowDeselect={false} />
      </SimpleGrid>
      </FoldingFilters>
      <PagedTable
        list={list}
        loadingLabel="Chargement des équipements…"
        noun="équipement"
        empty={filters.filtered ? 'Aucun équipement ne correspond à ces filtres.' : 'Aucun équipement enregistré pour le moment.'}
        label="Liste des équipements"
        minWidth={720}
        columns={['Nom', 'Type', 'Localisation', 'Statut', 'Criticité', manager && 'Client', 'N° de série']}
        row={(row) => (
          <Table.Tr key={row.id}>
            <Table.Td><Anchor component={Link} to={`/equipements/${row.id}`}>{row.nom}</Anchor></Table.Td>
            <Table.Td>{row.type}</Table.Td>
            <Table.Td>{row.localisation}</Table.Td>
            <Table.Td><ToneBadge color={STATUT_EQUIPEMENT_COLORS[row.statut]}>{STATUT_EQUIPEMENT_LABELS[row.statut]}</ToneBadge></Table.Td>
            <Table.Td>{CRITICITE_LABELS[row.criticite]}</Table.Td>
            {manager && <Table.Td>{row.client_id ? (clientNames.get(row.client_id) ?? `N° ${row.client_id}`) : 'MIF Maroc'}</Table.Td>}
            <Table.Td>{row.numero_serie ?? '—'}</Table.Td>
          </Table.Tr>
        )}
        page={filters.page}
        onPage={filters.setPage}
        aside={<Button variant="subtle" size="xs" onClick={() => { setQ(''); filters.clear(); }}>Effacer les filtres</Button>}
      />
    </>
  );
}
