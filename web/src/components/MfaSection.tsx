/** Mon profil → Double authentification: enrol, or see what is left and disable it (password + code). */
import { Alert, Button, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useMfaDisable, useMfaStatus } from '../api/mfa';
import { MfaEnrolment } from './MfaEnrolment';
import { LoadError, Loading } from './States';

function DisableForm() {
  const disable = useMfaDisable();
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    disable.mutate({ password, otp: otp.trim() }, { onSuccess: () => notifications.show({ color: 'green', message: 'Double authentification désactivée' }) });
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="xs">
        <Title order={3} size="h5">Désactiver</Title>
        {disable.error && <Alert color="red" role="alert">{disable.error.message}</Alert>}
        <PasswordInput label="Mot de passe" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <TextInput label="Code de l’application ou code de secours" autoComplete="one-time-code" required value={otp} onChange={(e) => setOtp(e.currentTarget.value)} />
        <Button type="submit" variant="default" c="red.9" loading={disable.isPending} disabled={!password || !otp.trim()} style={{ alignSelf: 'flex-start' }}>
          Désactiver la double authentification
        </Button>
      </Stack>
    </form>
  );
}

export function MfaSection() {
  const status = useMfaStatus();
  if (status.isPending) return <Loading />;
  if (status.isError) return <LoadError error={status.error} onRetry={() => void status.refetch()} />;
  if (!status.data.enabled) return <MfaEnrolment onDone={() => void status.refetch()} />;
  return (
    <Stack gap="sm">
      <Text size="sm" fw={500}>Activée. Codes de secours restants : {status.data.recovery_codes_remaining}</Text>
      <DisableForm />
    </Stack>
  );
}
