/** Connexion: identifier or e-mail and password; the API's messages (lockout, policy) shown as they come. */
import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import { login, SessionError } from '../auth/session';
import { useSession } from '../auth/useSession';
import { PageLoader } from '../App';

export default function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (session.status === 'unknown') return <PageLoader />;
  if (session.status === 'signed-in' && !pending) return <Navigate to={session.mustChangePassword ? '/changer-mot-de-passe' : from} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setPending(true);
    try {
      await login(identifier.trim(), password);
      // A first call tells whether the account must change a temporary password (a 403 then).
      await api.GET('/api/v1/notifications/user/me', { params: { query: { lu: 'false', limit: 1 } } });
      setPending(false);
    } catch (caught) {
      setError(caught instanceof SessionError ? caught.message : 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.');
      setPending(false);
      return;
    }
    navigate(from, { replace: true });
  };

  return (
    <Center mih="100vh" p="md" bg="gray.1">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={400}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">Connexion</Title>
            {error && <Alert color="red" role="alert" title="Connexion impossible">{error}</Alert>}
            <TextInput label="Identifiant ou e-mail" autoComplete="username" required value={identifier} onChange={(e) => setIdentifier(e.currentTarget.value)} />
            <PasswordInput label="Mot de passe" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            <Button type="submit" loading={pending} disabled={!identifier || !password}>
              Se connecter
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
