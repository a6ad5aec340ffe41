/** Clients & contrats: the server's page of 50 with its X-Total-Count, filters in the URL. */
import { Anchor, Button, Group, MultiSelect, Select, SimpleGrid, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrapPage } from '../api/client';
import type { Client } from '../api/types';
import { FoldingFilters } from '../components/FoldingFilters';
import { PagedTable } from '../components/PagedTable';
import { ToneBadge } from '../components/StatutBadge';
import { options } from '../lib/labels';
import { NIVEAU_SERVICE_LABELS, TYPE_CLIENT_LABELS } from '../lib/parc-labels';
import { LIST_PAGE_SIZE, useUrlState } from '../lib/useUrlState';

const ACTIVE = [
  { value: 'true', label: 'Actifs' },
  { value: 'false', label: 'Désactivés' },
];

export default function ClientsPage() {
  const filters = useUrlState();
  const [q, setQ] = useState(filters.value('q'));
  const pushQ = useDebouncedCallback((value: string) => filters.set('q', value.trim()), 350);
  const active = filters.value('is_active');
  const query = {
    limit: LIST_PAGE_SIZE,
    offset: filters.offset,
    sort: 'nom_entreprise',
    ...(filters.value('q') ? { q: filters.value('q') } : {}),
    ...(filters.list('type_client').length > 0 ? { type_client: filters.list('type_client') as Client['type_client'][] } : {}),
    ...(active === 'true' || active === 'false' ? { is_active: active } : {}),
  } as const;
  const list = useQuery({
    queryKey: ['clients', 'page', query],
    queryFn: () => unwrapPage(api.GET('/api/v1/clients/', { params: { query } })),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1}>Clients & contrats</Title>
        <Button component={Link} to="/clients/nouveau">Nouveau client</Button>
      </Group>
      <FoldingFilters active={[filters.value('q'), filters.list('type_client').length, active].filter(Boolean).length}>
      <SimpleGrid cols={{ base: 1, xs: 3 }} mb="md" spacing="sm">
        <TextInput label="Recherche" placeholder="Entreprise, nom commercial, ICE" value={q} onChange={(e) => { setQ(e.currentTarget.value); pushQ(e.currentTarget.value); }} />
        <MultiSelect label="Type de client" placeholder={filters.list('type_client').length > 0 ? undefined : 'Tous'} data={options(TYPE_CLIENT_LABELS)} value={filters.list('type_client')} onChange={(value) => filters.set('type_client', value)} clearable />
        <Select label="État" data={ACTIVE} value={active || null} onChange={(value) => filters.set('is_active', value)} clearable placeholder="Tous" />
      </SimpleGrid>
      </FoldingFilters>
      <PagedTable
        list={list}
        loadingLabel="Chargement des clients…"
        noun="client"
        empty={filters.filtered ? 'Aucun client ne correspond à ces filtres.' : 'Aucun client enregistré : créez le premier avec « Nouveau client ».'}
        label="Liste des clients"
        minWidth={720}
        columns={['Entreprise', 'Contact', 'E-mail', 'Ville', 'Niveau de service', 'État']}
        row={(row) => (
          <Table.Tr key={row.id}>
            <Table.Td><Anchor component={Link} to={`/clients/${row.id}`}>{row.nom_entreprise}</Anchor></Table.Td>
            <Table.Td>{[row.prenom_contact, row.nom_contact].filter(Boolean).join(' ')}</Table.Td>
            <Table.Td>{row.email}</Table.Td>
            <Table.Td>{row.ville ?? '—'}</Table.Td>
            <Table.Td>{NIVEAU_SERVICE_LABELS[row.niveau_service]}</Table.Td>
            <Table.Td><ToneBadge color={row.is_active ? 'green' : 'gray'}>{row.is_active ? 'Actif' : 'Désactivé'}</ToneBadge></Table.Td>
          </Table.Tr>
        )}
        page={filters.page}
        onPage={filters.setPage}
      />
    </>
  );
}
