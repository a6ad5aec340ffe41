/**
 * Create and edit an equipment (admin, responsable). The API's validation errors are shown on their
 * fields; an edit sends only what changed.
 */
import { Alert, Button, Group, Paper, Select, SimpleGrid, Stack, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { useClients } from '../api/lookups';
import { useContrats, useEquipement } from '../api/parc';
import type { Equipement, EquipementCreate } from '../api/types';
import { DateField } from '../components/DateFields';
import { LoadError, Loading } from '../components/States';
import { useDraftForm } from '../components/useDraftForm';
import { asNumber, changedFields, draftFrom, type Draft } from '../lib/draft';
import { fromLocalInput, toDateInput } from '../lib/format';
import { options } from '../lib/labels';
import { CRITICITE_LABELS, STATUT_EQUIPEMENT_LABELS } from '../lib/parc-labels';

const KEYS = ['nom', 'type', 'localisation', 'numero_serie', 'code_interne', 'marque', 'modele', 'batiment', 'etage', 'zone', 'statut', 'criticite', 'frequence_entretien', 'description', 'date_mise_en_service', 'date_fin_garantie', 'cout_acquisition', 'client_id', 'contrat_id'] as const;
type Key = (typeof KEYS)[number];

function draftOf(row?: Equipement): Draft<Key> {
  const draft = draftFrom(KEYS, row, { statut: 'operationnel', criticite: 'standard' });
  draft.date_mise_en_service = toDateInput(row?.date_mise_en_service);
  draft.date_fin_garantie = toDateInput(row?.date_fin_garantie);
  return draft;
}

/** The API's body: numbers and ids as numbers, days as midnight in APP_TIMEZONE. */
function bodyOf(fields: Partial<Record<Key, string | null>>): EquipementCreate {
  const body: Record<string, unknown> = { ...fields };
  for (const key of ['cout_acquisition', 'client_id', 'contrat_id'] as const) if (key in fields) body[key] = asNumber(fields[key]);
  for (const key of ['date_mise_en_service', 'date_fin_garantie'] as const) if (key in fields) body[key] = fields[key] ? fromLocalInput(`${fields[key]}T00:00`) : null;
  return body as EquipementCreate;
}

function EquipementForm({ existing }: { existing?: Equipement }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const clients = useClients();

  const save = useMutation({
    mutationFn: (draft: Draft<Key>) => {
      const body = bodyOf(changedFields(draft, existing ? draftOf(existing) : null));
      return existing
        ? unwrap(api.PATCH('/api/v1/equipements/{equipement_id}', { params: { path: { equipement_id: existing.id } }, body }))
        : unwrap(api.POST('/api/v1/equipements/', { body }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['equipement', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['equipements'] });
      notifications.show({ color: 'green', message: existing ? 'Équipement modifié' : `Équipement « ${saved.nom} » créé` });
      navigate(`/equipements/${saved.id}`);
    },
  });
  const { draft, set, errors, text, submit } = useDraftForm(() => draftOf(existing), save.error, () => save.mutate(draft));
  const contrats = useContrats(draft.client_id ? Number(draft.client_id) : null);

  return (
    <Stack maw={960}>
      <Title order={1}>{existing ? `Modifier : ${existing.nom}` : 'Nouvel équipement'}</Title>
      <Paper withBorder p="md" component="form" onSubmit={submit} noValidate>
        <Stack>
          {save.error && <Alert color="red" role="alert" title="Enregistrement impossible">{save.error.message}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {text('nom', 'Nom', { required: true })}
            {text('type', 'Type d’équipement', { required: true, error: errors.type ?? errors.type_equipement })}
            {text('localisation', 'Localisation', { required: true })}
            {text('marque', 'Marque')}
            {text('modele', 'Modèle')}
            {text('numero_serie', 'N° de série')}
            {text('code_interne', 'Code interne')}
            {text('batiment', 'Bâtiment')}
            {text('etage', 'Étage')}
            {text('zone', 'Zone')}
            <Select label="Statut" data={options(STATUT_EQUIPEMENT_LABELS)} value={draft.statut} onChange={(value) => set('statut', value)} error={errors.statut} allowDeselect={false} />
            <Select label="Criticité" data={options(CRITICITE_LABELS)} value={draft.criticite} onChange={(value) => set('criticite', value)} error={errors.criticite} allowDeselect={false} />
            {text('frequence_entretien', 'Fréquence d’entretien (jours)', { description: 'Un nombre de jours, ou « mensuel », « annuel »…' })}
            <DateField label="Mise en service" value={draft.date_mise_en_service} onChange={(value) => set('date_mise_en_service', value)} error={errors.date_mise_en_service} />
            <DateField label="Fin de garantie" value={draft.date_fin_garantie} onChange={(value) => set('date_fin_garantie', value)} error={errors.date_fin_garantie} />
            {text('cout_acquisition', 'Coût d’acquisition (MAD)')}
            <Select
              label="Client"
              searchable
              clearable
              placeholder={clients.isPending ? 'Chargement des clients…' : 'MIF Maroc (équipement interne)'}
              data={(clients.data ?? []).map((c) => ({ value: String(c.id), label: c.nom_entreprise }))}
              value={draft.client_id || null}
              onChange={(value) => set('client_id', value, ['contrat_id'])}
              error={errors.client_id}
              nothingFoundMessage="Aucun client"
            />
            <Select
              label="Contrat"
              clearable
              disabled={!draft.client_id}
              placeholder={draft.client_id ? 'Aucun' : 'Choisissez d’abord un client'}
              data={(contrats.data?.rows ?? []).map((c) => ({ value: String(c.id), label: `${c.numero_contrat} — ${c.nom_contrat}` }))}
              value={draft.contrat_id || null}
              onChange={(value) => set('contrat_id', value)}
              error={errors.contrat_id}
              nothingFoundMessage="Aucun contrat"
            />
          </SimpleGrid>
          <Textarea label="Description" autosize minRows={3} value={draft.description} onChange={(e) => set('description', e.currentTarget.value)} error={errors.description} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => navigate(-1)}>Retour</Button>
            <Button type="submit" loading={save.isPending}>{existing ? 'Enregistrer' : 'Créer l’équipement'}</Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}

export default function EquipementFormPage() {
  const { id } = useParams();
  const existing = useEquipement(id ? Number(id) : 0);
  if (!id) return <EquipementForm />;
  if (existing.isPending) return <Loading />;
  if (existing.isError) return <LoadError error={existing.error} onRetry={() => void existing.refetch()} />;
  return <EquipementForm existing={existing.data} />;
}
