/** The forced enrolment of a second factor that MFA_REQUIRED_ROLES requires for this role, before anything else. */
import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Navigate, useNavigate } from 'react-router-dom';
import { PageLoader } from '../App';
import { requireMfaEnrolment } from '../auth/session';
import { useSession } from '../auth/useSession';
import { MfaEnrolment } from '../components/MfaEnrolment';

export default function MfaEnrolmentPage() {
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (session.status === 'unknown') return <PageLoader />;
  if (session.status === 'signed-out') return <Navigate to="/connexion" replace />;
  const done = () => {
    requireMfaEnrolment(false);
    // Queries refused during the enrolment (403) are asked again.
    void queryClient.invalidateQueries();
    navigate('/', { replace: true });
  };
  return (
    <Center mih="100vh" p="md" bg="gray.1">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={520}>
        <Stack>
          <Title order={1} size="h2">Double authentification obligatoire</Title>
          <Text size="sm">Votre rôle exige un second facteur : activez-le pour continuer.</Text>
          <MfaEnrolment onDone={done} />
        </Stack>
      </Paper>
    </Center>
  );
}
