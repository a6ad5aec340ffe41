/** One technician: profile, availability, skills, and (responsable, admin) its edit. */
import { Anchor, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { technicienName } from '../api/lookups';
import { useTechnicien } from '../api/techniciens';
import { useMe } from '../auth/useSession';
import { DisponibiliteBadge } from '../components/DisponibiliteBadge';
import { LoadError, Loading } from '../components/States';
import { ToneBadge } from '../components/StatutBadge';
import { TechnicienDialog } from '../components/TechnicienForms';
import { formatDateTime } from '../lib/format';
import { NIVEAU_LABELS } from '../lib/labels';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text size="sm" component="div">{children}</Text>
    </div>
  );
}

export default function TechnicienDetailPage() {
  const { id } = useParams();
  const me = useMe();
  const technicien = useTechnicien(Number(id));
  const [editing, setEditing] = useState(false);
  const writer = me.data?.role === 'admin' || me.data?.role === 'responsable';
  if (technicien.isPending) return <Loading label="Chargement du technicien…" />;
  if (technicien.isError) return <LoadError error={technicien.error} onRetry={() => void technicien.refetch()} />;
  const t = technicien.data;
  return (
    <Stack maw={900}>
      <Anchor component={Link} to="/techniciens" size="sm">← Techniciens & compétences</Anchor>
      <Group justify="space-between">
        <Title order={1}>{technicienName(t)}</Title>
        {writer && <Button onClick={() => setEditing(true)}>Modifier</Button>}
      </Group>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Field label="Disponibilité"><DisponibiliteBadge value={t.disponibilite} /></Field>
          <Field label="Niveau">{NIVEAU_LABELS[t.niveau_technicien]}</Field>
          <Field label="État">{t.is_active ? 'Actif (peut être affecté)' : 'Inactif (ne peut pas être affecté)'}</Field>
          <Field label="Équipe">{t.equipe ?? '—'}</Field>
          <Field label="Zone d’intervention">{t.zone_intervention ?? '—'}</Field>
          <Field label="Astreinte">{t.astreinte ? 'Oui' : 'Non'}</Field>
          <Field label="N° de badge">{t.numero_badge ?? '—'}</Field>
          <Field label="Téléphone d’urgence">{t.telephone_urgence ?? '—'}</Field>
          <Field label="E-mail">{t.user.email}</Field>
          <Field label="Identifiant">{t.user.username}</Field>
          <Field label="Dernière connexion">{formatDateTime(t.user.last_login)}</Field>
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">Compétences</Title>
        {t.competences.length === 0 ? (
          <Text size="sm" c="dimmed">Aucune compétence renseignée{writer ? ' : « Modifier » pour en attribuer.' : '.'}</Text>
        ) : (
          <Group gap={6}>{t.competences.map((c) => <ToneBadge key={c.id} color="gray">{`${c.nom} (${c.domaine})`}</ToneBadge>)}</Group>
        )}
      </Paper>
      {editing && <TechnicienDialog technicien={t} onClose={() => setEditing(false)} />}
    </Stack>
  );
}
