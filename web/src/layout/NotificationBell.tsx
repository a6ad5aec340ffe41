/**
 * The bell: unread count (the X-Total-Count of the unread list, refreshed every 30 s while the page
 * is open), the latest notifications, mark one or all read, and a link to the intervention.
 */
import { ActionIcon, Anchor, Button, Group, Indicator, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap, unwrapPage } from '../api/client';
import { formatDateTime } from '../lib/format';

const REFRESH_MS = 30_000;

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
      <path d="M13.7 21a2 2 0 0 1-3.4 0" />
    </svg>
  );
}

export function NotificationBell() {
  const [opened, setOpened] = useState(false);
  const queryClient = useQueryClient();
  const unread = useQuery({
    queryKey: ['notifications', 'unread'],
    queryFn: () => unwrapPage(api.GET('/api/v1/notifications/user/me', { params: { query: { lu: 'false', limit: 1 } } })),
    refetchInterval: REFRESH_MS,
  });
  const latest = useQuery({
    queryKey: ['notifications', 'latest'],
    queryFn: () => unwrapPage(api.GET('/api/v1/notifications/user/me', { params: { query: { limit: 15 } } })),
    enabled: opened,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['notifications'] });
  const markRead = useMutation({
    mutationFn: (id: number) => unwrap(api.PUT('/api/v1/notifications/{notification_id}/read', { params: { path: { notification_id: id } } })),
    onSuccess: refresh,
  });
  const markAll = useMutation({ mutationFn: () => unwrap(api.PUT('/api/v1/notifications/read-all')), onSuccess: refresh });

  const count = unread.data?.total ?? 0;
  const label = count === 0 ? 'Notifications : aucune non lue' : `Notifications : ${count} non lue${count > 1 ? 's' : ''}`;
  return (
    <Indicator label={count > 99 ? '99+' : count} size={18} disabled={count === 0} color="red" offset={4}>
    <Popover opened={opened} onChange={setOpened} width={340} position="bottom-end" shadow="md" withinPortal>
      <Popover.Target>
        <ActionIcon variant="subtle" size="lg" aria-label={label} onClick={() => setOpened((open) => !open)}>
          <BellIcon />
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Group justify="space-between" mb="xs">
          <Text fw={600}>Notifications</Text>
          <Button size="compact-xs" variant="subtle" onClick={() => markAll.mutate()} disabled={count === 0} loading={markAll.isPending}>
            Tout marquer comme lu
          </Button>
        </Group>
        <ScrollArea.Autosize mah={360}>
          {latest.isPending && <Text size="sm">Chargement…</Text>}
          {latest.isError && <Text size="sm" c="red">Impossible de charger les notifications.</Text>}
          {latest.data?.rows.length === 0 && <Text size="sm" c="dimmed">Aucune notification pour le moment.</Text>}
          <Stack gap="xs">
            {latest.data?.rows.map((notification) => (
              <div key={notification.id} style={{ borderLeft: `3px solid ${notification.lu ? 'transparent' : 'var(--mantine-color-blue-6)'}`, paddingLeft: 8 }}>
                <Text size="sm" fw={notification.lu ? 400 : 600}>
                  {notification.contenu ?? 'Notification'}
                </Text>
                <Group gap="xs" justify="space-between">
                  <Text size="xs" c="dimmed">{formatDateTime(notification.date_envoi)}</Text>
                  <Group gap={6}>
                    {notification.intervention_id !== null && (
                      <Anchor size="xs" component={Link} to={`/interventions/${notification.intervention_id}`} onClick={() => setOpened(false)}>
                        Voir l’intervention
                      </Anchor>
                    )}
                    {!notification.lu && (
                      <Anchor size="xs" component="button" type="button" onClick={() => markRead.mutate(notification.id)}>
                        Marquer comme lue
                      </Anchor>
                    )}
                  </Group>
                </Group>
              </div>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
    </Indicator>
  );
}
