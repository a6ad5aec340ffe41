/** One equipment: its fields, its owner and contract, its latest interventions; edit or request work. */
import { Anchor, Breadcrumbs, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useClient, useContrats, useEquipement } from '../api/parc';
import { useMe } from '../auth/useSession';
import { Field, LongText } from '../components/Field';
import { RecentInterventions } from '../components/RecentInterventions';
import { LoadError, Loading } from '../components/States';
import { ToneBadge } from '../components/StatutBadge';
import { formatDate, formatMoney } from '../lib/format';
import { CRITICITE_LABELS, STATUT_EQUIPEMENT_COLORS, STATUT_EQUIPEMENT_LABELS } from '../lib/parc-labels';
import NotFoundPage from './NotFoundPage';

export default function EquipementDetailPage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const me = useMe();
  const equipement = useEquipement(valid ? id : 0);
  const clientId = equipement.data?.client_id ?? null;
  const client = useClient(clientId);
  const contrats = useContrats(clientId);
  if (!valid) return <NotFoundPage />;
  if (equipement.isPending) return <Loading label="Chargement de l’équipement…" />;
  if (equipement.isError) return <LoadError error={equipement.error} onRetry={() => void equipement.refetch()} />;

  const row = equipement.data;
  const role = me.data?.role;
  const manager = role === 'admin' || role === 'responsable';
  const contrat = contrats.data?.rows.find((c) => c.id === row.contrat_id);
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/equipements">{role === 'client' ? 'Mes équipements' : 'Équipements'}</Anchor>
        <Text size="sm">{row.code_interne ?? `N° ${row.id}`}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{row.nom}</Title>
          <Group gap="xs">
            <ToneBadge color={STATUT_EQUIPEMENT_COLORS[row.statut]}>{STATUT_EQUIPEMENT_LABELS[row.statut]}</ToneBadge>
            <ToneBadge color="gray">Criticité : {CRITICITE_LABELS[row.criticite].toLowerCase()}</ToneBadge>
          </Group>
        </Stack>
        <Group gap="xs">
          {manager && <Button variant="default" component={Link} to={`/equipements/${row.id}/modifier`}>Modifier</Button>}
          {role && role !== 'technicien' && (
            <Button component={Link} to={`/interventions/nouvelle?equipement_id=${row.id}`}>
              {role === 'client' ? 'Demander une intervention' : 'Nouvelle intervention'}
            </Button>
          )}
        </Group>
      </Group>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, xs: 2, sm: 3 }}>
          <Field label="Type">{row.type}</Field>
          <Field label="Localisation">{row.localisation}</Field>
          <Field label="Bâtiment / étage / zone">{[row.batiment, row.etage, row.zone].filter(Boolean).join(' · ') || '—'}</Field>
          <Field label="Marque et modèle">{[row.marque, row.modele].filter(Boolean).join(' ') || '—'}</Field>
          <Field label="N° de série">{row.numero_serie ?? '—'}</Field>
          <Field label="Code interne">{row.code_interne ?? '—'}</Field>
          <Field label="Entretien">{row.frequence_entretien ? `Tous les ${row.frequence_entretien} jours` : 'Aucune fréquence définie'}</Field>
          <Field label="Mise en service">{formatDate(row.date_mise_en_service)}</Field>
          <Field label="Fin de garantie">{formatDate(row.date_fin_garantie)}</Field>
          {manager && <Field label="Coût d’acquisition">{formatMoney(row.cout_acquisition)}</Field>}
          <Field label="Client">
            {row.client_id === null ? 'MIF Maroc (équipement interne)' : manager ? <Anchor component={Link} to={`/clients/${row.client_id}`} size="sm">{client.data?.nom_entreprise ?? `N° ${row.client_id}`}</Anchor> : (client.data?.nom_entreprise ?? '…')}
          </Field>
          <Field label="Contrat">{row.contrat_id === null ? 'Aucun' : contrat ? `${contrat.numero_contrat} — ${contrat.nom_contrat}` : `N° ${row.contrat_id}`}</Field>
        </SimpleGrid>
        <Stack mt="md"><LongText label="Description" value={row.description} /></Stack>
      </Paper>
      <RecentInterventions filter={{ equipement_id: row.id }} title="Dernières interventions" label="Dernières interventions de l’équipement" empty="Aucune intervention sur cet équipement." />
    </Stack>
  );
}
