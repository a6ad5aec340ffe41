import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasRole } from '../../../src/modules/auth/policy.js';
import {
  canHoldTechnicienProfile,
  COMPETENCE_MESSAGES,
  competenceNameKey,
  competenceSetChanges,
  isDuplicateCompetenceName,
  normalizeDisponibilite,
  optionalText,
  READER_ROLES,
  TECHNICIEN_MESSAGES,
  uniqueIds,
  WRITER_ROLES,
} from '../../../src/modules/techniciens/policy.js';

test('technicians and skills: write = admin, responsable; read = admin, responsable, technicien; client nothing', () => {
  assert.equal(hasRole('admin', WRITER_ROLES), true);
  assert.equal(hasRole('responsable', WRITER_ROLES), true);
  assert.equal(hasRole('technicien', WRITER_ROLES), false);
  assert.equal(hasRole('client', WRITER_ROLES), false);
  assert.equal(hasRole('admin', READER_ROLES), true);
  assert.equal(hasRole('responsable', READER_ROLES), true);
  assert.equal(hasRole('technicien', READER_ROLES), true);
  assert.equal(hasRole('client', READER_ROLES), false);
});

test('only a technicien account may hold a technician profile', () => {
  assert.equal(canHoldTechnicienProfile('technicien'), true);
  assert.equal(canHoldTechnicienProfile('admin'), false);
  assert.equal(canHoldTechnicienProfile('responsable'), false);
  assert.equal(canHoldTechnicienProfile('client'), false);
});

test('disponibilite is trimmed, lower-cased and stripped of accents; anything else is refused, never replaced', () => {
  assert.equal(normalizeDisponibilite('Occupé'), 'occupe');
  assert.equal(normalizeDisponibilite('  CONGÉ '), 'conge');
  assert.equal(normalizeDisponibilite('occupe\u0301'), 'occupe', 'a decomposed accent too');
  assert.equal(normalizeDisponibilite('Disponible'), 'disponible');
  assert.equal(normalizeDisponibilite('FORMATION'), 'formation');
  assert.equal(normalizeDisponibilite('indisponible'), 'indisponible');
  assert.equal(normalizeDisponibilite('vacances'), null);
  assert.equal(normalizeDisponibilite(''), null);
  assert.equal(normalizeDisponibilite('   '), null);
  assert.equal(normalizeDisponibilite('en congé'), null);
  assert.equal(normalizeDisponibilite('occupée'), null);
});

test('optional texts are trimmed and an empty one becomes null; absent and null pass through', () => {
  assert.equal(optionalText('  Atelier  '), 'Atelier');
  assert.equal(optionalText('   '), null);
  assert.equal(optionalText(''), null);
  assert.equal(optionalText(null), null);
  assert.equal(optionalText(undefined), undefined);
});

test('skill names compare trimmed and case-insensitively, accents included', () => {
  assert.equal(competenceNameKey('  Hydraulique '), 'hydraulique');
  assert.equal(competenceNameKey('ÉLECTRICITÉ'), 'électricité');
  const existing = [
    { id: 1, nom: 'Électricité' },
    { id: 2, nom: 'Hydraulique' },
  ];
  assert.equal(isDuplicateCompetenceName(existing, ' électricité '), true);
  assert.equal(isDuplicateCompetenceName(existing, 'HYDRAULIQUE'), true);
  assert.equal(isDuplicateCompetenceName(existing, 'Electricite'), false, 'accents are not ignored, only case');
  assert.equal(isDuplicateCompetenceName(existing, 'hydraulique', 2), false, 'its own name');
  assert.equal(isDuplicateCompetenceName(existing, 'hydraulique', 1), true);
  assert.equal(isDuplicateCompetenceName([], 'Soudure'), false);
});

test('skill-set replacement: removed, added, kept untouched; repetitions ignored', () => {
  assert.deepEqual(competenceSetChanges([1, 2, 3], [2, 3, 4]), { toAdd: [4], toRemove: [1] });
  assert.deepEqual(competenceSetChanges([1, 2], []), { toAdd: [], toRemove: [1, 2] });
  assert.deepEqual(competenceSetChanges([], [5, 5, 6]), { toAdd: [5, 6], toRemove: [] });
  assert.deepEqual(competenceSetChanges([7], [7]), { toAdd: [], toRemove: [] });
  assert.deepEqual(uniqueIds([3, 1, 3, 2, 1]), [3, 1, 2]);
});

test('messages are the exact legacy texts, with the typographic apostrophe in "n’est"', () => {
  assert.equal(TECHNICIEN_MESSAGES.notTechnicien, "L'utilisateur n\u2019est pas un technicien");
  assert.equal(TECHNICIEN_MESSAGES.notTechnicien.codePointAt(1), 0x27);
  assert.equal(TECHNICIEN_MESSAGES.userNotFound, 'Utilisateur lié introuvable');
  assert.equal(TECHNICIEN_MESSAGES.competencesNotFound, 'Une ou plusieurs compétences sont introuvables');
  assert.equal(TECHNICIEN_MESSAGES.profileExists, 'Un profil technicien existe déjà pour cet utilisateur');
  assert.equal(TECHNICIEN_MESSAGES.badgeTaken, 'Numéro de badge déjà utilisé');
  assert.equal(TECHNICIEN_MESSAGES.disponibiliteInvalid, 'Disponibilité invalide');
  assert.equal(TECHNICIEN_MESSAGES.notFound, 'Technicien introuvable');
  assert.equal(TECHNICIEN_MESSAGES.activeInterventions, 'Technicien affecté à des interventions en cours');
  assert.equal(COMPETENCE_MESSAGES.notFound, 'Compétence introuvable');
  assert.equal(COMPETENCE_MESSAGES.duplicate, 'Compétence déjà existante');
});
