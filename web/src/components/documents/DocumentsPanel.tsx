/**
 * The documents of an intervention on its detail page: the list (preview, download, delete for who
 * may) and, for who may add some, the upload zone. Rights: docs/security.md §5 (the server re-checks).
 */
import { Alert, Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useDeleteDocument, useDocuments } from '../../api/documents';
import type { CurrentUser, DocumentOut, Intervention } from '../../api/types';
import { formatDateTime, formatSize } from '../../lib/format';
import { Empty, LoadError, Loading } from '../States';
import { DocumentPreview, isPreviewable } from './DocumentPreview';
import { UploadZone } from './UploadZone';

const CLOSED = new Set(['archivee', 'annulee']);

function mayUpload(me: CurrentUser, intervention: Intervention): boolean {
  if (CLOSED.has(intervention.statut)) return false;
  if (me.role === 'admin' || me.role === 'responsable') return true;
  return me.role === 'technicien' && me.technicien_id !== null && me.technicien_id === intervention.technicien_id;
}

function mayDelete(me: CurrentUser, document: DocumentOut): boolean {
  return me.role === 'admin' || me.role === 'responsable' || (me.role === 'technicien' && document.uploaded_by_id === me.id);
}

export function DocumentsPanel({ intervention, me }: { intervention: Intervention; me: CurrentUser }) {
  const documents = useDocuments(intervention.id);
  const remove = useDeleteDocument(intervention.id);
  const [preview, setPreview] = useState<DocumentOut | null>(null);
  const [toDelete, setToDelete] = useState<DocumentOut | null>(null);
  const canUpload = mayUpload(me, intervention);

  const confirmDelete = () => {
    if (!toDelete) return;
    remove.mutate(toDelete.id, {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `Document « ${toDelete.filename} » supprimé` });
        setToDelete(null);
      },
    });
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="documents-title">
      <Title order={2} size="h4" mb="sm" id="documents-title">
        Documents{documents.data ? ` (${documents.data.total})` : ''}
      </Title>
      <Stack gap="sm">
        {canUpload && <UploadZone interventionId={intervention.id} />}
        {documents.isPending && <Loading label="Chargement des documents…" />}
        {documents.isError && <LoadError error={documents.error} onRetry={() => void documents.refetch()} />}
        {documents.data?.rows.length === 0 && <Empty>{canUpload ? 'Aucun document : ajoutez une photo ou un rapport ci-dessus.' : 'Aucun document joint à cette intervention.'}</Empty>}
        {documents.data?.rows.map((document) => (
          <Paper key={document.id} withBorder p="xs" component="article" aria-label={document.filename}>
            <Group justify="space-between" gap="xs">
              <div style={{ minWidth: 0 }}>
                <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>{document.filename}</Text>
                <Text size="xs" c="dimmed">
                  {formatSize(document.size)} · {formatDateTime(document.date_upload)}{document.uploaded_by ? ` · ${document.uploaded_by}` : ''}
                </Text>
              </div>
              <Group gap="xs">
                {isPreviewable(document) && <Button size="xs" variant="default" onClick={() => setPreview(document)}>Aperçu</Button>}
                <Button size="xs" variant="default" component="a" href={document.path} download={document.filename}>Télécharger</Button>
                {mayDelete(me, document) && <Button size="xs" variant="default" c="red.9" onClick={() => { remove.reset(); setToDelete(document); }}>Supprimer</Button>}
              </Group>
            </Group>
          </Paper>
        ))}
      </Stack>
      <DocumentPreview document={preview} onClose={() => setPreview(null)} />
      <Modal opened={toDelete !== null} onClose={() => setToDelete(null)} title="Supprimer le document">
        <Stack>
          <Text size="sm">Supprimer définitivement « {toDelete?.filename} » ? Le fichier ne pourra pas être récupéré.</Text>
          {remove.error && <Alert color="red" role="alert">{remove.error.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setToDelete(null)}>Conserver</Button>
            <Button color="red.9" loading={remove.isPending} onClick={confirmDelete}>Supprimer</Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
