/**
 * Adding documents: a drop zone, a file picker and, on a phone, the camera (`capture="environment"`
 * opens the back camera straight away). Each file shows its upload progress, then the server's own
 * French message if it was refused (413 size, 415 type, 507 storage…).
 */
import { Alert, Button, CloseButton, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type DragEvent } from 'react';
import { uploadDocument } from '../../api/documents';

interface Upload {
  key: number;
  name: string;
  progress: number;
  error?: string;
}

let nextKey = 1;

export function UploadZone({ interventionId }: { interventionId: number }) {
  const queryClient = useQueryClient();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const camera = useRef<HTMLInputElement>(null);
  const update = (key: number, change: Partial<Upload>) => setUploads((current) => current.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const start = (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const key = nextKey++;
      setUploads((current) => [...current, { key, name: file.name, progress: 0 }]);
      uploadDocument(interventionId, file, (progress) => update(key, { progress }))
        .then(() => {
          setUploads((current) => current.filter((u) => u.key !== key));
          void queryClient.invalidateQueries({ queryKey: ['intervention', interventionId, 'documents'] });
        })
        .catch((error: unknown) => update(key, { error: error instanceof Error ? error.message : 'Envoi impossible' }));
    }
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    start(event.dataTransfer.files);
  };

  return (
    <Stack gap="xs">
      <Paper
        withBorder
        p="md"
        onDragOver={(event) => { event.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
        data-testid="drop-zone"
        style={{ borderStyle: 'dashed', borderWidth: 2, background: dragging ? 'var(--mantine-color-blue-0)' : undefined }}
      >
        <Stack gap="xs" align="center">
          <Text size="sm" ta="center">Déposez vos fichiers ici (photos, PDF, documents Office, 20 Mo au plus)</Text>
          <Group gap="xs" justify="center">
            <Button variant="default" onClick={() => picker.current?.click()}>Choisir un fichier</Button>
            <Button variant="default" onClick={() => camera.current?.click()}>Prendre une photo</Button>
          </Group>
        </Stack>
        {/* Hidden inputs, opened by the buttons above (their accessible names). */}
        <input ref={picker} type="file" multiple hidden onChange={(e) => { start(e.currentTarget.files); e.currentTarget.value = ''; }} />
        <input ref={camera} type="file" accept="image/*" capture="environment" hidden onChange={(e) => { start(e.currentTarget.files); e.currentTarget.value = ''; }} />
      </Paper>
      {uploads.map((upload) => (
        <div key={upload.key}>
          {upload.error ? (
            <Alert color="red" role="alert" title={`« ${upload.name} » refusé`} withCloseButton={false}>
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Text size="sm">{upload.error}</Text>
                <CloseButton aria-label="Fermer le message" onClick={() => setUploads((current) => current.filter((u) => u.key !== upload.key))} />
              </Group>
            </Alert>
          ) : (
            <>
              <Text size="sm" truncate>Envoi de « {upload.name} » : {Math.round(upload.progress * 100)} %</Text>
              <Progress value={upload.progress * 100} aria-label={`Envoi de ${upload.name}`} />
            </>
          )}
        </div>
      ))}
    </Stack>
  );
}
