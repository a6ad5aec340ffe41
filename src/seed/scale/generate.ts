/**
 * Generation of one unit of scale data (model.ts). Pure: it depends only on the seed, the unit
 * number, the reference time and the number of skills. Unit u draws from its own PRNG seeded by
 * (S, u), in a fixed order (clients, technicians, equipment, plannings, interventions,
 * notifications), so that a unit is the same whatever the other units.
 */
import type { Frequence, StatutIntervention, TypeNotification } from '../../db/schema.js';
import { scaleAccountsOfUnit, SCALE_PER_UNIT, type SeedAccount } from '../accounts.js';
import { exactCounts, Random } from '../random.js';
import { DAY, HOUR, MINUTE, pad } from '../shared.js';
import {
  ACTIVE,
  globalNumber,
  OVERDUE_PER_UNIT,
  READ_NOTIFICATIONS_PER_UNIT,
  scaleKeys,
  STATUS_COUNTS,
  type Actor,
  type GeneratedClient,
  type GeneratedEquipment,
  type GeneratedIntervention,
  type GeneratedNotification,
  type GeneratedPlanning,
  type GeneratedStep,
  type GeneratedTechnician,
  type GeneratedUnit,
} from './model.js';
import { fitSteps, gapBefore, statusPath } from './timeline.js';
import {
  CITIES,
  DURATIONS,
  EQUIPMENT_TYPES,
  pickCanal,
  pickCriticite,
  pickDisponibilite,
  pickFrequence,
  pickNiveau,
  pickPlanningPriorite,
  pickPrioriteAutre,
  pickPrioritePreventive,
  pickStatutEquipement,
  pickStatutPlanifie,
  pickType,
  RECOMMENDATIONS,
  REMARKS,
  REPORTS,
  SECTORS,
  TEAMS,
  TITLE_VERBS,
} from './vocabulary.js';

/** "The last 24 months". */
const HORIZON = 730 * DAY;
const BY_TECHNICIAN: Actor = { kind: 'technicien' };
const FREQUENCY_PERIOD: Record<Frequence, number> = { journalier: DAY, hebdomadaire: 7 * DAY, mensuel: 30 * DAY, trimestriel: 91 * DAY, semestriel: 182 * DAY, annuel: 365 * DAY };

export function generateUnit(seed: string, unit: number, now: number, skillCount: number): GeneratedUnit {
  const rng = new Random(`${seed}:unit:${unit}`);
  const accounts = scaleAccountsOfUnit(unit);
  // Nothing is dated after the seeding time (minus a margin).
  const limit = now - 5 * MINUTE;
  const clients = generateClients(rng, unit, accounts.clients);
  const technicians = generateTechnicians(rng, unit, accounts.techniciens, skillCount);
  const equipment = generateEquipment(rng, unit, now, clients);
  const plannings = generatePlannings(rng, now, technicians.length);
  const interventions = generateInterventions(rng, unit, now, limit, equipment, technicians.length, accounts.responsables.length);
  const notifications = generateNotifications(rng, now, limit, interventions, equipment, accounts.responsables.length);
  return { unit, clients, responsables: accounts.responsables, technicians, equipment, plannings, interventions, notifications };
}

function generateClients(rng: Random, unit: number, accounts: SeedAccount[]): GeneratedClient[] {
  return accounts.map((account, i) => {
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
}

function generateTechnicians(rng: Random, unit: number, accounts: SeedAccount[], skillCount: number): GeneratedTechnician[] {
  return accounts.map((account, i) => {
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
}

function generateEquipment(rng: Random, unit: number, now: number, clients: GeneratedClient[]): GeneratedEquipment[] {
  return Array.from({ length: SCALE_PER_UNIT.equipements }, (_, i) => {
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
}

/** One planning on each of the first 50 equipment items. */
function generatePlannings(rng: Random, now: number, technicianCount: number): GeneratedPlanning[] {
  return Array.from({ length: SCALE_PER_UNIT.plannings }, (_, i) => {
    const frequence = pickFrequence(rng);
    const prochaine = now + rng.between(1 * DAY, Math.min(FREQUENCY_PERIOD[frequence], 60 * DAY));
    return {
      equipment: i,
      frequence,
      prochaine: new Date(prochaine),
      derniere: rng.chance(0.7) ? new Date(prochaine - FREQUENCY_PERIOD[frequence]) : null,
      statut: rng.chance(0.9) ? 'actif' : 'suspendu',
      technicien: rng.int(0, technicianCount - 1),
      priorite: pickPlanningPriorite(rng),
    };
  });
}

/** Exact status counts, a fifth of the active ones overdue. */
function generateInterventions(
  rng: Random,
  unit: number,
  now: number,
  limit: number,
  equipment: GeneratedEquipment[],
  technicianCount: number,
  responsableCount: number,
): GeneratedIntervention[] {
  const usable = equipment.map((e, i) => (e.statut === 'retire' ? -1 : i)).filter((i) => i >= 0);
  const statuses = rng.shuffle(exactCounts(STATUS_COUNTS));
  const activeIndexes = statuses.flatMap((s, i) => (ACTIVE.has(s) ? [i] : []));
  const overdue = new Set(rng.shuffle(activeIndexes).slice(0, OVERDUE_PER_UNIT));
  return statuses.map((final, i) => {
    const n = globalNumber(unit, SCALE_PER_UNIT.interventions, i);
    const type = pickType(rng);
    const priorite = type === 'preventive' ? pickPrioritePreventive(rng) : pickPrioriteAutre(rng);
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
    const creator = rng.int(0, responsableCount - 1);
    const byResponsable: Actor = { kind: 'responsable', index: creator };
    const steps: GeneratedStep[] = [];
    for (let k = 0; k < path.length; k++) {
      const statut: StatutIntervention = path[k]!;
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
      technicien: path.includes('affectee') ? rng.int(0, technicianCount - 1) : null,
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
}

/** 10,000 notifications tied to the unit's interventions, exactly 60 % read. */
function generateNotifications(
  rng: Random,
  now: number,
  limit: number,
  interventions: GeneratedIntervention[],
  equipment: GeneratedEquipment[],
  responsableCount: number,
): GeneratedNotification[] {
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
        recipient = { kind: 'responsable', index: rng.int(0, responsableCount - 1) };
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
  return notifications;
}
