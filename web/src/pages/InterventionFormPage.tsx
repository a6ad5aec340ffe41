/**
 * Create (managers; a client's request on their own equipment) and edit (managers) an intervention.
 * The API's validation errors are shown on their fields; an edit sends only what changed.
 */
import { Alert, Button, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, ApiError, unwrap } from '../api/client';
import { useIntervention } from '../api/interventions';
import type { Intervention, InterventionCreate, InterventionPatch, Priorite, TypeIntervention } from '../api/types';
import { useMe } from '../auth/useSession';
import { DateTimeField } from '../components/DateFields';
import { EquipementPicker } from '../components/EquipementPicker';
import { LoadError, Loading } from '../components/States';
import { TechnicienPicker } from '../components/TechnicienPicker';
import { fromLocalInput, toLocalInput } from '../lib/format';
import { PRIORITE_LABELS, TYPE_LABELS, options } from '../lib/labels';

interface Draft {
  titre: string;
  description: string;
  type: TypeIntervention;
  priorite: Priorite;
  urgence: boolean;
  date_limite: string;
  equipement_id: string | null;
  technicien_id: string | null;
  duree_estimee: number | string;
}

/** `equipementId`: the machine a new intervention is for (`?equipement_id=` of an equipment's page). */
function draftOf(row?: Intervention, equipementId: string | null = null): Draft {
  return {
    titre: row?.titre ?? '',
    description: row?.description ?? '',
    type: row?.type ?? 'corrective',
    priorite: row?.priorite ?? 'normale',
    urgence: row?.urgence ?? false,
    date_limite: toLocalInput(row?.date_limite),
    equipement_id: row ? String(row.equipement_id) : equipementId,
    technicien_id: row?.technicien_id ? String(row.technicien_id) : null,
    duree_estimee: row?.duree_estimee ?? '',
  };
}

function bodyOf(draft: Draft): InterventionCreate {
  return {
    titre: draft.titre,
    description: draft.description || null,
    type: draft.type,
    priorite: draft.priorite,
    urgence: draft.urgence,
    date_limite: fromLocalInput(draft.date_limite),
    equipement_id: Number(draft.equipement_id),
    technicien_id: draft.technicien_id ? Number(draft.technicien_id) : null,
  };
}

function InterventionForm({ existing }: { existing?: Intervention }) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [draft, setDraft] = useState<Draft>(() => draftOf(existing, /^\d+$/.test(params.get('equipement_id') ?? '') ? params.get('equipement_id') : null));
  const client = me.data?.role === 'client';
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));

  const save = useMutation({
    mutationFn: async () => {
      const body = bodyOf(draft);
      if (!existing) return unwrap(api.POST('/api/v1/interventions/', { body: client ? { titre: body.titre, description: body.description, type: 'corrective', equipement_id: body.equipement_id } : body }));
      const before = bodyOf(draftOf(existing));
      const patch: InterventionPatch = { duree_estimee: draft.duree_estimee === '' ? null : Number(draft.duree_estimee) };
      for (const key of Object.keys(body) as (keyof InterventionCreate)[]) {
        if (body[key] !== before[key]) (patch as Record<string, unknown>)[key] = body[key];
      }
      return unwrap(api.PATCH('/api/v1/interventions/{intervention_id}', { params: { path: { intervention_id: existing.id } }, body: patch }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['intervention', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['interventions'] });
      notifications.show({ color: 'green', message: existing ? 'Intervention modifiée' : `Intervention n° ${saved.id} créée` });
      navigate(`/interventions/${saved.id}`);
    },
  });
  const fields = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  const title = existing ? `Modifier : ${existing.titre}` : client ? 'Demander une intervention' : 'Nouvelle intervention';
  return (
    <Stack maw={900}>
      <Title order={1}>{title}</Title>
      <Paper withBorder p="md" component="form" onSubmit={submit} noValidate>
        <Stack>
          {save.error && <Alert color="red" role="alert" title="Enregistrement impossible">{save.error.message}</Alert>}
          <TextInput label="Titre" required value={draft.titre} onChange={(e) => set('titre', e.currentTarget.value)} error={fields.titre} maxLength={255} />
          <Textarea label="Description" autosize minRows={3} value={draft.description} onChange={(e) => set('description', e.currentTarget.value)} error={fields.description} />
          <EquipementPicker value={draft.equipement_id} onChange={(value) => set('equipement_id', value)} error={fields.equipement_id} />
          {!client && (
            <>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <Select label="Type" required data={options(TYPE_LABELS)} value={draft.type} onChange={(value) => value && set('type', value as TypeIntervention)} error={fields.type} allowDeselect={false} />
                <Select label="Priorité" data={options(PRIORITE_LABELS)} value={draft.priorite} onChange={(value) => value && set('priorite', value as Priorite)} error={fields.priorite} allowDeselect={false} />
                <DateTimeField label="Échéance" value={draft.date_limite} onChange={(value) => set('date_limite', value)} error={fields.date_limite} />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TechnicienPicker value={draft.technicien_id} onChange={(value) => set('technicien_id', value)} error={fields.technicien_id} />
                {existing && <NumberInput label="Durée estimée (minutes)" min={0} value={draft.duree_estimee} onChange={(value) => set('duree_estimee', value)} error={fields.duree_estimee} />}
              </SimpleGrid>
              <Switch label="Urgente" checked={draft.urgence} onChange={(e) => set('urgence', e.currentTarget.checked)} />
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => navigate(-1)}>Retour</Button>
            <Button type="submit" loading={save.isPending}>{existing ? 'Enregistrer' : client ? 'Envoyer la demande' : 'Créer l’intervention'}</Button>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}

export default function InterventionFormPage() {
  const { id } = useParams();
  const existing = useIntervention(id ? Number(id) : 0);
  if (!id) return <InterventionForm />;
  if (existing.isPending) return <Loading />;
  if (existing.isError) return <LoadError error={existing.error} onRetry={() => void existing.refetch()} />;
  return <InterventionForm existing={existing.data} />;
}
