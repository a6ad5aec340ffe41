/**
 * Planning préventif (responsable, admin; read-only for a technician): the plannings (server pages,
 * X-Total-Count), a month calendar of their upcoming occurrences, and create, edit, replan, suspend.
 */
import { ActionIcon, Button, Group, Menu, Select, Stack, Table, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { technicienName, useEquipements, useTechniciens } from '../api/lookups';
import { usePlannings, useUpdatePlanning, type Planning, type PlanningQuery, type StatutPlanning } from '../api/planning';
import { useMe } from '../auth/useSession';
import { PagedTable } from '../components/PagedTable';
import { PlanningCalendar } from '../components/PlanningCalendar';
import { PlanningDialog, ReplanDialog } from '../components/PlanningForms';
import { LoadError, Loading } from '../components/States';
import { ToneBadge } from '../components/StatutBadge';
import { formatDateTime } from '../lib/format';
import { LIST_PAGE_SIZE, useUrlState } from '../lib/useUrlState';
import { FREQUENCE_LABELS, PRIORITE_LABELS, STATUT_PLANNING_COLORS, STATUT_PLANNING_LABELS, options } from '../lib/labels';

/** What the calendar shows: every planning that still generates (the API's default limit is 500). */
const RUNNING: PlanningQuery = { statut: ['actif', 'en_retard'], limit: 500, sort: 'prochaine_date' };

export default function PlanningPage() {
  const me = useMe();
  const writer = me.data?.role === 'admin' || me.data?.role === 'responsable';
  const { page, offset, value, set, setPage } = useUrlState();
  const statut = value('statut');
  const query: PlanningQuery = { limit: LIST_PAGE_SIZE, offset, sort: 'prochaine_date' };
  if (statut) query.statut = [statut as StatutPlanning];
  const list = usePlannings(query);
  const running = usePlannings(RUNNING);
  const equipements = useEquipements();
  const techniciens = useTechniciens();
  const update = useUpdatePlanning();
  const [editing, setEditing] = useState<Planning | 'new' | null>(null);
  const [replanning, setReplanning] = useState<Planning | null>(null);

  const equipementNames = new Map((equipements.data ?? []).map((e) => [e.id, e.nom]));
  const equipementName = (id: number) => equipementNames.get(id) ?? `Équipement n° ${id}`;
  const technicienNames = new Map((techniciens.data ?? []).map((t) => [t.id, technicienName(t)]));
  const setStatut = (planning: Planning, statutPlanning: StatutPlanning) =>
    update.mutate(
      { id: planning.id, body: { statut: statutPlanning } },
      {
        onSuccess: () => notifications.show({ color: 'green', message: statutPlanning === 'suspendu' ? `Planning n° ${planning.id} suspendu` : `Planning n° ${planning.id} repris` }),
        onError: (error) => notifications.show({ color: 'red', message: error.message }),
      },
    );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>Planning préventif</Title>
        {writer && <Button onClick={() => setEditing('new')}>Nouveau planning</Button>}
      </Group>
      <Group align="flex-end">
        <Select label="Statut" placeholder="Tous" clearable data={options(STATUT_PLANNING_LABELS)} value={statut || null} onChange={(value) => set('statut', value)} w={{ base: '100%', sm: 200 }} />
      </Group>
      <PagedTable
        list={list}
        loadingLabel="Chargement des plannings…"
        noun="planning"
        empty={statut ? 'Aucun planning avec ce statut.' : 'Aucun planning préventif : créez-en un pour générer les interventions d’entretien.'}
        label="Liste des plannings"
        minWidth={860}
        columns={['N°', 'Équipement', 'Fréquence', 'Prochaine date', 'Dernière date', 'Technicien', 'Priorité', 'Statut', writer && <VisuallyHidden>Actions</VisuallyHidden>]}
        row={(planning) => (
          <Table.Tr key={planning.id}>
            <Table.Td>{planning.id}</Table.Td>
            <Table.Td>{equipementName(planning.equipement_id)}</Table.Td>
            <Table.Td>{FREQUENCE_LABELS[planning.frequence]}</Table.Td>
            <Table.Td>{formatDateTime(planning.prochaine_date)}</Table.Td>
            <Table.Td>{formatDateTime(planning.derniere_date)}</Table.Td>
            <Table.Td>{planning.technicien_id ? (technicienNames.get(planning.technicien_id) ?? `n° ${planning.technicien_id}`) : 'Non affecté'}</Table.Td>
            <Table.Td>{PRIORITE_LABELS[planning.priorite]}</Table.Td>
            <Table.Td><ToneBadge color={STATUT_PLANNING_COLORS[planning.statut]}>{STATUT_PLANNING_LABELS[planning.statut]}</ToneBadge></Table.Td>
            {writer && (
              <Table.Td>
                <Menu position="bottom-end" withinPortal>
                  <Menu.Target>
                    <ActionIcon variant="default" aria-label={`Actions du planning n° ${planning.id}`}>⋯</ActionIcon>
                  </Menu.Target>
                  <Menu.Dropdown>
                    <Menu.Item onClick={() => setEditing(planning)}>Modifier</Menu.Item>
                    <Menu.Item onClick={() => setReplanning(planning)}>Replanifier</Menu.Item>
                    {planning.statut === 'suspendu' ? (
                      <Menu.Item onClick={() => setStatut(planning, 'actif')}>Reprendre</Menu.Item>
                    ) : (
                      <Menu.Item onClick={() => setStatut(planning, 'suspendu')}>Suspendre</Menu.Item>
                    )}
                  </Menu.Dropdown>
                </Menu>
              </Table.Td>
            )}
          </Table.Tr>
        )}
        page={page}
        onPage={setPage}
      />
      {running.isError && <LoadError error={running.error} onRetry={() => void running.refetch()} />}
      {running.isPending ? <Loading label="Chargement du calendrier…" /> : running.data && <PlanningCalendar plannings={running.data.rows} equipementName={equipementName} />}
      {editing && <PlanningDialog planning={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      {replanning && <ReplanDialog planning={replanning} onClose={() => setReplanning(null)} />}
    </Stack>
  );
}
