/** The signed-in frame: header (menu, bell, account) and the navigation of the user's role. */
import { AppShell, Burger, Group, Menu, NavLink, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { logout } from '../auth/session';
import { useMe } from '../auth/useSession';
import { ROLE_LABELS } from '../lib/labels';
import { navigationFor } from './navigation';
import { NotificationBell } from './NotificationBell';

export function AppLayout({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const signOut = async (everywhere: boolean) => {
    await logout(everywhere);
    queryClient.clear();
    navigate('/connexion', { replace: true });
  };

  const items = me.data ? navigationFor(me.data.role) : [];
  const name = me.data?.full_name || me.data?.username || '…';
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Fermer le menu' : 'Ouvrir le menu'} />
            <Text fw={700} component={Link} to="/" c="blue.8" style={{ textDecoration: 'none', whiteSpace: 'nowrap' }}>
              GMAO MIF
            </Text>
          </Group>
          {/* miw 0: the account's group may shrink below its text's width, so a long name ends in an
              ellipsis instead of pushing the header wider than a phone; the full name is in the title and the menu. */}
          <Group gap="xs" wrap="nowrap" miw={0}>
            <NotificationBell />
            {/* No focus placeholder: Mantine's is a focusable role="presentation" div inside role="menu",
                which axe reports as critical (aria-required-children); the first item takes the focus instead. */}
            <Menu position="bottom-end" withinPortal withInitialFocusPlaceholder={false}>
              <Menu.Target>
                <UnstyledButton px={6} miw={0} maw={{ base: 140, sm: 240 }} title={name}>
                  <VisuallyHidden>Mon compte : </VisuallyHidden>
                  <Text size="sm" fw={500} truncate>{name}</Text>
                  <Text size="xs" c="dimmed" truncate>{me.data ? ROLE_LABELS[me.data.role] : ''}</Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown maw={280}>
                <Menu.Label style={{ overflowWrap: 'anywhere' }}>{name}</Menu.Label>
                <Menu.Item component={Link} to="/profil">Mon profil</Menu.Item>
                <Menu.Item onClick={() => void signOut(false)}>Se déconnecter</Menu.Item>
                <Menu.Item color="red.9" onClick={() => void signOut(true)}>Se déconnecter partout</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Navigation principale">
        {items.map((item) => (
          <NavLink key={item.to} component={Link} to={item.to} label={item.label} active={location.pathname === item.to} variant="filled" onClick={close} />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
