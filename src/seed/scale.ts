/**
 * `--scale N` (operations.md §5): per unit of N, 10 clients (each with a client user and a contract),
 * 200 equipment items, 20 technicians with users, 2 responsables, 50 plannings, 5,000 interventions
 * over the last 24 months with one history row per transition, and 10,000 notifications (60 % read).
 *
 * - Deterministic: unit u is generated from its own PRNG seeded by (S, u), whatever the other units.
 * - Idempotent: each unit is written in one transaction, so a unit is either wholly present or
 *   absent; its last intervention (the tag at the end of its title) marks it. Running again with the
 *   same N adds nothing; a larger N adds the missing units. Generated natural keys (e-mails, client
 *   names, contract numbers, serials, titles) are numbered continuously across units.
 * - Fast: rows are built in memory and written with multi-row `INSERT … SELECT FROM unnest(…)`
 *   statements of ≤ 5,000 rows (bulk.ts); two units are written concurrently.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type {
  Canal,
  Database,
  Disponibilite,
  Frequence,
  Niveau,
  Priorite,
  StatutEquipement,
  StatutIntervention,
  TypeIntervention,
  TypeNotification,
} from '../db/schema.js';
import { scaleAccountsOfUnit, SCALE_PER_UNIT, type SeedAccount } from './accounts.js';
import { bulkInsert, type Cell } from './bulk.js';
import { SeedConflict } from './errors.js';
import { exactCounts, Random, weighted } from './random.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** "The last 24 months". */
const HORIZON = 730 * DAY;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

// -------------------------------------------------------------------------------------------------
// Natural keys
// -------------------------------------------------------------------------------------------------

const globalNumber = (unit: number, perUnit: number, index: number) => (unit - 1) * perUnit + index + 1;

export const scaleKeys = {
  clientName: (n: number) => `Entreprise Démo ${pad(n, 4)}`,
  contractNumber: (n: number) => `CTR-SC-${pad(n, 5)}`,
  equipmentSerial: (n: number) => `SC-EQ-${pad(n, 6)}`,
  /** Ends every generated intervention title (its natural key). */
  interventionTag: (n: number) => `[SC-${pad(n, 7)}]`,
  badge: (n: number) => `SC-T${pad(n, 5)}`,
};

/** Extracts the number of an intervention tag at the end of a title (POSIX regex). */
const TAG_PATTERN = '\\[SC-([0-9]{7,})\\]$';

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

const ACTIVE: ReadonlySet<StatutIntervention> = new Set(['ouverte', 'affectee', 'en_cours', 'en_attente']);

const EQUIPMENT_TYPES: readonly { type: string; label: string; brands: readonly (readonly [string, string])[] }[] = [
  { type: 'compresseur', label: 'Compresseur', brands: [['Atlas Copco', 'GA30'], ['Kaeser', 'SK 22'], ['Ingersoll Rand', 'R37']] },
  { type: 'pompe', label: 'Pompe', brands: [['Grundfos', 'CR 32'], ['KSB', 'Etanorm'], ['Wilo', 'Helix V']] },
  { type: 'generateur', label: 'Groupe électrogène', brands: [['Caterpillar', 'C9'], ['Cummins', 'C275'], ['SDMO', 'X330']] },
  { type: 'convoyeur', label: 'Convoyeur', brands: [['Interroll', 'RM 8310'], ['Dorner', '3200']] },
  { type: 'climatisation', label: 'Climatiseur', brands: [['Carrier', '30RB'], ['Daikin', 'EWAD']] },
  { type: 'chaudiere', label: 'Chaudière', brands: [['Viessmann', 'Vitoplex 200'], ['De Dietrich', 'C 330']] },
  { type: 'transformateur', label: 'Transformateur', brands: [['Schneider', 'Trihal 630'], ['ABB', 'RESIBLOC']] },
  { type: 'chariot', label: 'Chariot élévateur', brands: [['Toyota', '8FBE'], ['Linde', 'E20']] },
  { type: 'onduleur', label: 'Onduleur', brands: [['APC', 'Galaxy 5500'], ['Eaton', '93PM']] },
  { type: 'presse', label: 'Presse hydraulique', brands: [['Schuler', 'MSD 400'], ['Bosch Rexroth', 'HP 250']] },
];

