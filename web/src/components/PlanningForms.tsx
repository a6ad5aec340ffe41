/** Create or edit a preventive planning, and move its next date (replan); API errors on their fields. */
import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldErrorsOf } from '../api/client';
import { useCreatePlanning, useReplan, useUpdatePlanning, type FrequenceLabel, type Planning } from '../api/planning';
import type { Priorite } from '../api/types';
import { fromLocalInput, toLocalInput } from '../lib/format';
import { FREQUENCE_LABELS, PRIORITE_LABELS, options } from '../lib/labels';
import { DateTimeField } from './DateFields';
import { EquipementPicker } from './EquipementPicker';
import { TechnicienPicker } from './TechnicienPicker';

const portal = { withinPortal: true };

interface Draft {
  equipement_id: string | null;
  frequence: FrequenceLabel;
  prochaine_date: string;
  technicien_id: string | null;
  priorite: Priorite;
  commentaire: string;
}

function draftOf(planning: Planning | null): Draft {
  return {
    equipement_id: planning ? String(planning.equipement_id) : null,
    frequence: planning?.frequence ?? 'mensuelle',
    prochaine_date: toLocalInput(planning?.prochaine_date),
    technicien_id: planning?.technicien_id ? String(planning.technicien_id) : null,
    priorite: planning?.priorite ?? 'normale',
    commentaire: planning?.commentaire ?? '',
  };
}

/** `planning` null: a new planning; otherwise its edit (PUT, every field sent as it stands). */
export function PlanningDialog({ planning, onClose }: { planning: Planning | null; onClose: () => void }) {
  const create = useCreatePlanning();
  const update = useUpdatePlanning();
  const save = planning ? update : create;
  const [draft, setDraft] = useState<Draft>(() => draftOf(planning));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const fields = fieldErrorsOf(save.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = {
      equipement_id: Number(draft.equipement_id),
      frequence: draft.frequence,
      prochaine_date: fromLocalInput(draft.prochaine_date),
      technicien_id: draft.technicien_id ? Number(draft.technicien_id) : null,
      priorite: draft.priorite,
      commentaire: draft.commentaire.trim() || null,
    };
    if (planning) update.mutate({ id: planning.id, body }, { onSuccess: onClose });
    else create.mutate(body, { onSuccess: onClose });
  };

  return (
    <Modal opened onClose={onClose} title={planning ? `Modifier le planning n° ${planning.id}` : 'Nouveau planning préventif'} size="lg" closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {save.error && <Alert color="red" role="alert" title="Enregistrement impossible">{save.error.message}</Alert>}
          <EquipementPicker value={draft.equipement_id} onChange={(value) => set('equipement_id', value)} error={fields.equipement_id} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Select label="Fréquence" required data={options(FREQUENCE_LABELS)} value={draft.frequence} onChange={(value) => value && set('frequence', value as FrequenceLabel)} allowDeselect={false} error={fields.frequence} comboboxProps={portal} />
            <DateTimeField
              label="Prochaine date"
              description={planning ? undefined : 'Vide : dans une période'}
              // The hint under the input: above it, it would push this input below its neighbours in the row.
              inputWrapperOrder={['label', 'input', 'description', 'error']}
              value={draft.prochaine_date}
              onChange={(value) => set('prochaine_date', value)}
              error={fields.prochaine_date}
              popoverProps={portal}
            />
            <Select label="Priorité" data={options(PRIORITE_LABELS)} value={draft.priorite} onChange={(value) => value && set('priorite', value as Priorite)} allowDeselect={false} error={fields.priorite} comboboxProps={portal} />
          </SimpleGrid>
          <TechnicienPicker value={draft.technicien_id} onChange={(value) => set('technicien_id', value)} error={fields.technicien_id} />
          <Textarea label="Commentaire" autosize minRows={2} maxLength={255} value={draft.commentaire} onChange={(e) => set('commentaire', e.currentTarget.value)} error={fields.commentaire} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Retour</Button>
            <Button type="submit" loading={save.isPending}>{planning ? 'Enregistrer' : 'Créer le planning'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function ReplanDialog({ planning, onClose }: { planning: Planning; onClose: () => void }) {
  const replan = useReplan();
  const [date, setDate] = useState(toLocalInput(planning.prochaine_date));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const iso = fromLocalInput(date);
    if (iso) replan.mutate({ id: planning.id, date: iso }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={`Replanifier le planning n° ${planning.id}`} closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {replan.error && <Alert color="red" role="alert">{replan.error.message}</Alert>}
          <DateTimeField label="Nouvelle date" description="Les occurrences suivantes partent de cette date." required value={date} onChange={setDate} error={fieldErrorsOf(replan.error).nouvelle_date} popoverProps={portal} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Retour</Button>
            <Button type="submit" loading={replan.isPending} disabled={!date}>Replanifier</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
