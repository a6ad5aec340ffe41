/**
 * Administration → Journal d'audit (admin): the server's pages of 50 with X-Total-Count, newest
 * first, filtered by event type prefix, outcome, actor, resource and dates (all in the URL).
 */
import { Code, Select, SimpleGrid, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../api/client';
import type { QueryOf } from '../api/types';
import { DateTimeField } from '../components/DateFields';
import { PagedTable } from '../components/PagedTable';
import { ToneBadge } from '../components/StatutBadge';
import { formatDateTime, fromLocalInput } from '../lib/format';
import { LIST_PAGE_SIZE, useUrlState } from '../lib/useUrlState';

type AuditQuery = QueryOf<'/api/v1/audit/'>;
type Outcome = NonNullable<AuditQuery['outcome']>[number];

const OUTCOMES: Record<Outcome, { label: string; color: string }> = {
  success: { label: 'Succès', color: 'green' },
  failure: { label: 'Échec', color: 'red' },
  denied: { label: 'Refusé', color: 'orange' },
};

const TEXT_FILTERS = [
  { name: 'event_type', label: 'Type d’événement (début)', placeholder: 'auth., user.…' },
  { name: 'actor_user_id', label: 'N° de l’auteur', placeholder: 'ex. 12' },
  { name: 'resource_type', label: 'Type de ressource', placeholder: 'user, intervention…' },
  { name: 'resource_id', label: 'N° de ressource', placeholder: 'ex. 42' },
] as const;

export default function AuditPage() {
  const { page, offset, value, set, setPage } = useUrlState();
  const query: AuditQuery = { limit: LIST_PAGE_SIZE, offset, sort: '-created_at' };
  if (value('event_type').trim()) query.event_type = value('event_type').trim();
  if (value('outcome')) query.outcome = [value('outcome') as Outcome];
  if (/^\d+$/.test(value('actor_user_id'))) query.actor_user_id = Number(value('actor_user_id'));
  if (value('resource_type').trim()) query.resource_type = value('resource_type').trim();
  if (value('resource_id').trim()) query.resource_id = value('resource_id').trim();
  const dateMin = fromLocalInput(value('date_min'));
  const dateMax = fromLocalInput(value('date_max'));
  if (dateMin) query.date_min = dateMin;
  if (dateMax) query.date_max = dateMax;
  const list = useQuery({ queryKey: ['audit', query], queryFn: () => unwrapPage(api.GET('/api/v1/audit/', { params: { query } })), placeholderData: keepPreviousData });

  return (
    <>
      <Title order={1} mb="md">Journal d’audit</Title>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="md">
        {TEXT_FILTERS.map((filter) => (
          <TextInput key={filter.name} label={filter.label} placeholder={filter.placeholder} value={value(filter.name)} onChange={(e) => set(filter.name, e.currentTarget.value)} />
        ))}
        <Select label="Résultat" placeholder="Tous" clearable data={Object.entries(OUTCOMES).map(([v, o]) => ({ value: v, label: o.label }))} value={value('outcome') || null} onChange={(next) => set('outcome', next)} />
        <DateTimeField label="Depuis le" value={value('date_min')} onChange={(next) => set('date_min', next)} />
        <DateTimeField label="Jusqu’au" value={value('date_max')} onChange={(next) => set('date_max', next)} />
      </SimpleGrid>
      <PagedTable
        list={list}
        loadingLabel="Chargement du journal…"
        noun="événement"
        empty="Aucun événement ne correspond à ces filtres."
        label="Journal d’audit"
        minWidth={900}
        // No link in the rows: the scrolled area itself takes the focus, so that a keyboard scrolls it.
        scrollAreaProps={{ viewportProps: { tabIndex: 0, 'aria-label': 'Journal d’audit, défilement horizontal' } }}
        columns={['Date', 'Événement', 'Résultat', 'Auteur', 'Ressource', 'Adresse IP', 'Détails']}
        row={(event) => (
          <Table.Tr key={event.id}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(event.created_at)}</Table.Td>
            <Table.Td><Code>{event.event_type}</Code></Table.Td>
            <Table.Td><ToneBadge color={OUTCOMES[event.outcome].color}>{OUTCOMES[event.outcome].label}</ToneBadge></Table.Td>
            <Table.Td>{event.actor_user_id ? `n° ${event.actor_user_id}${event.actor_role ? ` (${event.actor_role})` : ''}` : 'Système'}</Table.Td>
            <Table.Td>{event.resource_type ? `${event.resource_type}${event.resource_id ? ` n° ${event.resource_id}` : ''}` : '—'}</Table.Td>
            <Table.Td>{event.ip ?? '—'}</Table.Td>
            <Table.Td>
              <Text size="xs" style={{ wordBreak: 'break-word', maxWidth: 320 }}>
                {Object.keys(event.details).length > 0 ? JSON.stringify(event.details) : '—'}
              </Text>
            </Table.Td>
          </Table.Tr>
        )}
        page={page}
        onPage={setPage}
      />
    </>
  );
}
