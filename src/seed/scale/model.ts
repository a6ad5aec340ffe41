/**
 * What one unit of `--scale N` is (docs/operations.md §5): its natural keys, its exact distributions and
 * the shape of its generated data (generate.ts builds it, write.ts writes it).
 */
import type {
  Canal,
  Criticite,
  Disponibilite,
  Frequence,
  Niveau,
  Priorite,
  StatutEquipement,
  StatutIntervention,
  TypeIntervention,
  TypeNotification,
} from '../../db/schema.js';
import type { SeedAccount } from '../accounts.js';
import type { Step } from '../history.js';
import { pad } from '../shared.js';

// -------------------------------------------------------------------------------------------------
// Natural keys, numbered continuously across units
// -------------------------------------------------------------------------------------------------

/** Number (1-based) of the `index`-th item of unit `unit` among all units' items. */
export const globalNumber = (unit: number, perUnit: number, index: number) => (unit - 1) * perUnit + index + 1;

export const scaleKeys = {
  clientName: (n: number) => `Entreprise Démo ${pad(n, 4)}`,
  contractNumber: (n: number) => `CTR-SC-${pad(n, 5)}`,
  equipmentSerial: (n: number) => `SC-EQ-${pad(n, 6)}`,
  /** Ends every generated intervention title (its natural key). */
  interventionTag: (n: number) => `[SC-${pad(n, 7)}]`,
  badge: (n: number) => `SC-T${pad(n, 5)}`,
};

/** Extracts the number of an intervention tag at the end of a title (POSIX regex). */
export const TAG_PATTERN = '\\[SC-([0-9]{7,})\\]$';

// -------------------------------------------------------------------------------------------------
// Distributions (per unit of 5,000 interventions; exact counts, shuffled)
// -------------------------------------------------------------------------------------------------

/** 70 % closed or archived, 5 % cancelled, 25 % active. */
export const STATUS_COUNTS: Record<StatutIntervention, number> = {
  cloturee: 2100,
  archivee: 1400,
  annulee: 250,
  ouverte: 350,
  affectee: 300,
  en_cours: 400,
  en_attente: 200,
};
/** A fifth of the active ones are overdue. */
export const OVERDUE_PER_UNIT = 250;
export const READ_NOTIFICATIONS_PER_UNIT = 6000;

export const ACTIVE: ReadonlySet<StatutIntervention> = new Set(['ouverte', 'affectee', 'en_cours', 'en_attente']);

// -------------------------------------------------------------------------------------------------
// Generated data: references between records are indexes into the unit's lists
// -------------------------------------------------------------------------------------------------

export interface GeneratedClient {
  nom: string;
  ville: string;
  secteur: string;
  ice: string;
  contractNumber: string;
  account: SeedAccount;
}

export interface GeneratedEquipment {
  nom: string;
  /** The name without its number (for intervention titles). */
  label: string;
  serial: string;
  code: string;
  type: string;
  marque: string;
  modele: string;
  localisation: string;
  statut: StatutEquipement;
  criticite: Criticite;
  frequenceJours: number | null;
  /** Index of the unit's client, or null for MIF's own equipment. */
  client: number | null;
  miseEnService: Date;
}

export interface GeneratedTechnician {
  account: SeedAccount;
  badge: string;
  equipe: string;
  disponibilite: Disponibilite;
  niveau: Niveau;
  zone: string;
  telephone: string;
  astreinte: boolean;
  /** Indexes into the skills list. */
  skills: number[];
}

export interface GeneratedPlanning {
  equipment: number;
  frequence: Frequence;
  prochaine: Date;
  derniere: Date | null;
  statut: 'actif' | 'suspendu';
  technicien: number;
  priorite: Priorite;
}

/** Who acted: the unit's responsable #i, the intervention's technician. */
export type Actor = { kind: 'responsable'; index: number } | { kind: 'technicien' };

export interface GeneratedStep extends Step {
  actor: Actor;
}

export interface GeneratedIntervention {
  titre: string;
  description: string;
  type: TypeIntervention;
  priorite: Priorite;
  urgence: boolean;
  equipment: number;
  technicien: number | null;
  creator: number;
  dateLimite: number | null;
  steps: GeneratedStep[];
  dureeEstimee: number;
  dureeReelle: number | null;
  coutEstime: number;
  coutReel: number | null;
  rapport: string | null;
  travaux: string | null;
  recommandations: string | null;
}

export interface GeneratedNotification {
  type: TypeNotification;
  canal: Canal;
  contenu: string;
  at: number;
  intervention: number;
  recipient: { kind: 'responsable'; index: number } | { kind: 'technicien'; index: number } | { kind: 'client'; index: number };
  lu: boolean;
  readAt: number | null;
}

export interface GeneratedUnit {
  unit: number;
  clients: GeneratedClient[];
  responsables: SeedAccount[];
  technicians: GeneratedTechnician[];
  equipment: GeneratedEquipment[];
  plannings: GeneratedPlanning[];
  interventions: GeneratedIntervention[];
  notifications: GeneratedNotification[];
}
