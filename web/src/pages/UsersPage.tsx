/**
 * Administration → Utilisateurs (admin): the server's pages with X-Total-Count, filters in the URL,
 * and per account: role, deactivate / reactivate, password reset, sessions and second factor reset.
 */
import { ActionIcon, Button, Group, Menu, Select, Table, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Role } from '../api/types';
import { useActivateUser, useDeactivateUser, useResetMfa, useRevokeSessions, useUsers, type User, type UserQuery } from '../api/users';
import { useMe } from '../auth/useSession';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PagedTable } from '../components/PagedTable';
import { ToneBadge } from '../components/StatutBadge';
import { CreateUserDialog, ResetPasswordDialog, RoleDialog } from '../components/UserForms';
import { formatDateTime } from '../lib/format';
import { LIST_PAGE_SIZE, useUrlState } from '../lib/useUrlState';
import { ROLE_LABELS, options } from '../lib/labels';

type Confirmable = 'deactivate' | 'revoke' | 'mfa';
const CONFIRMS: Record<Confirmable, { title: string; message: string; label: string; done: string }> = {
  deactivate: { title: 'Désactiver le compte', message: 'Il ne pourra plus se connecter et toutes ses sessions sont fermées.', label: 'Désactiver', done: 'Compte désactivé' },
  revoke: { title: 'Révoquer les sessions', message: 'Toutes ses sessions ouvertes sont fermées ; il devra se reconnecter.', label: 'Révoquer', done: 'Sessions révoquées' },
  mfa: { title: 'Réinitialiser la double authentification', message: 'Son second facteur et ses codes de secours sont supprimés ; il pourra en activer un nouveau.', label: 'Réinitialiser', done: 'Double authentification réinitialisée' },
};

export default function UsersPage() {
  const me = useMe();
  const { page, offset, value, set, setPage } = useUrlState();
  const role = value('role');
  const actif = value('is_active');
  const q = value('q');
  const query: UserQuery = { limit: LIST_PAGE_SIZE, offset, sort: 'username' };
  if (role) query.role = [role as Role];
  if (actif) query.is_active = actif;
  if (q.trim()) query.q = q.trim();
  const list = useUsers(query);

  const [creating, setCreating] = useState(false);
  const [roleOf, setRoleOf] = useState<User | null>(null);
  const [passwordOf, setPasswordOf] = useState<User | null>(null);
  const [confirm, setConfirm] = useState<{ kind: Confirmable; user: User } | null>(null);
  const activate = useActivateUser();
  const actions = { deactivate: useDeactivateUser(), revoke: useRevokeSessions(), mfa: useResetMfa() };
  const running = confirm ? actions[confirm.kind] : null;
  const runConfirmed = () => {
    if (!confirm) return;
    actions[confirm.kind].mutate(confirm.user.id, {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `${CONFIRMS[confirm.kind].done} : ${confirm.user.username}` });
        setConfirm(null);
      },
    });
  };
  const closeConfirm = () => {
    running?.reset();
    setConfirm(null);
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1}>Utilisateurs</Title>
        <Button onClick={() => setCreating(true)}>Nouvel utilisateur</Button>
      </Group>
      <Group mb="md" align="flex-end" wrap="wrap">
        <TextInput label="Recherche" placeholder="Identifiant, nom, e-mail" value={q} onChange={(e) => set('q', e.currentTarget.value)} w={{ base: '100%', sm: 260 }} />
        <Select label="Rôle" placeholder="Tous" clearable data={options(ROLE_LABELS)} value={role || null} onChange={(value) => set('role', value)} w={{ base: '100%', sm: 180 }} />
        <Select label="État" placeholder="Tous" clearable data={[{ value: 'true', label: 'Actif' }, { value: 'false', label: 'Désactivé' }]} value={actif || null} onChange={(value) => set('is_active', value)} w={{ base: '100%', sm: 160 }} />
      </Group>
      <PagedTable
        list={list}
        loadingLabel="Chargement des utilisateurs…"
        noun="utilisateur"
        empty="Aucun utilisateur ne correspond à ces filtres."
        label="Liste des utilisateurs"
        minWidth={760}
        columns={['Identifiant', 'Nom', 'E-mail', 'Rôle', 'État', 'Dernière connexion', <VisuallyHidden>Actions</VisuallyHidden>]}
        row={(user) => (
          <Table.Tr key={user.id}>
            <Table.Td>{user.username}</Table.Td>
            <Table.Td>{user.full_name || '—'}</Table.Td>
            <Table.Td>{user.email}</Table.Td>
            <Table.Td>{ROLE_LABELS[user.role]}</Table.Td>
            <Table.Td>{user.is_active ? <ToneBadge color="green">Actif</ToneBadge> : <ToneBadge color="gray">Désactivé</ToneBadge>}</Table.Td>
            <Table.Td>{formatDateTime(user.last_login)}</Table.Td>
            <Table.Td>
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="default" aria-label={`Actions pour ${user.username}`}>⋯</ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setRoleOf(user)}>Changer le rôle</Menu.Item>
                  <Menu.Item onClick={() => setPasswordOf(user)}>Réinitialiser le mot de passe</Menu.Item>
                  <Menu.Item onClick={() => setConfirm({ kind: 'revoke', user })}>Révoquer les sessions</Menu.Item>
                  <Menu.Item onClick={() => setConfirm({ kind: 'mfa', user })}>Réinitialiser la double authentification</Menu.Item>
                  {user.is_active ? (
                    <Menu.Item color="red.9" disabled={user.id === me.data?.id} onClick={() => setConfirm({ kind: 'deactivate', user })}>Désactiver</Menu.Item>
                  ) : (
                    <Menu.Item onClick={() => activate.mutate(user.id, { onSuccess: () => notifications.show({ color: 'green', message: `Compte réactivé : ${user.username}` }), onError: (error) => notifications.show({ color: 'red', message: error.message }) })}>
                      Réactiver
                    </Menu.Item>
                  )}
                </Menu.Dropdown>
              </Menu>
            </Table.Td>
          </Table.Tr>
        )}
        page={page}
        onPage={setPage}
      />
      {creating && <CreateUserDialog opened onClose={() => setCreating(false)} />}
      {roleOf && <RoleDialog user={roleOf} onClose={() => setRoleOf(null)} />}
      {passwordOf && <ResetPasswordDialog user={passwordOf} onClose={() => setPasswordOf(null)} />}
      <ConfirmDialog
        title={confirm ? `${CONFIRMS[confirm.kind].title} : ${confirm.user.username}` : null}
        message={confirm ? CONFIRMS[confirm.kind].message : ''}
        confirmLabel={confirm ? CONFIRMS[confirm.kind].label : ''}
        pending={running?.isPending ?? false}
        error={running?.error ?? null}
        onConfirm={runConfirmed}
        onClose={closeConfirm}
      />
    </>
  );
}
