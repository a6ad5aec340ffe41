/**
 * Mon espace, the client portal (role `client`): the company's equipment, each with its request
 * button, the company's latest interventions (their documents are on each detail page) and contracts.
 * The API scopes every list to the account's company (docs/security.md §5).
 */
import { Alert, Anchor, Button, Card, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, unwrapPage } from '../api/client';
import { useClient, useContrats } from '../api/parc';
import { useMe } from '../auth/useSession';
import { ContratsTable } from '../components/ContratsTable';
import { RecentInterventions } from '../components/RecentInterventions';
import { Empty, LoadError, Loading } from '../components/States';
import { ToneBadge } from '../components/StatutBadge';
import { STATUT_EQUIPEMENT_COLORS, STATUT_EQUIPEMENT_LABELS } from '../lib/parc-labels';

export default function ClientPortalPage() {
  const me = useMe();
  const clientId = me.data?.client_id ?? null;
  const client = useClient(clientId);
  const contrats = useContrats(clientId);
  const equipements = useQuery({
    queryKey: ['equipements', 'portal'],
    queryFn: () => unwrapPage(api.GET('/api/v1/equipements/', { params: { query: { limit: 12, sort: 'nom' } } })),
    enabled: clientId !== null,
  });
  if (!me.data) return <Loading />;
  if (clientId === null) {
    return (
      <Stack>
        <Title order={1}>Mon espace client</Title>
        <Alert color="yellow" title="Compte non rattaché">Votre compte n’est rattaché à aucune entreprise cliente : contactez MIF Maroc pour qu’il le soit.</Alert>
      </Stack>
    );
  }
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={1}>Mon espace client</Title>
          <Text c="dimmed">{client.data?.nom_entreprise ?? ' '}</Text>
        </Stack>
        <Button component={Link} to="/interventions/nouvelle">Demander une intervention</Button>
      </Group>

      <Paper withBorder p="md" component="section" aria-labelledby="portail-equipements">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="portail-equipements">Mes équipements{equipements.data ? ` (${equipements.data.total})` : ''}</Title>
          {equipements.data && equipements.data.total > equipements.data.rows.length && <Anchor component={Link} to="/equipements" size="sm">Tous mes équipements</Anchor>}
        </Group>
        {equipements.isPending && <Loading label="Chargement de vos équipements…" />}
        {equipements.isError && <LoadError error={equipements.error} onRetry={() => void equipements.refetch()} />}
        {equipements.data?.rows.length === 0 && <Empty>Aucun équipement n’est enregistré pour votre entreprise.</Empty>}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          {equipements.data?.rows.map((row) => (
            <Card key={row.id} withBorder padding="sm" component="article" aria-labelledby={`equipement-${row.id}`}>
              <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                <Anchor component={Link} to={`/equipements/${row.id}`} fw={600} id={`equipement-${row.id}`}>{row.nom}</Anchor>
                <ToneBadge color={STATUT_EQUIPEMENT_COLORS[row.statut]}>{STATUT_EQUIPEMENT_LABELS[row.statut]}</ToneBadge>
              </Group>
              <Text size="sm" c="dimmed">{row.type} · {row.localisation}</Text>
              <Button mt="sm" size="xs" variant="default" component={Link} to={`/interventions/nouvelle?equipement_id=${row.id}`} aria-label={`Demander une intervention sur ${row.nom}`}>
                Demander une intervention
              </Button>
            </Card>
          ))}
        </SimpleGrid>
      </Paper>

      <RecentInterventions
        filter={{}}
        title="Mes interventions"
        label="Mes dernières interventions"
        empty="Aucune intervention pour le moment : demandez-en une depuis un équipement."
        hint="Les rapports et photos de chaque intervention sont sur sa page."
        showEquipement
      />

      <Paper withBorder p="md" component="section" aria-labelledby="portail-contrats">
        <Title order={2} size="h4" mb="sm" id="portail-contrats">Mes contrats</Title>
        {contrats.isPending && <Loading />}
        {contrats.isError && <LoadError error={contrats.error} onRetry={() => void contrats.refetch()} />}
        {contrats.data?.rows.length === 0 && <Empty>Aucun contrat en cours avec MIF Maroc.</Empty>}
        {contrats.data && contrats.data.rows.length > 0 && <ContratsTable rows={contrats.data.rows} />}
      </Paper>
    </Stack>
  );
}
