/** The status changes this user may make, as buttons; the ones that need a form open its dialog. */
import { Button, Group } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useStatusChange, type StatusChange } from '../api/interventions';
import type { Intervention, Role, Statut } from '../api/types';
import { STATUT_LABELS } from '../lib/labels';
import { allowedTransitions, transitionLabel } from '../lib/transitions';
import { NEEDS_DIALOG, TransitionDialog } from './TransitionDialog';

export function TransitionButtons({ intervention, role, size = 'sm' }: { intervention: Intervention; role: Role; size?: 'sm' | 'lg' }) {
  const change = useStatusChange(intervention.id);
  const [dialog, setDialog] = useState<Statut | null>(null);
  const targets = allowedTransitions(intervention.statut, role);
  if (targets.length === 0) return null;

  const send = (body: StatusChange) =>
    change.mutate(body, {
      onSuccess: (updated) => {
        setDialog(null);
        notifications.show({ color: 'green', message: `Intervention ${STATUT_LABELS[updated.statut].toLowerCase()}` });
      },
      onError: (error) => {
        if (!NEEDS_DIALOG.has(body.statut!)) notifications.show({ color: 'red', title: 'Changement refusé', message: error.message });
      },
    });

  return (
    <>
      <Group gap="xs">
        {targets.map((target) => (
          <Button
            key={target}
            size={size}
            variant={target === 'annulee' ? 'default' : 'filled'}
            c={target === 'annulee' ? 'red.9' : undefined}
            loading={change.isPending && change.variables?.statut === target && dialog === null}
            onClick={() => {
              change.reset();
              if (NEEDS_DIALOG.has(target)) setDialog(target);
              else send({ statut: target });
            }}
          >
            {transitionLabel(intervention.statut, target)}
          </Button>
        ))}
      </Group>
      <TransitionDialog key={dialog ?? 'none'} target={dialog} pending={change.isPending} error={change.error} onClose={() => setDialog(null)} onSubmit={send} />
    </>
  );
}
