/** Interventions: the server's page of 50 with its X-Total-Count, filters and sort in the URL. */
import { Anchor, Button, Group, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { interventionsPageOptions } from '../api/interventions';
import { InterventionFilters } from '../components/InterventionFilters';
import { PagedTable } from '../components/PagedTable';
import { StatutBadge, ToneBadge } from '../components/StatutBadge';
import { useMe } from '../auth/useSession';
import { formatDateTime } from '../lib/format';
import { PRIORITE_LABELS, TYPE_LABELS } from '../lib/labels';
import { apiQuery, readFilters, writeFilters, type ListFilters } from '../lib/listParams';
import { useUrlState } from '../lib/useUrlState';

export default function InterventionsPage() {
  const me = useMe();
  const url = useUrlState();
  const filters = readFilters(url.params);
  const query = apiQuery(filters);
  const list = useQuery(interventionsPageOptions(query));
  // The typed filters (lib/listParams.ts, also read by boot.ts before the first render), written whole.
  const change = (next: Partial<ListFilters>) => url.setAll(writeFilters({ ...filters, ...next }));
  const role = me.data?.role;

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1}>Interventions</Title>
        {role && role !== 'technicien' && (
          <Button component={Link} to="/interventions/nouvelle">
            {role === 'client' ? 'Demander une intervention' : 'Nouvelle intervention'}
          </Button>
        )}
      </Group>
      {role && <InterventionFilters filters={filters} role={role} onChange={change} />}
      <PagedTable
        list={list}
        loadingLabel="Chargement des interventions…"
        noun="intervention"
        empty="Aucune intervention ne correspond à ces filtres."
        label="Liste des interventions"
        minWidth={800}
        columns={['N°', 'Titre', 'Statut', 'Priorité', 'Type', 'Équipement', 'Technicien', 'Échéance', 'Créée le']}
        row={(row) => (
          <Table.Tr key={row.id}>
            <Table.Td>{row.id}</Table.Td>
            <Table.Td>
              <Anchor component={Link} to={`/interventions/${row.id}`}>{row.titre}</Anchor>
              {row.urgence && <span style={{ marginLeft: 6 }}><ToneBadge color="red" size="xs">Urgent</ToneBadge></span>}
              {row.en_retard && <span style={{ marginLeft: 6 }}><ToneBadge color="orange" size="xs">En retard</ToneBadge></span>}
            </Table.Td>
            <Table.Td><StatutBadge statut={row.statut} /></Table.Td>
            <Table.Td>{PRIORITE_LABELS[row.priorite]}</Table.Td>
            <Table.Td>{TYPE_LABELS[row.type]}</Table.Td>
            <Table.Td>{row.equipement_nom ?? '—'}</Table.Td>
            <Table.Td>{row.technicien_nom ?? 'Non affectée'}</Table.Td>
            <Table.Td>{formatDateTime(row.date_limite)}</Table.Td>
            <Table.Td>{formatDateTime(row.date_creation)}</Table.Td>
          </Table.Tr>
        )}
        page={url.page}
        onPage={url.setPage}
      />
    </>
  );
}
