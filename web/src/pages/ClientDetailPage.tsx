/** One client: the company and its contact, its contracts (create, edit), its equipment and latest work. */
import { Anchor, Breadcrumbs, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useClient, useContrats } from '../api/parc';
import type { Contrat } from '../api/types';
import { ContratDialog } from '../components/ContratDialog';
import { ContratsTable } from '../components/ContratsTable';
import { Field, LongText } from '../components/Field';
import { RecentInterventions } from '../components/RecentInterventions';
import { Empty, LoadError, Loading } from '../components/States';
import { ToneBadge } from '../components/StatutBadge';
import { NIVEAU_SERVICE_LABELS, TYPE_CLIENT_LABELS } from '../lib/parc-labels';
import NotFoundPage from './NotFoundPage';

export default function ClientDetailPage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const client = useClient(valid ? id : null);
  const contrats = useContrats(valid ? id : null);
  const [editing, setEditing] = useState<Contrat | 'new' | null>(null);
  if (!valid) return <NotFoundPage />;
  if (client.isPending) return <Loading label="Chargement du client…" />;
  if (client.isError) return <LoadError error={client.error} onRetry={() => void client.refetch()} />;

  const row = client.data;
  const address = [row.adresse_ligne1, row.adresse_ligne2, [row.code_postal, row.ville].filter(Boolean).join(' '), row.region, row.pays].filter(Boolean).join(', ');
  return (
    <Stack>
      <Breadcrumbs>
        <Anchor component={Link} to="/clients">Clients & contrats</Anchor>
        <Text size="sm">N° {row.id}</Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{row.nom_entreprise}</Title>
          <Group gap="xs">
            <ToneBadge color={row.is_active ? 'green' : 'gray'}>{row.is_active ? 'Actif' : 'Désactivé'}</ToneBadge>
            <ToneBadge color="blue">Service {NIVEAU_SERVICE_LABELS[row.niveau_service].toLowerCase()}</ToneBadge>
          </Group>
        </Stack>
        <Group gap="xs">
          <Button variant="default" component={Link} to={`/equipements?client_id=${row.id}`}>Ses équipements</Button>
          <Button variant="default" component={Link} to={`/clients/${row.id}/modifier`}>Modifier</Button>
        </Group>
      </Group>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, xs: 2, sm: 3 }}>
          <Field label="Type">{TYPE_CLIENT_LABELS[row.type_client]}</Field>
          <Field label="Nom commercial">{row.nom_commercial ?? '—'}</Field>
          <Field label="Secteur d’activité">{row.secteur_activite ?? '—'}</Field>
          <Field label="ICE">{row.ice ?? '—'}</Field>
          <Field label="N° de TVA">{row.numero_tva ?? '—'}</Field>
          <Field label="Contact">{[row.prenom_contact, row.nom_contact].filter(Boolean).join(' ')}{row.fonction_contact ? ` (${row.fonction_contact})` : ''}</Field>
          <Field label="E-mail"><Anchor href={`mailto:${row.email}`} size="sm">{row.email}</Anchor></Field>
          <Field label="Téléphone">{[row.telephone, row.telephone_mobile].filter(Boolean).join(' · ') || '—'}</Field>
          <Field label="Adresse">{address || '—'}</Field>
        </SimpleGrid>
        <Stack mt="md"><LongText label="Notes" value={row.notes} /></Stack>
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="client-contrats">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="client-contrats">Contrats{contrats.data ? ` (${contrats.data.total})` : ''}</Title>
          <Button size="xs" onClick={() => setEditing('new')}>Nouveau contrat</Button>
        </Group>
        {contrats.isPending && <Loading />}
        {contrats.isError && <LoadError error={contrats.error} onRetry={() => void contrats.refetch()} />}
        {contrats.data?.rows.length === 0 && <Empty>Aucun contrat : ce client est facturé à l’intervention.</Empty>}
        {contrats.data && contrats.data.rows.length > 0 && <ContratsTable rows={contrats.data.rows} onEdit={setEditing} />}
      </Paper>
      <RecentInterventions filter={{ client_id: row.id }} title="Dernières interventions" label="Dernières interventions du client" empty="Aucune intervention pour ce client." showEquipement />
      <ContratDialog clientId={row.id} editing={editing} onClose={() => setEditing(null)} />
    </Stack>
  );
}
