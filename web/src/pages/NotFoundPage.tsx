import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';

export default function NotFoundPage() {
  return (
    <Stack>
      <Title order={1}>Page introuvable</Title>
      <Text>Cette adresse ne correspond à aucune page de l’application.</Text>
      <Anchor component={Link} to="/">Retour à l’accueil</Anchor>
    </Stack>
  );
}