const CITIES = ['Casablanca', 'Rabat', 'Tanger', 'Fès', 'Marrakech', 'Agadir', 'Kénitra', 'Meknès', 'Oujda', 'El Jadida'] as const;
const SECTORS = ['Agroalimentaire', 'Automobile', 'Textile', 'Chimie', 'Logistique', 'Santé', 'Énergie', 'BTP', 'Hôtellerie', 'Industrie pharmaceutique'] as const;
const TEAMS = ['Équipe Nord', 'Équipe Sud', 'Équipe Centre', 'Atelier', 'Astreinte', 'Électricité', 'Mécanique'] as const;

const TITLE_VERBS: Record<TypeIntervention, readonly string[]> = {
  corrective: ['Réparation', 'Dépannage', 'Remplacement de pièce', 'Fuite à traiter'],
  preventive: ['Maintenance préventive', 'Contrôle périodique', 'Révision', 'Graissage et inspection'],
  ameliorative: ['Amélioration', 'Modernisation', 'Mise en conformité'],
  diagnostic: ['Diagnostic', 'Analyse vibratoire', 'Thermographie'],
};
const REPORTS = [
  'Travaux réalisés conformément à la gamme. Essais satisfaisants.',
  'Pièce défectueuse remplacée, remise en service validée avec l’exploitant.',
  'Réglages effectués, paramètres de fonctionnement revenus dans les tolérances.',
  'Nettoyage, resserrage des connexions et contrôle des sécurités effectués.',
] as const;
const RECOMMENDATIONS = [
  'Surveiller les vibrations au prochain passage.',
  'Prévoir le remplacement des roulements sous 6 mois.',
  'Aucune action complémentaire.',
  'Commander un kit de joints en stock de sécurité.',
] as const;

// Samplers of the generated distributions (weights in percent).
const pickStatutEquipement = weighted<StatutEquipement>({ operationnel: 80, maintenance: 10, panne: 7, retire: 3 });
const pickStatutPlanifie = weighted<StatutEquipement>({ operationnel: 85, maintenance: 9, panne: 6 });
const pickDisponibilite = weighted<Disponibilite>({ disponible: 60, occupe: 25, conge: 5, formation: 5, indisponible: 5 });
const pickNiveau = weighted<Niveau>({ debutant: 15, intermediaire: 40, avance: 30, expert: 15 });
const pickCriticite = weighted({ critique: 10, important: 30, standard: 45, non_critique: 15 });
const pickFrequence = weighted<Frequence>({ journalier: 2, hebdomadaire: 8, mensuel: 45, trimestriel: 25, semestriel: 10, annuel: 10 });
const pickPlanningPriorite = weighted<Priorite>({ normale: 60, programmee: 30, haute: 10 });
const pickType = weighted<TypeIntervention>({ corrective: 45, preventive: 35, ameliorative: 10, diagnostic: 10 });
const pickPrioritePreventive = weighted<Priorite>({ programmee: 45, normale: 40, haute: 10, basse: 5 });
const pickPrioriteAutre = weighted<Priorite>({ urgente: 8, haute: 25, normale: 47, basse: 20 });
const pickCanal = weighted<Canal>({ log: 50, email: 35, push: 10, sms: 5 });

// -------------------------------------------------------------------------------------------------
// Generation (pure: depends only on the seed, the unit number and the reference time)
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
  criticite: string;
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
type Actor = { kind: 'responsable'; index: number } | { kind: 'technicien' };

