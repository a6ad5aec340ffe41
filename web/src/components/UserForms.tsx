/** The admin's forms on accounts: create one, change its role, give it a new (temporary) password. */
import { Alert, Button, Group, Modal, PasswordInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldErrorsOf } from '../api/client';
import { useClients } from '../api/lookups';
import type { Role } from '../api/types';
import { useCreateUser, usePatchUser, useResetPassword, type User } from '../api/users';
import { ROLE_LABELS, options } from '../lib/labels';


/** The company of a client account: required by the API for that role only. */
function ClientSelect({ value, onChange, error }: { value: string | null; onChange: (value: string | null) => void; error?: string }) {
  const clients = useClients();
  return (
    <Select
      label="Client (société)"
      required
      searchable
      placeholder={clients.isPending ? 'Chargement des clients…' : 'Choisir un client'}
      data={(clients.data ?? []).map((c) => ({ value: String(c.id), label: c.nom_entreprise ?? `Client n° ${c.id}` }))}
      value={value}
      onChange={onChange}
      error={error ?? (clients.isError ? 'Impossible de charger les clients' : undefined)}
      nothingFoundMessage="Aucun client"
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function CreateUserDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateUser();
  const [draft, setDraft] = useState({ username: '', full_name: '', email: '', password: '', role: 'technicien' as Role, client_id: null as string | null });
  const set = <K extends keyof typeof draft>(key: K, value: (typeof draft)[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const fields = fieldErrorsOf(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { client_id, ...rest } = draft;
    create.mutate({ ...rest, client_id: draft.role === 'client' && client_id ? Number(client_id) : null }, { onSuccess: () => { create.reset(); onClose(); } });
  };
  return (
    <Modal opened={opened} onClose={onClose} title="Nouvel utilisateur" size="lg" closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {create.error && <Alert color="red" role="alert" title="Création impossible">{create.error.message}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Identifiant" required value={draft.username} onChange={(e) => set('username', e.currentTarget.value)} error={fields.username} autoComplete="off" />
            <TextInput label="Nom complet" required value={draft.full_name} onChange={(e) => set('full_name', e.currentTarget.value)} error={fields.full_name} />
            <TextInput label="E-mail" type="email" required value={draft.email} onChange={(e) => set('email', e.currentTarget.value)} error={fields.email} />
            <Select label="Rôle" required data={options(ROLE_LABELS)} value={draft.role} onChange={(value) => value && set('role', value as Role)} allowDeselect={false} error={fields.role} comboboxProps={{ withinPortal: true }} />
          </SimpleGrid>
          {draft.role === 'client' && <ClientSelect value={draft.client_id} onChange={(value) => set('client_id', value)} error={fields.client_id} />}
          <PasswordInput label="Mot de passe" description="L’utilisateur se connecte directement avec ce mot de passe." required autoComplete="new-password" value={draft.password} onChange={(e) => set('password', e.currentTarget.value)} error={fields.password} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Retour</Button>
            <Button type="submit" loading={create.isPending}>Créer l’utilisateur</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function RoleDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const patch = usePatchUser();
  const [role, setRole] = useState<Role>(user?.role ?? 'technicien');
  const [clientId, setClientId] = useState<string | null>(user?.client_id ? String(user.client_id) : null);
  const fields = fieldErrorsOf(patch.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!user) return;
    patch.mutate({ id: user.id, body: { role, client_id: role === 'client' && clientId ? Number(clientId) : null } }, { onSuccess: onClose });
  };
  return (
    <Modal opened={user !== null} onClose={onClose} title={user ? `Rôle de ${user.username}` : ''} closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {patch.error && <Alert color="red" role="alert">{patch.error.message}</Alert>}
          <Select label="Rôle" required data={options(ROLE_LABELS)} value={role} onChange={(value) => value && setRole(value as Role)} allowDeselect={false} error={fields.role} comboboxProps={{ withinPortal: true }} />
          {role === 'client' && <ClientSelect value={clientId} onChange={setClientId} error={fields.client_id} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Retour</Button>
            <Button type="submit" loading={patch.isPending}>Enregistrer</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function ResetPasswordDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const reset = useResetPassword();
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (user) reset.mutate({ id: user.id, password }, { onSuccess: onClose });
  };
  return (
    <Modal opened={user !== null} onClose={onClose} title={user ? `Nouveau mot de passe pour ${user.username}` : ''} closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {reset.error && <Alert color="red" role="alert">{reset.error.message}</Alert>}
          <PasswordInput
            label="Mot de passe temporaire"
            description="Toutes ses sessions sont fermées ; il devra le changer à sa prochaine connexion."
            required
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Retour</Button>
            <Button type="submit" loading={reset.isPending} disabled={!password}>Réinitialiser le mot de passe</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
