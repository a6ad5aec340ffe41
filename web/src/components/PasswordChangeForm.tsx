/** Current and new password, with the API's policy message shown as it comes. */
import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { changePassword, SessionError } from '../auth/session';

export function PasswordChangeForm({ onDone }: { onDone: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const mismatch = confirm !== '' && confirm !== next;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setError(null);
    setPending(true);
    try {
      await changePassword(current, next);
      onDone();
    } catch (caught) {
      setError(caught instanceof SessionError ? caught.message : 'Le serveur est injoignable, réessayez.');
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <PasswordInput label="Mot de passe actuel" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.currentTarget.value)} />
        <PasswordInput label="Nouveau mot de passe" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.currentTarget.value)} />
        <PasswordInput
          label="Confirmer le nouveau mot de passe"
          autoComplete="new-password"
          required
          value={confirm}
          error={mismatch ? 'Les deux mots de passe ne correspondent pas' : undefined}
          onChange={(e) => setConfirm(e.currentTarget.value)}
        />
        <Button type="submit" loading={pending} disabled={!current || !next || mismatch}>
          Changer le mot de passe
        </Button>
      </Stack>
    </form>
  );
}