export interface GeneratedStep {
  statut: StatutIntervention;
  at: number;
  actor: Actor;
  remarque: string;
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

/** First step time + cumulative gaps, squeezed (proportionally) to end before `limit`. */
function fitSteps(start: number, gaps: number[], limit: number): number[] {
  const total = gaps.reduce((a, b) => a + b, 0);
  const room = Math.max(0, limit - start);
  const factor = total > room ? room / total : 1;
  const times: number[] = [];
  let t = start;
  for (const gap of gaps) {
    t += Math.floor(gap * factor);
    times.push(t);
  }
  return times;
}

function statusPath(rng: Random, final: StatutIntervention): StatutIntervention[] {
  switch (final) {
    case 'ouverte':
      return ['ouverte'];
    case 'affectee':
      return ['ouverte', 'affectee'];
    case 'en_cours':
      return rng.chance(0.2) ? ['ouverte', 'affectee', 'en_cours', 'en_attente', 'en_cours'] : ['ouverte', 'affectee', 'en_cours'];
    case 'en_attente':
      return ['ouverte', 'affectee', 'en_cours', 'en_attente'];
    case 'cloturee':
    case 'archivee': {
      const work: StatutIntervention[] = rng.chance(0.25)
        ? ['en_cours', 'en_attente', ...(rng.chance(0.5) ? (['en_cours'] as const) : [])]
        : ['en_cours'];
      return ['ouverte', 'affectee', ...work, 'cloturee', ...(final === 'archivee' ? (['archivee'] as const) : [])];
    }
    case 'annulee':
      return rng.chance(0.6) ? ['ouverte', 'annulee'] : ['ouverte', 'affectee', 'annulee'];
  }
}

/** Gap before reaching `statut` (ms). */
function gapBefore(rng: Random, statut: StatutIntervention, previous: StatutIntervention): number {
  switch (statut) {
    case 'affectee':
      return rng.between(10 * MINUTE, 24 * HOUR);
    case 'en_cours':
      return previous === 'en_attente' ? rng.between(2 * HOUR, 96 * HOUR) : rng.between(1 * HOUR, 72 * HOUR);
    case 'en_attente':
      return rng.between(1 * HOUR, 48 * HOUR);
    case 'cloturee':
      return rng.between(1 * HOUR, 72 * HOUR);
    case 'archivee':
      return rng.between(7 * DAY, 45 * DAY);
    case 'annulee':
      return rng.between(1 * HOUR, 120 * HOUR);
    case 'ouverte':
      return 0;
  }
}

const BY_TECHNICIAN: Actor = { kind: 'technicien' };
const DURATIONS = [60, 90, 120, 180, 240, 360, 480] as const;

const REMARKS: Record<StatutIntervention, string> = {
  ouverte: 'Création de l’intervention',
  affectee: 'Affectation du technicien',
  en_cours: 'Début des travaux',
  en_attente: 'En attente de pièces',
  cloturee: 'Travaux terminés',
  annulee: 'Annulée : demande en double',
  archivee: 'Archivage',
};

export function generateUnit(seed: string, unit: number, now: number, skillCount: number): GeneratedUnit {
  const rng = new Random(`${seed}:unit:${unit}`);
  const accounts = scaleAccountsOfUnit(unit);
  const limit = now - 5 * MINUTE;

  const clients: GeneratedClient[] = accounts.clients.map((account, i) => {
    const n = globalNumber(unit, SCALE_PER_UNIT.clients, i);
    return {
      nom: scaleKeys.clientName(n),
      ville: rng.pick(CITIES),
      secteur: rng.pick(SECTORS),
      ice: `9${pad(n, 14)}`,
      contractNumber: scaleKeys.contractNumber(n),
      account,
    };
  });

  const technicians: GeneratedTechnician[] = accounts.techniciens.map((account, i) => {
    const n = globalNumber(unit, SCALE_PER_UNIT.techniciens, i);
    const first = rng.int(0, skillCount - 1);
    const skills = skillCount > 1 && rng.chance(0.4) ? [first, (first + 1) % skillCount] : [first];
    return {
      account,
      badge: scaleKeys.badge(n),
      equipe: rng.pick(TEAMS),
      disponibilite: pickDisponibilite(rng),
      niveau: pickNiveau(rng),
      zone: rng.pick(CITIES),
      telephone: `+212 6${rng.int(10, 99)}-${pad(rng.int(0, 999999), 6)}`,
      astreinte: rng.chance(0.15),
      skills,
    };
  });

  const equipment: GeneratedEquipment[] = Array.from({ length: SCALE_PER_UNIT.equipements }, (_, i) => {
    const n = globalNumber(unit, SCALE_PER_UNIT.equipements, i);
    const kind = rng.pick(EQUIPMENT_TYPES);
    const [marque, modele] = rng.pick(kind.brands);
    // The first 50 carry the unit's plannings: never retired.
    const statut = (i < SCALE_PER_UNIT.plannings ? pickStatutPlanifie : pickStatutEquipement)(rng);
    // 150 items belong to the unit's 10 clients (15 each), 50 are MIF's own.
    const client = i < 150 ? i % SCALE_PER_UNIT.clients : null;
    const city = client === null ? rng.pick(CITIES) : clients[client]!.ville;
    return {
      nom: `${kind.label} ${marque} ${modele} SC-${pad(n, 6)}`,
      label: `${kind.label} ${marque} ${modele}`,
      serial: scaleKeys.equipmentSerial(n),
      code: `EQ-${pad(n, 6)}`,
      type: kind.type,
      marque,
      modele,
      localisation: `${city} - Bâtiment ${String.fromCharCode(65 + rng.int(0, 5))}`,
      statut,
      criticite: pickCriticite(rng),
      frequenceJours: rng.chance(0.6) ? rng.pick([30, 60, 90, 180, 365]) : null,
      client,
      miseEnService: new Date(now - rng.between(400 * DAY, 3650 * DAY)),
    };
  });
  const usable = equipment.map((e, i) => (e.statut === 'retire' ? -1 : i)).filter((i) => i >= 0);

  const frequencyPeriod: Record<Frequence, number> = { journalier: DAY, hebdomadaire: 7 * DAY, mensuel: 30 * DAY, trimestriel: 91 * DAY, semestriel: 182 * DAY, annuel: 365 * DAY };
  const plannings: GeneratedPlanning[] = Array.from({ length: SCALE_PER_UNIT.plannings }, (_, i) => {
    const frequence = pickFrequence(rng);
    const prochaine = now + rng.between(1 * DAY, Math.min(frequencyPeriod[frequence], 60 * DAY));
    return {
      equipment: i,
      frequence,
      prochaine: new Date(prochaine),
      derniere: rng.chance(0.7) ? new Date(prochaine - frequencyPeriod[frequence]) : null,
      statut: rng.chance(0.9) ? 'actif' : 'suspendu',
      technicien: rng.int(0, technicians.length - 1),
      priorite: pickPlanningPriorite(rng),
    };
  });

  // Interventions: exact status counts, a fifth of the active ones overdue.
  const statuses = rng.shuffle(exactCounts(STATUS_COUNTS));
  const activeIndexes = statuses.flatMap((s, i) => (ACTIVE.has(s) ? [i] : []));
  const overdue = new Set(rng.shuffle(activeIndexes).slice(0, OVERDUE_PER_UNIT));
  const interventions: GeneratedIntervention[] = statuses.map((final, i) => {
    const n = globalNumber(unit, SCALE_PER_UNIT.interventions, i);
    const type = pickType(rng);
    const priorite =
      type === 'preventive'
        ? pickPrioritePreventive(rng)
        : pickPrioriteAutre(rng);
    const equipmentIndex = ACTIVE.has(final) ? rng.pick(usable) : rng.int(0, equipment.length - 1);
    const item = equipment[equipmentIndex]!;
    const path = statusPath(rng, final);

    // Creation time: active work is recent, archived work old enough to have been archived.
    let creation: number;
    if (overdue.has(i)) creation = now - rng.between(3 * DAY, 120 * DAY);
    else if (ACTIVE.has(final)) creation = now - rng.between(2 * HOUR, 45 * DAY);
    else if (final === 'archivee') creation = now - rng.between(60 * DAY, HORIZON);
    else creation = now - rng.between(1 * DAY, HORIZON);

    const gaps: number[] = [];
    for (let k = 1; k < path.length; k++) gaps.push(gapBefore(rng, path[k]!, path[k - 1]!));
    const times = fitSteps(creation, gaps, limit);
    const creator = rng.int(0, accounts.responsables.length - 1);
    const byResponsable: Actor = { kind: 'responsable', index: creator };
    const steps: GeneratedStep[] = [];
    for (let k = 0; k < path.length; k++) {
      const statut = path[k]!;
      steps.push({
        statut,
        at: k === 0 ? creation : times[k - 1]!,
        actor: statut === 'en_cours' || statut === 'en_attente' || statut === 'cloturee' ? BY_TECHNICIAN : byResponsable,
        remarque: k > 0 && statut === 'en_cours' && path[k - 1] === 'en_attente' ? 'Reprise des travaux' : REMARKS[statut],
      });
    }

    let dateLimite: number | null;
    if (overdue.has(i)) dateLimite = creation + rng.between(0.1, 0.9) * (limit - HOUR - creation);
    else if (ACTIVE.has(final)) dateLimite = rng.chance(0.7) ? now + rng.between(2 * DAY, 30 * DAY) : null;
    else dateLimite = rng.chance(0.8) ? creation + rng.between(2 * DAY, 30 * DAY) : null;

    const closed = path.includes('cloturee');
    const dureeEstimee = rng.pick(DURATIONS);
    const coutEstime = Math.round(rng.between(300, 25000));
    return {
      titre: `${rng.pick(TITLE_VERBS[type])} ${item.label} ${scaleKeys.interventionTag(n)}`,
      description: `${type === 'corrective' ? 'Anomalie signalée' : 'Opération planifiée'} sur ${item.nom} (${item.localisation}).`,
      type,
      priorite,
      urgence: priorite === 'urgente' || rng.chance(0.03),
      equipment: equipmentIndex,
      technicien: path.includes('affectee') ? rng.int(0, technicians.length - 1) : null,
      creator,
      dateLimite: dateLimite === null ? null : Math.floor(dateLimite),
      steps,
      dureeEstimee,
      dureeReelle: closed ? Math.round(dureeEstimee * rng.between(0.6, 1.8)) : null,
      coutEstime,
      coutReel: closed ? Math.round(coutEstime * rng.between(0.7, 1.5) * 100) / 100 : null,
      rapport: closed ? rng.pick(REPORTS) : null,
      travaux: closed ? `Intervention sur ${item.type} ${item.marque} : contrôle, réglage et essais.` : null,
      recommandations: closed && rng.chance(0.6) ? rng.pick(RECOMMENDATIONS) : null,
    };
  });

  // Notifications: 10,000 tied to the unit's interventions, exactly 60 % read.
  const readFlags = rng.shuffle(exactCounts({ lu: READ_NOTIFICATIONS_PER_UNIT, non_lu: SCALE_PER_UNIT.notifications - READ_NOTIFICATIONS_PER_UNIT }));
  const notifications: GeneratedNotification[] = new Array(readFlags.length);
  const candidates: TypeNotification[] = [];
  for (let n = 0; n < readFlags.length; n++) {
    const index = rng.int(0, interventions.length - 1);
    const v = interventions[index]!;
    let affectation: number | undefined;
    let cloture: number | undefined;
    for (const step of v.steps) {
      if (step.statut === 'affectee' && affectation === undefined) affectation = step.at;
      else if (step.statut === 'cloturee') cloture = step.at;
    }
    const tech = v.technicien;
    candidates.length = 0;
    candidates.push('information');
    if (affectation !== undefined && tech !== null) candidates.push('affectation', 'rappel');
    if (cloture !== undefined) candidates.push('cloture');
    if (v.dateLimite !== null && v.dateLimite < (cloture ?? now) && tech !== null) candidates.push('retard');
    const type = rng.pick(candidates);
    let contenu: string;
    let at: number;
    let recipient: GeneratedNotification['recipient'];
    switch (type) {
      case 'affectation':
        contenu = `Intervention « ${v.titre} » affectée`;
        at = affectation!;
        recipient = { kind: 'technicien', index: tech! };
        break;
      case 'rappel':
        contenu = `Rappel : intervention « ${v.titre} » à traiter`;
        at = affectation! + rng.between(HOUR, 24 * HOUR);
        recipient = { kind: 'technicien', index: tech! };
        break;
      case 'cloture': {
        const owner = equipment[v.equipment]!.client;
        contenu = `Intervention « ${v.titre} » clôturée`;
        at = cloture!;
        recipient = owner !== null && rng.chance(0.5) ? { kind: 'client', index: owner } : { kind: 'responsable', index: v.creator };
        break;
      }
      case 'retard':
        contenu = `Intervention « ${v.titre} » en retard`;
        at = v.dateLimite! + rng.between(0, HOUR);
        recipient = { kind: 'technicien', index: tech! };
        break;
      default:
        contenu = `Nouvelle intervention « ${v.titre} »`;
        at = v.steps[0]!.at + rng.between(0, 5 * MINUTE);
        recipient = { kind: 'responsable', index: rng.int(0, accounts.responsables.length - 1) };
    }
    at = Math.min(Math.floor(at), limit);
    const lu = readFlags[n] === 'lu';
    notifications[n] = {
      type,
      canal: pickCanal(rng),
      contenu,
      at,
      intervention: index,
      recipient,
      lu,
      readAt: lu ? Math.max(at, Math.min(Math.floor(at + rng.between(5 * MINUTE, 72 * HOUR)), limit)) : null,
    };
  }

  return {
    unit,
    clients,
    responsables: accounts.responsables,
    technicians,
    equipment,
    plannings,
    interventions,
    notifications,
  };
}

// -------------------------------------------------------------------------------------------------
// Writing
// -------------------------------------------------------------------------------------------------

export interface UnitCounts {
  clients: number;
  contrats: number;
  users: number;
  techniciens: number;
  technicien_competence: number;
  equipements: number;
  plannings: number;
  interventions: number;
  historiques_interventions: number;
  notifications: number;
}

/** Looks rows up by a key column; every key must be found (else the natural key is held elsewhere). */
async function lookup(trx: Transaction<Database>, table: 'clients' | 'contrats' | 'users' | 'equipements', keyColumn: string, keys: string[]): Promise<number[]> {
  const { rows } = await sql<{ k: string; id: number }>`SELECT ${sql.ref(keyColumn)} AS k, id FROM ${sql.table(table)} WHERE ${sql.ref(keyColumn)} = ANY(${keys}::text[])`.execute(trx);
  const map = new Map(rows.map((r) => [r.k, r.id]));
  return keys.map((key) => {
    const id = map.get(key);
    if (id === undefined) throw new SeedConflict(`${table} : « ${key} » n'a pas pu être créé (une autre ligne occupe déjà une de ses clés uniques).`);
    return id;
  });
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface WriteContext {
  passwordHash: string;
  competenceIds: number[];
  now: number;
}

/** Writes one generated unit in the given transaction. */
export async function writeUnit(trx: Transaction<Database>, data: GeneratedUnit, context: WriteContext): Promise<UnitCounts> {
  const nowIso = new Date(context.now).toISOString();
  const counts: UnitCounts = { clients: 0, contrats: 0, users: 0, techniciens: 0, technicien_competence: 0, equipements: 0, plannings: 0, interventions: 0, historiques_interventions: 0, notifications: 0 };

  // Clients and their contracts.
  counts.clients = (
    await bulkInsert(
      trx,
      'clients',
      [['nom_entreprise', 'text'], ['type_client', 'text'], ['secteur_activite', 'text'], ['ice', 'text'], ['nom_contact', 'text'], ['email', 'text'], ['ville', 'text'], ['pays', 'text'], ['niveau_service', 'text'], ['date_creation', 'timestamptz'], ['date_modification', 'timestamptz']],
      data.clients.map((c, i) => [c.nom, 'entreprise', c.secteur, c.ice, `Contact ${c.account.username}`, c.account.email, c.ville, 'Maroc', (['standard', 'premium', 'basique'] as const)[i % 3]!, nowIso, nowIso]),
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const clientIds = await lookup(trx, 'clients', 'nom_entreprise', data.clients.map((c) => c.nom));
  const year = new Date(context.now).getUTCFullYear();
  counts.contrats = (
    await bulkInsert(
      trx,
      'contrats',
      [['numero_contrat', 'text'], ['nom_contrat', 'text'], ['type_contrat', 'text'], ['statut', 'text'], ['date_debut', 'date'], ['date_fin', 'date'], ['montant_annuel', 'numeric'], ['client_id', 'int4'], ['date_creation', 'timestamptz'], ['date_modification', 'timestamptz']],
      data.clients.map((c, i) => [c.contractNumber, `Contrat de maintenance ${c.nom}`, 'maintenance_complete', 'en_cours', `${year - 2}-01-01`, `${year + 1}-12-31`, 24000 + i * 6000, clientIds[i]!, nowIso, nowIso]),
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const contratIds = await lookup(trx, 'contrats', 'numero_contrat', data.clients.map((c) => c.contractNumber));

  // Accounts: responsables, technicians, client users.
  const userRows: Cell[][] = [
    ...data.responsables.map((a) => [a.username, a.fullName, a.email, context.passwordHash, 'responsable', null, nowIso, nowIso, nowIso]),
    ...data.technicians.map((t) => [t.account.username, t.account.fullName, t.account.email, context.passwordHash, 'technicien', null, nowIso, nowIso, nowIso]),
    ...data.clients.map((c, i) => [c.account.username, c.account.fullName, c.account.email, context.passwordHash, 'client', clientIds[i]!, nowIso, nowIso, nowIso]),
  ];
  counts.users = (
    await bulkInsert(
      trx,
      'users',
      [['username', 'text'], ['full_name', 'text'], ['email', 'text'], ['hashed_password', 'text'], ['role', 'text'], ['client_id', 'int4'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['password_changed_at', 'timestamptz']],
      userRows,
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const responsableIds = await lookup(trx, 'users', 'email', data.responsables.map((a) => a.email));
  const techUserIds = await lookup(trx, 'users', 'email', data.technicians.map((t) => t.account.email));
  const clientUserIds = await lookup(trx, 'users', 'email', data.clients.map((c) => c.account.email));

  // Technician profiles and skills.
  counts.techniciens = (
    await bulkInsert(
      trx,
      'techniciens',
      [['user_id', 'int4'], ['equipe', 'text'], ['disponibilite', 'text'], ['niveau_technicien', 'text'], ['numero_badge', 'text'], ['zone_intervention', 'text'], ['telephone_urgence', 'text'], ['astreinte', 'bool'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']],
      data.technicians.map((t, i) => [techUserIds[i]!, t.equipe, t.disponibilite, t.niveau, t.badge, t.zone, t.telephone, t.astreinte, nowIso, nowIso]),
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const techRows = await trx.selectFrom('techniciens').select(['id', 'user_id']).where('user_id', 'in', techUserIds).execute();
  const techByUser = new Map(techRows.map((r) => [r.user_id, r.id]));
  const techIds = techUserIds.map((userId) => {
    const id = techByUser.get(userId);
    if (id === undefined) throw new SeedConflict(`techniciens : profil du compte ${userId} non créé (numéro de badge déjà utilisé).`);
    return id;
  });
  if (context.competenceIds.length > 0) {
    counts.technicien_competence = (
      await bulkInsert(
        trx,
        'technicien_competence',
        [['technicien_id', 'int4'], ['competence_id', 'int4'], ['niveau', 'text'], ['date_acquisition', 'timestamptz']],
        data.technicians.flatMap((t, i) => t.skills.map((s) => [techIds[i]!, context.competenceIds[s % context.competenceIds.length]!, t.niveau, nowIso])),
        { onConflictDoNothing: true, returning: ['technicien_id'] },
      )
    ).length;
  }

  // Equipment.
  counts.equipements = (
    await bulkInsert(
      trx,
      'equipements',
      [['nom', 'text'], ['type_equipement', 'text'], ['numero_serie', 'text'], ['code_interne', 'text'], ['marque', 'text'], ['modele', 'text'], ['localisation', 'text'], ['statut', 'text'], ['criticite', 'text'], ['frequence_entretien_jours', 'int4'], ['date_mise_en_service', 'timestamptz'], ['client_id', 'int4'], ['contrat_id', 'int4'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']],
      data.equipment.map((e) => [e.nom, e.type, e.serial, e.code, e.marque, e.modele, e.localisation, e.statut, e.criticite, e.frequenceJours, e.miseEnService, e.client === null ? null : clientIds[e.client]!, e.client === null ? null : contratIds[e.client]!, nowIso, nowIso]),
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const equipmentIds = await lookup(trx, 'equipements', 'numero_serie', data.equipment.map((e) => e.serial));
  const equipmentOwner = data.equipment.map((e) => (e.client === null ? { client: null, contrat: null } : { client: clientIds[e.client]!, contrat: contratIds[e.client]! }));

  // Plannings, unless one exists for the same (equipment, frequency).
  const existingPlannings = await trx.selectFrom('plannings').select(['equipement_id', 'frequence']).where('equipement_id', 'in', equipmentIds.slice(0, SCALE_PER_UNIT.plannings)).execute();
  const planningKeys = new Set(existingPlannings.map((p) => `${p.equipement_id}:${p.frequence}`));
  const newPlannings = data.plannings.filter((p) => !planningKeys.has(`${equipmentIds[p.equipment]!}:${p.frequence}`));
  await bulkInsert(
    trx,
    'plannings',
    [['equipement_id', 'int4'], ['frequence', 'text'], ['date_reference', 'timestamptz'], ['prochaine_date', 'timestamptz'], ['derniere_date', 'timestamptz'], ['statut', 'text'], ['commentaire', 'text'], ['technicien_id', 'int4'], ['priorite', 'text'], ['date_creation', 'timestamptz'], ['date_modification', 'timestamptz']],
    newPlannings.map((p) => [equipmentIds[p.equipment]!, p.frequence, p.derniere ?? p.prochaine, p.prochaine, p.derniere, p.statut, `Entretien ${p.frequence} généré`, techIds[p.technicien]!, p.priorite, nowIso, nowIso]),
  );
  counts.plannings = newPlannings.length;

  // Interventions (the unit's transaction guarantees that none of them exists yet).
  const actorUser = (step: GeneratedStep, intervention: GeneratedIntervention) =>
    step.actor.kind === 'technicien' ? techUserIds[intervention.technicien!]! : responsableIds[step.actor.index]!;
  const interventionRows = data.interventions.map((v) => {
    const first = (statut: StatutIntervention) => v.steps.find((s) => s.statut === statut)?.at ?? null;
    const lastAffectation = [...v.steps].reverse().find((s) => s.statut === 'affectee')?.at ?? null;
    const last = v.steps[v.steps.length - 1]!;
    const owner = equipmentOwner[v.equipment]!;
    const cloture = first('cloturee');
    return [
      v.titre, v.description, v.type, last.statut, v.priorite, v.urgence, iso(v.steps[0]!.at), iso(v.dateLimite),
      iso(lastAffectation), iso(first('en_cours')), iso(cloture), iso(cloture), iso(first('archivee')),
      v.dureeEstimee, v.dureeReelle, v.coutEstime, v.coutReel, v.rapport, v.travaux, v.recommandations,
      equipmentIds[v.equipment]!, v.technicien === null ? null : techIds[v.technicien]!, responsableIds[v.creator]!, owner.client, owner.contrat, iso(last.at),
    ] satisfies Cell[];
  });
  const inserted = await bulkInsert<{ id: number; titre: string }>(
    trx,
    'interventions',
    [
      ['titre', 'text'], ['description', 'text'], ['type_intervention', 'text'], ['statut', 'text'], ['priorite', 'text'], ['urgence', 'bool'], ['date_creation', 'timestamptz'], ['date_limite', 'timestamptz'],
      ['date_affectation', 'timestamptz'], ['date_debut_travaux', 'timestamptz'], ['date_fin_travaux', 'timestamptz'], ['date_cloture', 'timestamptz'], ['date_archivage', 'timestamptz'],
      ['duree_estimee', 'int4'], ['duree_reelle', 'int4'], ['cout_estime', 'numeric'], ['cout_reel', 'numeric'], ['rapport_intervention', 'text'], ['travaux_realises', 'text'], ['recommandations', 'text'],
      ['equipement_id', 'int4'], ['technicien_id', 'int4'], ['created_by_id', 'int4'], ['client_id', 'int4'], ['contrat_id', 'int4'], ['updated_at', 'timestamptz'],
    ],
    interventionRows,
    { returning: ['id', 'titre'] },
  );
  counts.interventions = inserted.length;
  const idByTitle = new Map(inserted.map((r) => [r.titre, r.id]));
  const interventionIds = data.interventions.map((v) => idByTitle.get(v.titre)!);

  // One history row per transition.
  const historyRows: Cell[][] = [];
  data.interventions.forEach((v, i) => {
    v.steps.forEach((step, k) => {
      historyRows.push([interventionIds[i]!, k === 0 ? null : v.steps[k - 1]!.statut, step.statut, step.remarque, actorUser(step, v), iso(step.at)]);
    });
  });
  await bulkInsert(
    trx,
    'historiques_interventions',
    [['intervention_id', 'int4'], ['statut_precedent', 'text'], ['statut', 'text'], ['remarque', 'text'], ['user_id', 'int4'], ['horodatage', 'timestamptz']],
    historyRows,
  );
  counts.historiques_interventions = historyRows.length;

  // Notifications.
  const recipientId = (r: GeneratedNotification['recipient']) =>
    r.kind === 'responsable' ? responsableIds[r.index]! : r.kind === 'technicien' ? techUserIds[r.index]! : clientUserIds[r.index]!;
  await bulkInsert(
    trx,
    'notifications',
    [['type', 'text'], ['canal', 'text'], ['contenu', 'text'], ['date_envoi', 'timestamptz'], ['user_id', 'int4'], ['intervention_id', 'int4'], ['lu', 'bool'], ['date_lecture', 'timestamptz']],
    data.notifications.map((n) => [n.type, n.canal, n.contenu.slice(0, 1000), iso(n.at), recipientId(n.recipient), interventionIds[n.intervention]!, n.lu, iso(n.readAt)]),
  );
  counts.notifications = data.notifications.length;
  return counts;
}

/**
 * Units already present: a unit is complete when its last intervention (tag number u × 5,000) exists.
 * One scan of the titles, whatever N.
 */
export async function presentUnits(db: Kysely<Database>): Promise<Set<number>> {
  const per = SCALE_PER_UNIT.interventions;
  const { rows } = await sql<{ n: number }>`
    SELECT t.n FROM (
      SELECT (substring(titre FROM ${TAG_PATTERN}))::int AS n FROM interventions WHERE titre LIKE '%[SC-%]'
    ) t WHERE t.n % ${per} = 0`.execute(db);
  return new Set(rows.map((row) => row.n / per));
}
