/** A yes/no question before an action that cannot be undone in one click; the API's error shown inside. */
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';

interface Props {
  title: string | null;
  message: string;
  confirmLabel: string;
  pending: boolean;
  error: Error | null;
  onConfirm: () => void;
  onClose: () => void;
}

export function ConfirmDialog({ title, message, confirmLabel, pending, error, onConfirm, onClose }: Props) {
  return (
    <Modal opened={title !== null} onClose={onClose} title={title} closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <Stack>
        <Text size="sm">{message}</Text>
        {error && <Alert color="red" role="alert">{error.message}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Retour</Button>
          <Button color="red.9" loading={pending} onClick={onConfirm}>{confirmLabel}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
