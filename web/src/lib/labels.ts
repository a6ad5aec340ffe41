/** The French words of the enumerations (docs/domain.md §2), as users read them. */
import type { FrequenceLabel, StatutPlanning } from '../api/planning';
import type { Priorite, Role, Statut, Technicien, TypeIntervention } from '../api/types';

export const STATUT_LABELS: Record<Statut, string> = {
  ouverte: 'Ouverte',
  affectee: 'Affectée',
  en_cours: 'En cours',
  en_attente: 'En attente',
  cloturee: 'Clôturée',
  annulee: 'Annulée',
  archivee: 'Archivée',
};

export const STATUT_COLORS: Record<Statut, string> = {
  ouverte: 'blue',
  affectee: 'cyan',
  en_cours: 'orange',
  en_attente: 'yellow',
  cloturee: 'green',
  annulee: 'gray',
  archivee: 'dark',
};

/** The action that leads to each status, as a button says it. */
export const TRANSITION_ACTIONS: Record<Statut, string> = {
  ouverte: 'Désaffecter',
  affectee: 'Affecter',
  en_cours: 'Démarrer',
  en_attente: 'Mettre en attente',
  cloturee: 'Clôturer',
  annulee: 'Annuler',
  archivee: 'Archiver',
};

export const PRIORITE_LABELS: Record<Priorite, string> = {
  urgente: 'Urgente',
  haute: 'Haute',
  normale: 'Normale',
  basse: 'Basse',
  programmee: 'Programmée',
};

export const TYPE_LABELS: Record<TypeIntervention, string> = {
  corrective: 'Corrective',
  preventive: 'Préventive',
  ameliorative: 'Améliorative',
  diagnostic: 'Diagnostic',
};

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrateur',
  responsable: 'Responsable',
  technicien: 'Technicien',
  client: 'Client',
};

export const DISPONIBILITE_LABELS: Record<Technicien['disponibilite'], string> = {
  disponible: 'Disponible',
  occupe: 'Occupé',
  conge: 'En congé',
  formation: 'En formation',
  indisponible: 'Indisponible',
};

export const NIVEAU_LABELS: Record<Technicien['niveau_technicien'], string> = {
  debutant: 'Débutant',
  intermediaire: 'Intermédiaire',
  avance: 'Avancé',
  expert: 'Expert',
};

/** Keyed by the API's output labels (`mensuelle`…), which it also accepts as input. */
export const FREQUENCE_LABELS: Record<FrequenceLabel, string> = {
  journalier: 'Journalière',
  hebdomadaire: 'Hebdomadaire',
  mensuelle: 'Mensuelle',
  trimestrielle: 'Trimestrielle',
  semestrielle: 'Semestrielle',
  annuelle: 'Annuelle',
};

export const STATUT_PLANNING_LABELS: Record<StatutPlanning, string> = {
  actif: 'Actif',
  suspendu: 'Suspendu',
  termine: 'Terminé',
  en_retard: 'En retard',
};

export const STATUT_PLANNING_COLORS: Record<StatutPlanning, string> = { actif: 'green', suspendu: 'gray', termine: 'dark', en_retard: 'orange' };

export function options<K extends string>(labels: Record<K, string>): { value: K; label: string }[] {
  return (Object.keys(labels) as K[]).map((value) => ({ value, label: labels[value] }));
}
