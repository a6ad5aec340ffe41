/** The latest interventions of an equipment, a client or the caller's company, and a link to all of them. */
import { Anchor, Group, Paper, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useRecentInterventions } from '../api/parc';
import { InterventionTable } from './InterventionTable';
import { Empty, LoadError, Loading } from './States';

interface Props {
  /** The list's filter (none: everything in the caller's scope). */
  filter: { equipement_id?: number; client_id?: number };
  title: string;
  /** The table's accessible name. */
  label: string;
  empty: string;
  /** A line above the table. */
  hint?: string;
  showEquipement?: boolean;
}

export function RecentInterventions({ filter, title, label, empty, hint, showEquipement = false }: Props) {
  const interventions = useRecentInterventions(filter);
  const query = new URLSearchParams(Object.entries(filter).map(([key, value]) => [key, String(value)])).toString();
  const headingId = `recent-${query || 'all'}`.replace(/[^a-z0-9-]/gi, '-');
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={headingId}>
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id={headingId}>{title}</Title>
        {interventions.data && interventions.data.total > 0 && (
          <Anchor component={Link} to={query ? `/interventions?${query}` : '/interventions'} size="sm">Toutes ({interventions.data.total})</Anchor>
        )}
      </Group>
      {interventions.isPending && <Loading />}
      {interventions.isError && <LoadError error={interventions.error} onRetry={() => void interventions.refetch()} />}
      {interventions.data?.rows.length === 0 && <Empty>{empty}</Empty>}
      {interventions.data && interventions.data.rows.length > 0 && (
        <>
          {hint && <Text size="sm" c="dimmed" mb="xs">{hint}</Text>}
          <InterventionTable rows={interventions.data.rows} label={label} showEquipement={showEquipement} />
        </>
      )}
    </Paper>
  );
}
