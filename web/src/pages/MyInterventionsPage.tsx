/**
 * Mes interventions, for a technician on a phone (360 px): the active ones by urgency then due date,
 * with start / pause / resume / close at hand.
 */
import { Anchor, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, unwrapPage } from '../api/client';
import type { Intervention } from '../api/types';
import { useMe } from '../auth/useSession';
import { Empty, LoadError, Loading } from '../components/States';
import { StatutBadge, ToneBadge } from '../components/StatutBadge';
import { TransitionButtons } from '../components/TransitionButtons';
import { formatDateTime } from '../lib/format';
import { PRIORITE_LABELS } from '../lib/labels';

/** Urgent first, then the nearest due date (none last), then the oldest. */
function byUrgency(a: Intervention, b: Intervention): number {
  if (a.urgence !== b.urgence) return a.urgence ? -1 : 1;
  const due = (row: Intervention) => (row.date_limite ? Date.parse(row.date_limite) : Number.POSITIVE_INFINITY);
  return due(a) - due(b) || Date.parse(a.date_creation) - Date.parse(b.date_creation);
}

export default function MyInterventionsPage() {
  const me = useMe();
  const list = useQuery({
    queryKey: ['interventions', 'mine'],
    queryFn: () => unwrapPage(api.GET('/api/v1/interventions/', { params: { query: { statut: ['affectee', 'en_cours', 'en_attente'], limit: 200, sort: 'date_limite' } } })),
  });
  return (
    <Stack gap="sm">
      <Title order={1}>Mes interventions</Title>
      {list.isPending && <Loading label="Chargement de vos interventions…" />}
      {list.isError && <LoadError error={list.error} onRetry={() => void list.refetch()} />}
      {list.data?.rows.length === 0 && <Empty>Aucune intervention en cours ne vous est affectée.</Empty>}
      {list.data && list.data.total > 0 && <Text size="sm" c="dimmed">{list.data.total} intervention{list.data.total > 1 ? 's' : ''} à traiter</Text>}
      {[...(list.data?.rows ?? [])].sort(byUrgency).map((row) => (
        <Card key={row.id} withBorder padding="sm" component="article" aria-labelledby={`intervention-${row.id}`}>
          <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
            <Anchor component={Link} to={`/interventions/${row.id}`} fw={600} id={`intervention-${row.id}`}>
              {row.titre}
            </Anchor>
            <StatutBadge statut={row.statut} />
          </Group>
          <Text size="sm">{row.equipement_nom ?? `Équipement n° ${row.equipement_id}`}</Text>
          <Group gap="xs" my={6}>
            {row.urgence && <ToneBadge color="red" size="sm">Urgent</ToneBadge>}
            {row.en_retard && <ToneBadge color="orange" size="sm">En retard</ToneBadge>}
            <Text size="xs" c="dimmed">Priorité {PRIORITE_LABELS[row.priorite].toLowerCase()} · échéance {formatDateTime(row.date_limite)}</Text>
          </Group>
          {me.data && <TransitionButtons intervention={row} role={me.data.role} size="lg" />}
        </Card>
      ))}
    </Stack>
  );
}
