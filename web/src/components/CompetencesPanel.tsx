/** Techniciens & compétences → Compétences: the skills, with who may write creating, editing, deleting. */
import { Button, Group, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useCompetences, useDeleteCompetence, type Competence } from '../api/techniciens';
import { ConfirmDialog } from './ConfirmDialog';
import { Empty, LoadError, Loading } from './States';
import { CompetenceDialog } from './TechnicienForms';

export function CompetencesPanel({ writer }: { writer: boolean }) {
  const competences = useCompetences();
  const remove = useDeleteCompetence();
  const [editing, setEditing] = useState<Competence | 'new' | null>(null);
  const [removing, setRemoving] = useState<Competence | null>(null);
  const close = () => {
    remove.reset();
    setRemoving(null);
  };

  return (
    <>
      <Group justify="space-between" mb="sm">
        {competences.data ? <Text size="sm" data-testid="total-competences">{competences.data.total} compétence{competences.data.total > 1 ? 's' : ''}</Text> : <span />}
        {writer && <Button onClick={() => setEditing('new')}>Nouvelle compétence</Button>}
      </Group>
      {competences.isPending && <Loading label="Chargement des compétences…" />}
      {competences.isError && <LoadError error={competences.error} onRetry={() => void competences.refetch()} />}
      {competences.data &&
        (competences.data.rows.length === 0 ? (
          <Empty>Aucune compétence : créez-en pour les attribuer aux techniciens et choisir le bon intervenant.</Empty>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table striped aria-label="Liste des compétences">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Nom</Table.Th>
                  <Table.Th>Domaine</Table.Th>
                  <Table.Th>Description</Table.Th>
                  {writer && <Table.Th>Actions</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {competences.data.rows.map((competence) => (
                  <Table.Tr key={competence.id}>
                    <Table.Td>{competence.nom}</Table.Td>
                    <Table.Td>{competence.domaine}</Table.Td>
                    <Table.Td>{competence.description ?? '—'}</Table.Td>
                    {writer && (
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap">
                          <Button size="xs" variant="default" onClick={() => setEditing(competence)} aria-label={`Modifier ${competence.nom}`}>Modifier</Button>
                          <Button size="xs" variant="default" c="red.9" onClick={() => setRemoving(competence)} aria-label={`Supprimer ${competence.nom}`}>Supprimer</Button>
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ))}
      {editing && <CompetenceDialog competence={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        title={removing ? `Supprimer la compétence : ${removing.nom}` : null}
        message="Elle est retirée des techniciens qui l’ont."
        confirmLabel="Supprimer"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate(removing.id, { onSuccess: () => { notifications.show({ color: 'green', message: `Compétence supprimée : ${removing.nom}` }); setRemoving(null); } })}
        onClose={close}
      />
    </>
  );
}
