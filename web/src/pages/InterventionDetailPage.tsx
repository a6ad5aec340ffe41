/** One intervention: its fields, the allowed status changes, edit, its documents and its history. */
import { Alert, Anchor, Box, Breadcrumbs, Button, Grid, Group, Paper, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useHistorique, useIntervention } from '../api/interventions';
import { useMe } from '../auth/useSession';
import { LoadError, Loading, Empty } from '../components/States';
import { Field, LongText } from '../components/Field';
import { StatutBadge, ToneBadge } from '../components/StatutBadge';
import { TransitionButtons } from '../components/TransitionButtons';
import { DocumentsPanel } from '../components/documents/DocumentsPanel';
import { formatDateTime, formatMinutes, formatMoney } from '../lib/format';
import { PRIORITE_LABELS, STATUT_LABELS, TYPE_LABELS } from '../lib/labels';
import NotFoundPage from './NotFoundPage';

const EDITABLE = new Set(['ouverte', 'affectee', 'en_cours', 'en_attente']);

export default function InterventionDetailPage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const me = useMe();
  const intervention = useIntervention(valid ? id : 0);
  const historique = useHistorique(valid ? id : 0);
  if (!valid) return <NotFoundPage />;
  if (intervention.isPending) return <Loading label="Chargement de l’intervention…" />;
  if (intervention.isError) return <LoadError error={intervention.error} onRetry={() => void intervention.refetch()} />;

  const row = intervention.data;
  const role = me.data?.role;
  const manager = role === 'admin' || role === 'responsable';
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to={role === 'technicien' ? '/mes-interventions' : '/interventions'}>{role === 'technicien' ? 'Mes interventions' : 'Interventions'}</Anchor>
        <Text size="sm">N° {row.id}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{row.titre}</Title>
          <Group gap="xs">
            <StatutBadge statut={row.statut} />
            {row.urgence && <ToneBadge color="red">Urgent</ToneBadge>}
            {row.en_retard && <ToneBadge color="orange">En retard</ToneBadge>}
          </Group>
        </Stack>
        {manager && EDITABLE.has(row.statut) && (
          <Button variant="default" component={Link} to={`/interventions/${row.id}/modifier`}>Modifier</Button>
        )}
      </Group>
      {role && <TransitionButtons intervention={row} role={role} />}
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Paper withBorder p="md">
            <SimpleGrid cols={{ base: 1, xs: 2, sm: 3 }}>
              <Field label="Type">{TYPE_LABELS[row.type]}</Field>
              <Field label="Priorité">{PRIORITE_LABELS[row.priorite]}</Field>
              <Field label="Équipement">{row.equipement_nom ?? `N° ${row.equipement_id}`}</Field>
              <Field label="Technicien">{row.technicien_nom ?? 'Non affectée'}</Field>
              <Field label="Échéance">{formatDateTime(row.date_limite)}</Field>
              <Field label="Créée le">{formatDateTime(row.date_creation)}</Field>
              <Field label="Affectée le">{formatDateTime(row.date_affectation)}</Field>
              <Field label="Début des travaux">{formatDateTime(row.date_debut_travaux)}</Field>
              <Field label="Clôturée le">{formatDateTime(row.date_cloture)}</Field>
              <Field label="Durée estimée">{formatMinutes(row.duree_estimee)}</Field>
              <Field label="Durée réelle">{formatMinutes(row.duree_reelle)}</Field>
              {row.cout_estime !== undefined && <Field label="Coût estimé">{formatMoney(row.cout_estime)}</Field>}
            </SimpleGrid>
            <Stack mt="md" gap="sm">
              <LongText label="Description" value={row.description} />
              <LongText label="Rapport d’intervention" value={row.rapport_intervention} />
              <LongText label="Travaux réalisés" value={row.travaux_realises} />
              <LongText label="Recommandations" value={row.recommandations} />
            </Stack>
          </Paper>
          {me.data && <Box mt="md"><DocumentsPanel intervention={row} me={me.data} /></Box>}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">Historique</Title>
            {historique.isPending && <Loading />}
            {historique.isError && <Alert color="red">Historique indisponible : {historique.error.message}</Alert>}
            {historique.data?.length === 0 && <Empty>Aucun changement enregistré.</Empty>}
            {historique.data && historique.data.length > 0 && (
              <Timeline active={historique.data.length - 1} bulletSize={14} lineWidth={2}>
                {historique.data.map((entry) => (
                  <Timeline.Item key={entry.id} title={entry.statut_precedent && entry.statut_precedent !== entry.statut ? `${STATUT_LABELS[entry.statut_precedent]} → ${STATUT_LABELS[entry.statut]}` : STATUT_LABELS[entry.statut]}>
                    {entry.remarque && <Text size="sm">{entry.remarque}</Text>}
                    <Text size="xs" c="dimmed">{formatDateTime(entry.horodatage)} — {entry.user_nom ?? 'Système'}</Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            )}
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
