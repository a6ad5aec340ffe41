/** Create or edit a client's contract in a dialog (admin, responsable); API errors on their fields. */
import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, Textarea } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Contrat, ContratCreate } from '../api/types';
import { asNumber, changedFields, draftFrom, type Draft } from '../lib/draft';
import { options } from '../lib/labels';
import { MODE_FACTURATION_LABELS, STATUT_CONTRAT_LABELS, TYPE_CONTRAT_LABELS } from '../lib/parc-labels';
import { DateField } from './DateFields';
import { useDraftForm } from './useDraftForm';

const KEYS = ['numero_contrat', 'nom_contrat', 'type_contrat', 'statut', 'date_debut', 'date_fin', 'date_signature', 'montant_annuel', 'mode_facturation', 'temps_reponse_urgence_h', 'temps_reponse_normal_h', 'nb_interventions_incluses', 'description'] as const;
type Key = (typeof KEYS)[number];
const NUMBERS: readonly Key[] = ['montant_annuel', 'temps_reponse_urgence_h', 'temps_reponse_normal_h', 'nb_interventions_incluses'];

function ContratForm({ clientId, existing, onDone }: { clientId: number; existing: Contrat | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const defaults = { type_contrat: 'maintenance_complete', statut: 'en_cours', mode_facturation: 'annuel' };
  const save = useMutation({
    mutationFn: (draft: Draft<Key>) => {
      const fields: Record<string, unknown> = changedFields(draft, existing ? draftFrom(KEYS, existing, defaults) : null);
      for (const key of NUMBERS) if (key in fields) fields[key] = asNumber(fields[key] as string | null);
      if (existing) return unwrap(api.PATCH('/api/v1/contrats/{contrat_id}', { params: { path: { contrat_id: existing.id } }, body: fields }));
      return unwrap(api.POST('/api/v1/contrats/', { body: { ...fields, client_id: clientId } as ContratCreate }));
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ['contrats'] });
      notifications.show({ color: 'green', message: existing ? 'Contrat modifié' : `Contrat ${saved.numero_contrat} créé` });
      onDone();
    },
  });
  const { draft, set, errors, text, submit } = useDraftForm(() => draftFrom(KEYS, existing ?? undefined, defaults), save.error, () => save.mutate(draft));
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {save.error && <Alert color="red" role="alert">{save.error.message}</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {text('numero_contrat', 'N° de contrat', { required: true })}
          {text('nom_contrat', 'Intitulé', { required: true })}
          <Select label="Type de contrat" required data={options(TYPE_CONTRAT_LABELS)} value={draft.type_contrat} onChange={(value) => set('type_contrat', value)} error={errors.type_contrat} allowDeselect={false} />
          <Select label="Statut" data={options(STATUT_CONTRAT_LABELS)} value={draft.statut} onChange={(value) => set('statut', value)} error={errors.statut} allowDeselect={false} />
          <DateField label="Début" required value={draft.date_debut} onChange={(value) => set('date_debut', value)} error={errors.date_debut} />
          <DateField label="Fin" required value={draft.date_fin} onChange={(value) => set('date_fin', value)} error={errors.date_fin} />
          <DateField label="Signé le" value={draft.date_signature} onChange={(value) => set('date_signature', value)} error={errors.date_signature} />
          {text('montant_annuel', 'Montant annuel (MAD)')}
          <Select label="Facturation" data={options(MODE_FACTURATION_LABELS)} value={draft.mode_facturation} onChange={(value) => set('mode_facturation', value)} error={errors.mode_facturation} allowDeselect={false} />
          {text('nb_interventions_incluses', 'Interventions incluses')}
          {text('temps_reponse_urgence_h', 'Délai d’intervention urgente (heures)')}
          {text('temps_reponse_normal_h', 'Délai d’intervention normale (heures)')}
        </SimpleGrid>
        <Textarea label="Description" autosize minRows={2} value={draft.description} onChange={(e) => set('description', e.currentTarget.value)} error={errors.description} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>Fermer</Button>
          <Button type="submit" loading={save.isPending}>{existing ? 'Enregistrer' : 'Créer le contrat'}</Button>
        </Group>
      </Stack>
    </form>
  );
}

/** `editing`: null = closed, 'new' = a new contract, else the contract to edit. */
export function ContratDialog({ clientId, editing, onClose }: { clientId: number; editing: Contrat | 'new' | null; onClose: () => void }) {
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal opened={editing !== null} onClose={onClose} title={editing === 'new' ? 'Nouveau contrat' : editing ? `Modifier le contrat ${editing.numero_contrat}` : ''} size="lg" fullScreen={phone}>
      {editing !== null && <ContratForm key={editing === 'new' ? 'new' : editing.id} clientId={clientId} existing={editing === 'new' ? null : editing} onDone={onClose} />}
    </Modal>
  );
}
