/** Interventions: the server's page of 50 with its X-Total-Count, filters and sort in the URL. */
import { Anchor, Button, Group, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrapPage } from '../api/client';
import { InterventionFilters } from '../components/InterventionFilters';
import { ListPagination } from '../components/ListPagination';
import { Empty, LoadError, Loading } from '../components/States';
import { StatutBadge, ToneBadge } from '../components/StatutBadge';
import { useMe } from '../auth/useSession';
import { formatDateTime } from '../lib/format';
import { PRIORITE_LABELS, TYPE_LABELS } from '../lib/labels';
import { apiQuery, PAGE_SIZE, readFilters, writeFilters, type ListFilters } from '../lib/listParams';

export default function InterventionsPage() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const query = apiQuery(filters);
  const list = useQuery({
    queryKey: ['interventions', query],
    queryFn: () => unwrapPage(api.GET('/api/v1/interventions/', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  // A filter change goes back to page 1; a page change keeps the filters.
  const change = (next: Partial<ListFilters>) => setParams(writeFilters({ ...filters, page: 1, ...next }));
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
      {list.isPending && <Loading label="Chargement des interventions…" />}
      {list.isError && <LoadError error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && (
        <>
          <Text size="sm" mb="xs" aria-live="polite" data-testid="total">
            {list.data.total} intervention{list.data.total > 1 ? 's' : ''}
          </Text>
          {list.data.rows.length === 0 ? (
            <Empty>Aucune intervention ne correspond à ces filtres.</Empty>
          ) : (
            <Table.ScrollContainer minWidth={800}>
              <Table striped highlightOnHover aria-label="Liste des interventions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>N°</Table.Th>
                    <Table.Th>Titre</Table.Th>
                    <Table.Th>Statut</Table.Th>
                    <Table.Th>Priorité</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Équipement</Table.Th>
                    <Table.Th>Technicien</Table.Th>
                    <Table.Th>Échéance</Table.Th>
                    <Table.Th>Créée le</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.data.rows.map((row) => (
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
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <ListPagination total={list.data.total} pageSize={PAGE_SIZE} page={filters.page} onChange={(page) => setParams(writeFilters({ ...filters, page }))} />
        </>
      )}
    </>
  );
}
