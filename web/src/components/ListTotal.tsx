import { Text } from '@mantine/core';

/** The server's X-Total-Count of a list, announced when it changes ("3 plannings"). */
export function ListTotal({ total, noun }: { total: number; noun: string }) {
  return (
    <Text size="sm" mb="xs" aria-live="polite" data-testid="total">
      {total} {noun}{total > 1 ? 's' : ''}
    </Text>
  );
}
