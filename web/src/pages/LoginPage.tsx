/**
 * Connexion: identifier or e-mail and password; the API's messages (lockout, policy) shown as they
 * come. An account with a second factor then asks for its code (docs/security.md §3a).
 */
import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import { login, MfaRequired, SessionError, verifyMfa } from '../auth/session';
import { useSession } from '../auth/useSession';
import { PageLoader } from '../App';

const UNREACHABLE = 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.';

export default function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (session.status === 'unknown') return <PageLoader />;
  if (session.status === 'signed-in' && !pending) {
    const target = session.mustChangePassword ? '/changer-mot-de-passe' : session.mustEnrolMfa ? '/double-authentification' : from;
    return <Navigate to={target} replace />;
  }

  const run = async (step: () => Promise<void>) => {
    setError(null);
    setPending(true);
    try {
      await step();
      // A first call tells whether the account must change a temporary password or enrol a second factor (a 403 then).
      await api.GET('/api/v1/notifications/user/me', { params: { query: { lu: 'false', limit: 1 } } });
    } catch (caught) {
      if (caught instanceof MfaRequired) {
        setMfaToken(caught.mfaToken);
        setCode('');
      } else {
        setError(caught instanceof SessionError ? caught.message : UNREACHABLE);
      }
      setPending(false);
      return;
    }
    setPending(false);
    navigate(from, { replace: true });
  };

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    void run(() => login(identifier.trim(), password));
  };
  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    void run(() => verifyMfa(mfaToken!, code.trim()));
  };
  const restart = () => {
    setMfaToken(null);
    setPassword('');
    setError(null);
  };

  return (
    <Center mih="100vh" p="md" bg="gray.1">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={400}>
        {mfaToken === null ? (
          <form onSubmit={submitPassword} noValidate>
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
        ) : (
          <form onSubmit={submitCode} noValidate>
            <Stack>
              <Title order={1} size="h2">Double authentification</Title>
              <Text size="sm">Saisissez le code à 6 chiffres de votre application d’authentification, ou l’un de vos codes de secours.</Text>
              {error && <Alert color="red" role="alert" title="Code refusé">{error}</Alert>}
              <TextInput label="Code de vérification" autoComplete="one-time-code" required autoFocus value={code} onChange={(e) => setCode(e.currentTarget.value)} maxLength={32} />
              <Button type="submit" loading={pending} disabled={!code.trim()}>
                Valider
              </Button>
              <Anchor component="button" type="button" size="sm" onClick={restart}>
                Revenir à l’identifiant et au mot de passe
              </Anchor>
            </Stack>
          </form>
        )}
      </Paper>
    </Center>
  );
}
