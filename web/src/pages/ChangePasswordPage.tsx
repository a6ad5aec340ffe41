/** The forced change of a temporary password (generated first admin, admin reset) before anything else. */
import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { Navigate, useNavigate } from 'react-router-dom';
import { PageLoader } from '../App';
import { PasswordChangeForm } from '../components/PasswordChangeForm';
import { useSession } from '../auth/useSession';

export default function ChangePasswordPage() {
  const session = useSession();
  const navigate = useNavigate();
  if (session.status === 'unknown') return <PageLoader />;
  if (session.status === 'signed-out') return <Navigate to="/connexion" replace />;
  return (
    <Center mih="100vh" p="md" bg="gray.1">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <Stack>
          <Title order={1} size="h2">Changement de mot de passe</Title>
          <Text size="sm">Votre mot de passe est temporaire : choisissez-en un nouveau pour continuer.</Text>
          <PasswordChangeForm onDone={() => navigate('/', { replace: true })} />
        </Stack>
      </Paper>
    </Center>
  );
}
