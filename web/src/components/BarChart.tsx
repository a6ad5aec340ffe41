/**
 * A labelled horizontal bar chart in plain elements: readable by screen readers as a list, and no
 * chart library in the bundle (the figures are a handful of counts).
 */
import { Anchor, Box, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router-dom';

export interface Bar {
  label: string;
  value: number;
  color: string;
  to?: string;
}

export function BarChart({ bars, title }: { bars: Bar[]; title: string }) {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  return (
    <Stack gap={6} component="ul" aria-label={title} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {bars.map((bar) => (
        <li key={bar.label}>
          <Group justify="space-between" gap="xs" wrap="nowrap">
            {bar.to ? (
              <Anchor component={Link} to={bar.to} size="sm">{bar.label}</Anchor>
            ) : (
              <Text size="sm">{bar.label}</Text>
            )}
            <Text size="sm" fw={600}>{bar.value}</Text>
          </Group>
          <Box h={8} bg="gray.2" style={{ borderRadius: 4 }} aria-hidden="true">
            <Box h={8} bg={`${bar.color}.6`} style={{ width: `${(100 * bar.value) / max}%`, borderRadius: 4 }} />
          </Box>
        </li>
      ))}
    </Stack>
  );
}
