/**
 * The form of a status change that needs more than a tap: assigning (technician), closing (the
 * work report), cancelling (a remark, required by the API). API errors are shown on their fields.
 */
import { Alert, Button, Group, Modal, NumberInput, Stack, Textarea } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { StatusChange } from '../api/interventions';
import type { Statut } from '../api/types';
import { TechnicienPicker } from './TechnicienPicker';

export const NEEDS_DIALOG: ReadonlySet<Statut> = new Set(['affectee', 'cloturee', 'annulee']);

const TITLES: Partial<Record<Statut, string>> = {
  affectee: 'Affecter l’intervention',
  cloturee: 'Clôturer l’intervention',
  annulee: 'Annuler l’intervention',
};

interface Props {
  target: Statut | null;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onSubmit: (change: StatusChange) => void;
}

export function TransitionDialog({ target, pending, error, onClose, onSubmit }: Props) {
  const [technicien, setTechnicien] = useState<string | null>(null);
  const [rapport, setRapport] = useState('');
  const [travaux, setTravaux] = useState('');
  const [recommandations, setRecommandations] = useState('');
  const [duree, setDuree] = useState<number | string>('');
  const [remarque, setRemarque] = useState('');
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  const phone = useMediaQuery('(max-width: 36em)') ?? false;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (target === 'affectee') onSubmit({ statut: 'affectee', technicien_id: technicien ? Number(technicien) : null });
    if (target === 'annulee') onSubmit({ statut: 'annulee', remarque });
    if (target === 'cloturee') {
      onSubmit({
        statut: 'cloturee',
        rapport_intervention: rapport || null,
        travaux_realises: travaux || null,
        recommandations: recommandations || null,
        duree_reelle: duree === '' ? null : Number(duree),
      });
    }
  };

  return (
    <Modal opened={target !== null} onClose={onClose} title={target ? TITLES[target] : ''} size="lg" fullScreen={phone}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {error instanceof Error && <Alert color="red" role="alert">{error.message}</Alert>}
          {target === 'affectee' && <TechnicienPicker value={technicien} onChange={setTechnicien} error={fields.technicien_id} />}
          {target === 'cloturee' && (
            <>
              <Textarea label="Rapport d’intervention" autosize minRows={3} value={rapport} onChange={(e) => setRapport(e.currentTarget.value)} error={fields.rapport_intervention} />
              <Textarea label="Travaux réalisés" autosize minRows={2} value={travaux} onChange={(e) => setTravaux(e.currentTarget.value)} error={fields.travaux_realises} />
              <Textarea label="Recommandations" autosize minRows={2} value={recommandations} onChange={(e) => setRecommandations(e.currentTarget.value)} error={fields.recommandations} />
              <NumberInput label="Durée réelle (minutes)" min={0} value={duree} onChange={setDuree} error={fields.duree_reelle} />
            </>
          )}
          {target === 'annulee' && (
            <Textarea label="Motif de l’annulation" required autosize minRows={2} value={remarque} onChange={(e) => setRemarque(e.currentTarget.value)} error={fields.remarque} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Fermer</Button>
            <Button type="submit" loading={pending} disabled={(target === 'affectee' && !technicien) || (target === 'annulee' && !remarque.trim())} color={target === 'annulee' ? 'red.9' : undefined}>
              {target === 'affectee' ? 'Affecter' : target === 'cloturee' ? 'Clôturer' : 'Annuler l’intervention'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
