/** Create and edit a client (admin, responsable); the API's validation errors on their fields. */
import { Alert, Button, Group, Paper, Select, SimpleGrid, Stack, Switch, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { useClient } from '../api/parc';
import type { Client, ClientCreate } from '../api/types';
import { LoadError, Loading } from '../components/States';
import { useDraftForm } from '../components/useDraftForm';
import { changedFields, draftFrom, type Draft } from '../lib/draft';
import { options } from '../lib/labels';
import { NIVEAU_SERVICE_LABELS, TYPE_CLIENT_LABELS } from '../lib/parc-labels';

const KEYS = ['nom_entreprise', 'nom_commercial', 'type_client', 'secteur_activite', 'ice', 'numero_tva', 'nom_contact', 'prenom_contact', 'fonction_contact', 'email', 'telephone', 'telephone_mobile', 'adresse_ligne1', 'adresse_ligne2', 'code_postal', 'ville', 'region', 'pays', 'niveau_service', 'notes'] as const;
type Key = (typeof KEYS)[number];
const DEFAULTS = { type_client: 'entreprise', niveau_service: 'standard', pays: 'Maroc' };

function ClientForm({ existing }: { existing?: Client }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [active, setActive] = useState(existing?.is_active ?? true);
  const save = useMutation({
    mutationFn: (draft: Draft<Key>) => {
      const body: Record<string, unknown> = changedFields(draft, existing ? draftFrom(KEYS, existing, DEFAULTS) : null);
      if (!existing || active !== existing.is_active) body.is_active = active;
      return existing
        ? unwrap(api.PATCH('/api/v1/clients/{client_id}', { params: { path: { client_id: existing.id } }, body }))
        : unwrap(api.POST('/api/v1/clients/', { body: body as ClientCreate }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['client', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['clients'] });
      notifications.show({ color: 'green', message: existing ? 'Client modifié' : `Client « ${saved.nom_entreprise} » créé` });
      navigate(`/clients/${saved.id}`);
    },
  });
  const { draft, set, errors, text, submit } = useDraftForm(() => draftFrom(KEYS, existing, DEFAULTS), save.error, () => save.mutate(draft));
  return (
    <Stack maw={960}>
      <Title order={1}>{existing ? `Modifier : ${existing.nom_entreprise}` : 'Nouveau client'}</Title>
      <Paper withBorder p="md" component="form" onSubmit={submit} noValidate>
        <Stack>
          {save.error && <Alert color="red" role="alert" title="Enregistrement impossible">{save.error.message}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            {text('nom_entreprise', 'Raison sociale', { required: true })}
            {text('nom_commercial', 'Nom commercial')}
            <Select label="Type de client" data={options(TYPE_CLIENT_LABELS)} value={draft.type_client} onChange={(value) => set('type_client', value)} error={errors.type_client} allowDeselect={false} />
            {text('secteur_activite', 'Secteur d’activité')}
            {text('ice', 'ICE (15 chiffres)')}
            {text('numero_tva', 'N° de TVA')}
            {text('prenom_contact', 'Prénom du contact')}
            {text('nom_contact', 'Nom du contact', { required: true })}
            {text('fonction_contact', 'Fonction du contact')}
            {text('email', 'E-mail', { required: true, type: 'email' })}
            {text('telephone', 'Téléphone', { type: 'tel' })}
            {text('telephone_mobile', 'Mobile', { type: 'tel' })}
            {text('adresse_ligne1', 'Adresse')}
            {text('adresse_ligne2', 'Complément d’adresse')}
            {text('code_postal', 'Code postal')}
            {text('ville', 'Ville')}
            {text('region', 'Région')}
            {text('pays', 'Pays')}
            <Select label="Niveau de service" data={options(NIVEAU_SERVICE_LABELS)} value={draft.niveau_service} onChange={(value) => set('niveau_service', value)} error={errors.niveau_service} allowDeselect={false} />
          </SimpleGrid>
          <Textarea label="Notes" autosize minRows={2} value={draft.notes} onChange={(e) => set('notes', e.currentTarget.value)} error={errors.notes} />
          <Switch label="Client actif" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => navigate(-1)}>Retour</Button>
            <Button type="submit" loading={save.isPending}>{existing ? 'Enregistrer' : 'Créer le client'}</Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}

export default function ClientFormPage() {
  const { id } = useParams();
  const existing = useClient(id ? Number(id) : null);
  if (!id) return <ClientForm />;
  if (existing.isPending) return <Loading />;
  if (existing.isError) return <LoadError error={existing.error} onRetry={() => void existing.refetch()} />;
  return <ClientForm existing={existing.data} />;
}
