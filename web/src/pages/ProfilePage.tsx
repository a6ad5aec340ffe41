/** Mon profil: who I am, my password, my second factor, and closing every session. */
import { Button, Grid, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useNavigate } from 'react-router-dom';
import { MfaSection } from '../components/MfaSection';
import { PasswordChangeForm } from '../components/PasswordChangeForm';
import { logout } from '../auth/session';
import { useMe } from '../auth/useSession';
import { formatDateTime } from '../lib/format';
import { ROLE_LABELS } from '../lib/labels';

export default function ProfilePage() {
  const me = useMe();
  const navigate = useNavigate();
  return (
    <Stack maw={900}>
      <Title order={1}>Mon profil</Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Paper withBorder p="md">
            <Stack gap={4}>
              <Title order={2} size="h4">Compte</Title>
              <Text>Nom : {me.data?.full_name ?? '—'}</Text>
              <Text>Identifiant : {me.data?.username ?? '—'}</Text>
              <Text>E-mail : {me.data?.email ?? '—'}</Text>
              <Text>Rôle : {me.data ? ROLE_LABELS[me.data.role] : '—'}</Text>
              <Text>Dernière connexion : {formatDateTime(me.data?.last_login)}</Text>
              <Button mt="md" variant="default" c="red.9" onClick={() => void logout(true).then(() => navigate('/connexion', { replace: true }))}>
                Se déconnecter partout
              </Button>
            </Stack>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">Changer mon mot de passe</Title>
            <PasswordChangeForm onDone={() => notifications.show({ color: 'green', message: 'Mot de passe changé avec succès' })} />
          </Paper>
        </Grid.Col>
        <Grid.Col span={12}>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">Double authentification</Title>
            <MfaSection />
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
