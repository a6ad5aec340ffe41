/** The loading, error and empty states every screen uses, so none is left unexplained. */
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { ApiError } from '../api/client';

export function Loading({ label = 'Chargement…' }: { label?: string }) {
  return (
    <Center py="xl" role="status">
      <Stack align="center" gap="xs">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">{label}</Text>
      </Stack>
    </Center>
  );
}

export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof ApiError ? error.message : 'Le serveur est injoignable. Vérifiez votre connexion.';
  return (
    <Alert color="red" title="Chargement impossible" role="alert">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{message}</Text>
        {onRetry && <Button size="xs" variant="default" onClick={onRetry}>Réessayer</Button>}
      </Stack>
    </Alert>
  );
}

export function Empty({ children }: { children: string }) {
  return (
    <Text c="dimmed" ta="center" py="lg">
      {children}
    </Text>
  );
}
