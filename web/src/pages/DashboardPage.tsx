/** Tableau de bord from /dashboard/stats (scoped by role on the server); each figure links to its list. */
import { Card, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { Priorite, Statut } from '../api/types';
import { BarChart } from '../components/BarChart';
import { LoadError, Loading } from '../components/States';
import { PRIORITE_LABELS, STATUT_COLORS, STATUT_LABELS } from '../lib/labels';

const MONTHS: Record<string, string> = { Jan: 'janv.', Feb: 'févr.', Mar: 'mars', Apr: 'avr.', May: 'mai', Jun: 'juin', Jul: 'juil.', Aug: 'août', Sep: 'sept.', Oct: 'oct.', Nov: 'nov.', Dec: 'déc.' };
const STATUTS: Exclude<Statut, 'cloturee'>[] = ['ouverte', 'affectee', 'en_cours', 'en_attente', 'annulee', 'archivee'];
const PRIORITES: Priorite[] = ['urgente', 'haute', 'normale', 'basse', 'programmee'];
const PRIORITE_COLORS: Record<Priorite, string> = { urgente: 'red', haute: 'orange', normale: 'blue', basse: 'teal', programmee: 'grape' };

function Figure({ label, value, to }: { label: string; value: number | string; to: string }) {
  return (
    <Card withBorder component={Link} to={to} padding="md">
      <Text size="sm" c="dimmed">{label}</Text>
      <Text fz={28} fw={700}>{value}</Text>
    </Card>
  );
}

export default function DashboardPage() {
  const stats = useQuery({ queryKey: ['dashboard'], queryFn: () => unwrap(api.GET('/api/v1/dashboard/stats')) });
  return (
    <>
      <Title order={1} mb="md">Tableau de bord</Title>
      {stats.isPending && <Loading />}
      {stats.isError && <LoadError error={stats.error} onRetry={() => void stats.refetch()} />}
      {stats.data && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} mb="lg">
            <Figure label="Ouvertes" value={stats.data.interventions.ouverte} to="/interventions?statut=ouverte" />
            <Figure label="En cours" value={stats.data.interventions.en_cours} to="/interventions?statut=en_cours" />
            <Figure label="En attente" value={stats.data.interventions.en_attente} to="/interventions?statut=en_attente" />
            <Figure label="En retard" value={stats.data.interventions.en_retard} to="/interventions?en_retard=true" />
            <Figure label="Terminées" value={stats.data.interventions.terminees} to="/interventions?statut=cloturee,archivee" />
            <Figure label="Taux de résolution" value={`${stats.data.taux_resolution.toLocaleString('fr-FR')} %`} to="/interventions" />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <Paper withBorder p="md">
              <Title order={2} size="h4" mb="sm">Évolution mensuelle</Title>
              <BarChart
                title="Interventions créées par mois"
                bars={stats.data.evolution_mensuelle.map((month) => ({ label: `${MONTHS[month.month] ?? month.month} ${month.year}`, value: month.total, color: 'blue' }))}
              />
            </Paper>
            <Paper withBorder p="md">
              <Title order={2} size="h4" mb="sm">Par statut</Title>
              <BarChart
                title="Interventions par statut"
                bars={STATUTS.map((statut) => ({ label: STATUT_LABELS[statut], value: stats.data.interventions[statut], color: STATUT_COLORS[statut], to: `/interventions?statut=${statut}` }))}
              />
            </Paper>
            <Paper withBorder p="md">
              <Title order={2} size="h4" mb="sm">Par priorité</Title>
              <BarChart
                title="Interventions par priorité"
                bars={PRIORITES.map((priorite) => ({ label: PRIORITE_LABELS[priorite], value: stats.data.priorites[priorite], color: PRIORITE_COLORS[priorite], to: `/interventions?priorite=${priorite}` }))}
              />
            </Paper>
          </SimpleGrid>
          <Group mt="md">
            <Text size="sm" c="dimmed">
              Ce mois-ci : {stats.data.interventions.total_mensuel} créée(s), {stats.data.interventions.terminees_mensuel} clôturée(s) — {stats.data.interventions.total} au total.
            </Text>
          </Group>
        </>
      )}
    </>
  );
}
