/**
 * Techniciens & compétences: the technicians (server pages, X-Total-Count; filters by availability,
 * skill and state, in the URL) with their skills and availability, and the skills' own tab.
 */
import { Anchor, Button, Group, Select, Table, Tabs, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { technicienName } from '../api/lookups';
import { useCompetences, useTechniciensPage, type TechnicienQuery } from '../api/techniciens';
import { useMe } from '../auth/useSession';
import { CompetencesPanel } from '../components/CompetencesPanel';
import { DisponibiliteBadge } from '../components/DisponibiliteBadge';
import { PagedTable } from '../components/PagedTable';
import { ToneBadge } from '../components/StatutBadge';
import { TechnicienDialog } from '../components/TechnicienForms';
import { DISPONIBILITE_LABELS, NIVEAU_LABELS, options } from '../lib/labels';
import { LIST_PAGE_SIZE, useUrlState } from '../lib/useUrlState';

function TechniciensPanel({ writer }: { writer: boolean }) {
  const navigate = useNavigate();
  const { page, offset, value, set, setPage, filtered } = useUrlState();
  const competences = useCompetences();
  const [creating, setCreating] = useState(false);
  const disponibilite = value('disponibilite');
  const competence = value('competence_id');
  const actif = value('is_active');
  const query: TechnicienQuery = { limit: LIST_PAGE_SIZE, offset, sort: 'id' };
  if (disponibilite) query.disponibilite = [disponibilite];
  if (/^\d+$/.test(competence)) query.competence_id = Number(competence);
  if (actif) query.is_active = actif;
  const list = useTechniciensPage(query);

  return (
    <>
      <Group justify="space-between" align="flex-end" mb="md">
        <Group align="flex-end">
          <Select label="Disponibilité" placeholder="Toutes" clearable data={options(DISPONIBILITE_LABELS)} value={disponibilite || null} onChange={(v) => set('disponibilite', v)} w={{ base: '100%', sm: 180 }} />
          <Select
            label="Compétence"
            placeholder="Toutes"
            clearable
            searchable
            data={(competences.data?.rows ?? []).map((c) => ({ value: String(c.id), label: c.nom }))}
            value={competence || null}
            onChange={(v) => set('competence_id', v)}
            nothingFoundMessage="Aucune compétence"
            w={{ base: '100%', sm: 220 }}
          />
          <Select label="État" placeholder="Tous" clearable data={[{ value: 'true', label: 'Actif' }, { value: 'false', label: 'Inactif' }]} value={actif || null} onChange={(v) => set('is_active', v)} w={{ base: '100%', sm: 140 }} />
        </Group>
        {writer && <Button onClick={() => setCreating(true)}>Nouveau technicien</Button>}
      </Group>
      <PagedTable
        list={list}
        loadingLabel="Chargement des techniciens…"
        noun="technicien"
        empty={filtered ? 'Aucun technicien ne correspond à ces filtres.' : 'Aucun technicien : ouvrez un profil pour un compte de rôle technicien.'}
        label="Liste des techniciens"
        minWidth={820}
        columns={['Nom', 'Équipe', 'Disponibilité', 'Niveau', 'Compétences', 'Astreinte', 'État']}
        row={(t) => (
          <Table.Tr key={t.id}>
            <Table.Td><Anchor component={Link} to={`/techniciens/${t.id}`}>{technicienName(t)}</Anchor></Table.Td>
            <Table.Td>{t.equipe ?? '—'}</Table.Td>
            <Table.Td><DisponibiliteBadge value={t.disponibilite} /></Table.Td>
            <Table.Td>{NIVEAU_LABELS[t.niveau_technicien]}</Table.Td>
            <Table.Td>
              {t.competences.length === 0 ? <Text size="sm" c="dimmed">Aucune</Text> : (
                <Group gap={4}>{t.competences.map((c) => <ToneBadge key={c.id} color="gray" size="sm">{c.nom}</ToneBadge>)}</Group>
              )}
            </Table.Td>
            <Table.Td>{t.astreinte ? 'Oui' : 'Non'}</Table.Td>
            <Table.Td>{t.is_active ? 'Actif' : 'Inactif'}</Table.Td>
          </Table.Tr>
        )}
        page={page}
        onPage={setPage}
      />
      {creating && <TechnicienDialog technicien={null} onClose={() => setCreating(false)} onSaved={(saved) => navigate(`/techniciens/${saved.id}`)} />}
    </>
  );
}

export default function TechniciensPage() {
  const me = useMe();
  const writer = me.data?.role === 'admin' || me.data?.role === 'responsable';
  const { value, setAll } = useUrlState();
  const tab = value('onglet') === 'competences' ? 'competences' : 'techniciens';
  return (
    <>
      <Title order={1} mb="md">Techniciens & compétences</Title>
      <Tabs value={tab} onChange={(next) => setAll(new URLSearchParams(next === 'competences' ? { onglet: 'competences' } : {}), { push: true })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="techniciens">Techniciens</Tabs.Tab>
          <Tabs.Tab value="competences">Compétences</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="techniciens"><TechniciensPanel writer={writer} /></Tabs.Panel>
        <Tabs.Panel value="competences"><CompetencesPanel writer={writer} /></Tabs.Panel>
      </Tabs>
    </>
  );
}
