/** Open or edit a technician's profile (skills, availability…), and create or edit a skill. */
import { Alert, Button, Group, Modal, MultiSelect, Select, SimpleGrid, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldErrorsOf } from '../api/client';
import { useCompetences, useCreateCompetence, useCreateTechnicien, usePatchCompetence, useTechnicienAccountsWithoutProfile, useUpdateTechnicien, type Competence } from '../api/techniciens';
import type { Technicien } from '../api/types';
import { DISPONIBILITE_LABELS, NIVEAU_LABELS, options } from '../lib/labels';

const portal = { withinPortal: true };

interface Draft {
  user_id: string | null;
  equipe: string;
  disponibilite: Technicien['disponibilite'];
  niveau_technicien: Technicien['niveau_technicien'];
  competences_ids: string[];
  numero_badge: string;
  zone_intervention: string;
  telephone_urgence: string;
  astreinte: boolean;
  is_active: boolean;
}

function draftOf(technicien: Technicien | null): Draft {
  return {
    user_id: null,
    equipe: technicien?.equipe ?? '',
    disponibilite: technicien?.disponibilite ?? 'disponible',
    niveau_technicien: technicien?.niveau_technicien ?? 'intermediaire',
    competences_ids: (technicien?.competences ?? []).map((c) => String(c.id)),
    numero_badge: technicien?.numero_badge ?? '',
    zone_intervention: technicien?.zone_intervention ?? '',
    telephone_urgence: technicien?.telephone_urgence ?? '',
    astreinte: technicien?.astreinte ?? false,
    is_active: technicien?.is_active ?? true,
  };
}

/** `technicien` null: a new profile for an account of the technician role. */
export function TechnicienDialog({ technicien, onClose, onSaved }: { technicien: Technicien | null; onClose: () => void; onSaved?: (saved: Technicien) => void }) {
  const competences = useCompetences();
  const accounts = useTechnicienAccountsWithoutProfile(technicien === null);
  const create = useCreateTechnicien();
  const update = useUpdateTechnicien();
  const save = technicien ? update : create;
  const [draft, setDraft] = useState<Draft>(() => draftOf(technicien));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const fields = fieldErrorsOf(save.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = {
      equipe: draft.equipe.trim() || null,
      disponibilite: draft.disponibilite,
      niveau_technicien: draft.niveau_technicien,
      competences_ids: draft.competences_ids.map(Number),
      numero_badge: draft.numero_badge.trim() || null,
      zone_intervention: draft.zone_intervention.trim() || null,
      telephone_urgence: draft.telephone_urgence.trim() || null,
      astreinte: draft.astreinte,
      is_active: draft.is_active,
    };
    const done = { onSuccess: (saved: Technicien) => { onSaved?.(saved); onClose(); } };
    if (technicien) update.mutate({ id: technicien.id, body }, done);
    else create.mutate({ ...body, user_id: Number(draft.user_id) }, done);
  };

  return (
    <Modal opened onClose={onClose} title={technicien ? `Modifier : ${technicien.user.full_name || technicien.user.username}` : 'Nouveau technicien'} size="lg" closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {save.error && <Alert color="red" role="alert" title="Enregistrement impossible">{save.error.message}</Alert>}
          {!technicien && (
            <Select
              label="Compte utilisateur (rôle technicien)"
              required
              searchable
              placeholder={accounts.isPending ? 'Chargement des comptes…' : 'Choisir un compte'}
              data={(accounts.data ?? []).map((u) => ({ value: String(u.id), label: `${u.full_name || u.username} (${u.username})` }))}
              value={draft.user_id}
              onChange={(value) => set('user_id', value)}
              error={fields.user_id ?? (accounts.isError ? 'Impossible de charger les comptes' : undefined)}
              nothingFoundMessage="Aucun compte technicien sans profil : créez d’abord le compte (Administration)"
              comboboxProps={portal}
            />
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select label="Disponibilité" required data={options(DISPONIBILITE_LABELS)} value={draft.disponibilite} onChange={(v) => v && set('disponibilite', v as Draft['disponibilite'])} allowDeselect={false} error={fields.disponibilite} comboboxProps={portal} />
            <Select label="Niveau" data={options(NIVEAU_LABELS)} value={draft.niveau_technicien} onChange={(v) => v && set('niveau_technicien', v as Draft['niveau_technicien'])} allowDeselect={false} error={fields.niveau_technicien} comboboxProps={portal} />
            <TextInput label="Équipe" value={draft.equipe} onChange={(e) => set('equipe', e.currentTarget.value)} error={fields.equipe} maxLength={100} />
            <TextInput label="N° de badge" value={draft.numero_badge} onChange={(e) => set('numero_badge', e.currentTarget.value)} error={fields.numero_badge} maxLength={20} />
            <TextInput label="Zone d’intervention" value={draft.zone_intervention} onChange={(e) => set('zone_intervention', e.currentTarget.value)} error={fields.zone_intervention} maxLength={255} />
            <TextInput label="Téléphone d’urgence" type="tel" value={draft.telephone_urgence} onChange={(e) => set('telephone_urgence', e.currentTarget.value)} error={fields.telephone_urgence} maxLength={20} />
          </SimpleGrid>
          <MultiSelect
            label="Compétences"
            searchable
            placeholder={competences.isPending ? 'Chargement des compétences…' : 'Ajouter une compétence'}
            data={(competences.data?.rows ?? []).map((c) => ({ value: String(c.id), label: c.nom }))}
            value={draft.competences_ids}
            onChange={(value) => set('competences_ids', value)}
            error={fields.competences_ids}
            nothingFoundMessage="Aucune compétence"
            comboboxProps={portal}
          />
          <Group>
            <Switch label="D’astreinte" checked={draft.astreinte} onChange={(e) => set('astreinte', e.currentTarget.checked)} />
            <Switch label="Profil actif (peut être affecté)" checked={draft.is_active} onChange={(e) => set('is_active', e.currentTarget.checked)} />
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Retour</Button>
            <Button type="submit" loading={save.isPending}>{technicien ? 'Enregistrer' : 'Créer le profil'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** `competence` null: a new skill. */
export function CompetenceDialog({ competence, onClose }: { competence: Competence | null; onClose: () => void }) {
  const create = useCreateCompetence();
  const patch = usePatchCompetence();
  const save = competence ? patch : create;
  const [nom, setNom] = useState(competence?.nom ?? '');
  const [domaine, setDomaine] = useState(competence?.domaine ?? '');
  const [description, setDescription] = useState(competence?.description ?? '');
  const fields = fieldErrorsOf(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = { nom, domaine: domaine.trim() || null, description: description.trim() || null };
    if (competence) patch.mutate({ id: competence.id, body }, { onSuccess: onClose });
    else create.mutate(body, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={competence ? `Modifier la compétence : ${competence.nom}` : 'Nouvelle compétence'} closeButtonProps={{ 'aria-label': 'Fermer' }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {save.error && <Alert color="red" role="alert" title="Enregistrement impossible">{save.error.message}</Alert>}
          <TextInput label="Nom" required value={nom} onChange={(e) => setNom(e.currentTarget.value)} error={fields.nom} maxLength={255} />
          <TextInput label="Domaine" description="Vide : général" value={domaine} onChange={(e) => setDomaine(e.currentTarget.value)} error={fields.domaine} maxLength={100} />
          <Textarea label="Description" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={fields.description} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Retour</Button>
            <Button type="submit" loading={save.isPending}>{competence ? 'Enregistrer' : 'Créer la compétence'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
