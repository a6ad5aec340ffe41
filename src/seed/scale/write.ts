/**
 * Writing the scale data: one generated unit (generate.ts) per transaction, so that a unit is
 * either wholly present or absent; its last intervention (the tag at the end of its title) marks it.
 * Rows are written with the typed bulk inserts of ../bulk.ts.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { SCALE_PER_UNIT } from '../accounts.js';
import { bulkInsert } from '../bulk.js';
import { SeedConflict } from '../errors.js';
import { historyRows, statusColumns } from '../history.js';
import { TAG_PATTERN, type GeneratedIntervention, type GeneratedNotification, type GeneratedStep, type GeneratedUnit } from './model.js';

/** Rows added per table by one unit. */
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

/** The natural key by which each table's generated rows are found again after an insert that may skip some. */
const NATURAL_KEYS = {
  clients: 'nom_entreprise',
  contrats: 'numero_contrat',
  users: 'email',
  equipements: 'numero_serie',
} as const satisfies { [T in keyof Database]?: keyof Database[T] };

/** Ids of the rows whose natural key is each of `keys`; every key must be found (else it is held by a row the seed did not create). */
async function lookup(trx: Transaction<Database>, table: keyof typeof NATURAL_KEYS, keys: string[]): Promise<number[]> {
  const column = sql.ref(NATURAL_KEYS[table]);
  const { rows } = await sql<{ k: string; id: number }>`SELECT ${column} AS k, id FROM ${sql.table(table)} WHERE ${column} = ANY(${keys}::text[])`.execute(trx);
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
      { nom_entreprise: 'text', type_client: 'text', secteur_activite: 'text', ice: 'text', nom_contact: 'text', email: 'text', ville: 'text', pays: 'text', niveau_service: 'text', date_creation: 'timestamptz', date_modification: 'timestamptz' },
      data.clients.map((c, i) => ({
        nom_entreprise: c.nom, type_client: 'entreprise', secteur_activite: c.secteur, ice: c.ice, nom_contact: `Contact ${c.account.username}`, email: c.account.email,
        ville: c.ville, pays: 'Maroc', niveau_service: (['standard', 'premium', 'basique'] as const)[i % 3]!, date_creation: nowIso, date_modification: nowIso,
      })),
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const clientIds = await lookup(trx, 'clients', data.clients.map((c) => c.nom));
  const year = new Date(context.now).getUTCFullYear();
  counts.contrats = (
    await bulkInsert(
      trx,
      'contrats',
      { numero_contrat: 'text', nom_contrat: 'text', type_contrat: 'text', statut: 'text', date_debut: 'date', date_fin: 'date', montant_annuel: 'numeric', client_id: 'int4', date_creation: 'timestamptz', date_modification: 'timestamptz' },
      data.clients.map((c, i) => ({
        numero_contrat: c.contractNumber, nom_contrat: `Contrat de maintenance ${c.nom}`, type_contrat: 'maintenance_complete', statut: 'en_cours',
        date_debut: `${year - 2}-01-01`, date_fin: `${year + 1}-12-31`, montant_annuel: 24000 + i * 6000, client_id: clientIds[i]!, date_creation: nowIso, date_modification: nowIso,
      })),
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const contratIds = await lookup(trx, 'contrats', data.clients.map((c) => c.contractNumber));

  // Accounts: responsables, technicians, client users.
  const account = (a: { username: string; fullName: string; email: string }, role: 'responsable' | 'technicien' | 'client', clientId: number | null) => ({
    username: a.username, full_name: a.fullName, email: a.email, hashed_password: context.passwordHash, role, client_id: clientId,
    created_at: nowIso, updated_at: nowIso, password_changed_at: nowIso,
  });
  counts.users = (
    await bulkInsert(
      trx,
      'users',
      { username: 'text', full_name: 'text', email: 'text', hashed_password: 'text', role: 'text', client_id: 'int4', created_at: 'timestamptz', updated_at: 'timestamptz', password_changed_at: 'timestamptz' },
      [
        ...data.responsables.map((a) => account(a, 'responsable', null)),
        ...data.technicians.map((t) => account(t.account, 'technicien', null)),
        ...data.clients.map((c, i) => account(c.account, 'client', clientIds[i]!)),
      ],
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const responsableIds = await lookup(trx, 'users', data.responsables.map((a) => a.email));
  const techUserIds = await lookup(trx, 'users', data.technicians.map((t) => t.account.email));
  const clientUserIds = await lookup(trx, 'users', data.clients.map((c) => c.account.email));

  // Technician profiles and skills.
  counts.techniciens = (
    await bulkInsert(
      trx,
      'techniciens',
      { user_id: 'int4', equipe: 'text', disponibilite: 'text', niveau_technicien: 'text', numero_badge: 'text', zone_intervention: 'text', telephone_urgence: 'text', astreinte: 'bool', created_at: 'timestamptz', updated_at: 'timestamptz' },
      data.technicians.map((t, i) => ({
        user_id: techUserIds[i]!, equipe: t.equipe, disponibilite: t.disponibilite, niveau_technicien: t.niveau, numero_badge: t.badge, zone_intervention: t.zone,
        telephone_urgence: t.telephone, astreinte: t.astreinte, created_at: nowIso, updated_at: nowIso,
      })),
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
        { technicien_id: 'int4', competence_id: 'int4', niveau: 'text', date_acquisition: 'timestamptz' },
        data.technicians.flatMap((t, i) =>
          t.skills.map((s) => ({ technicien_id: techIds[i]!, competence_id: context.competenceIds[s % context.competenceIds.length]!, niveau: t.niveau, date_acquisition: nowIso })),
        ),
        { onConflictDoNothing: true, returning: ['technicien_id'] },
      )
    ).length;
  }

  // Equipment.
  const owner = (client: number | null) => (client === null ? { client_id: null, contrat_id: null } : { client_id: clientIds[client]!, contrat_id: contratIds[client]! });
  counts.equipements = (
    await bulkInsert(
      trx,
      'equipements',
      {
        nom: 'text', type_equipement: 'text', numero_serie: 'text', code_interne: 'text', marque: 'text', modele: 'text', localisation: 'text', statut: 'text', criticite: 'text',
        frequence_entretien_jours: 'int4', date_mise_en_service: 'timestamptz', client_id: 'int4', contrat_id: 'int4', created_at: 'timestamptz', updated_at: 'timestamptz',
      },
      data.equipment.map((e) => ({
        nom: e.nom, type_equipement: e.type, numero_serie: e.serial, code_interne: e.code, marque: e.marque, modele: e.modele, localisation: e.localisation, statut: e.statut,
        criticite: e.criticite, frequence_entretien_jours: e.frequenceJours, date_mise_en_service: e.miseEnService, ...owner(e.client), created_at: nowIso, updated_at: nowIso,
      })),
      { onConflictDoNothing: true, returning: ['id'] },
    )
  ).length;
  const equipmentIds = await lookup(trx, 'equipements', data.equipment.map((e) => e.serial));

  // Plannings, unless one exists for the same (equipment, frequency).
  const existingPlannings = await trx.selectFrom('plannings').select(['equipement_id', 'frequence']).where('equipement_id', 'in', equipmentIds.slice(0, SCALE_PER_UNIT.plannings)).execute();
  const planningKeys = new Set(existingPlannings.map((p) => `${p.equipement_id}:${p.frequence}`));
  const newPlannings = data.plannings.filter((p) => !planningKeys.has(`${equipmentIds[p.equipment]!}:${p.frequence}`));
  await bulkInsert(
    trx,
    'plannings',
    {
      equipement_id: 'int4', frequence: 'text', date_reference: 'timestamptz', prochaine_date: 'timestamptz', derniere_date: 'timestamptz', statut: 'text', commentaire: 'text',
      technicien_id: 'int4', priorite: 'text', date_creation: 'timestamptz', date_modification: 'timestamptz',
    },
    newPlannings.map((p) => ({
      equipement_id: equipmentIds[p.equipment]!, frequence: p.frequence, date_reference: p.derniere ?? p.prochaine, prochaine_date: p.prochaine, derniere_date: p.derniere,
      statut: p.statut, commentaire: `Entretien ${p.frequence} généré`, technicien_id: techIds[p.technicien]!, priorite: p.priorite, date_creation: nowIso, date_modification: nowIso,
    })),
  );
  counts.plannings = newPlannings.length;

  // Interventions (the unit's transaction guarantees that none of them exists yet).
  const inserted = await bulkInsert(
    trx,
    'interventions',
    {
      titre: 'text', description: 'text', type_intervention: 'text', statut: 'text', priorite: 'text', urgence: 'bool', date_creation: 'timestamptz', date_limite: 'timestamptz',
      date_affectation: 'timestamptz', date_debut_travaux: 'timestamptz', date_fin_travaux: 'timestamptz', date_cloture: 'timestamptz', date_archivage: 'timestamptz',
      duree_estimee: 'int4', duree_reelle: 'int4', cout_estime: 'numeric', cout_reel: 'numeric', rapport_intervention: 'text', travaux_realises: 'text', recommandations: 'text',
      equipement_id: 'int4', technicien_id: 'int4', created_by_id: 'int4', client_id: 'int4', contrat_id: 'int4', updated_at: 'timestamptz',
    },
    data.interventions.map((v) => ({
      titre: v.titre, description: v.description, type_intervention: v.type, priorite: v.priorite, urgence: v.urgence, date_limite: iso(v.dateLimite), ...statusColumns(v.steps),
      duree_estimee: v.dureeEstimee, duree_reelle: v.dureeReelle, cout_estime: v.coutEstime, cout_reel: v.coutReel,
      rapport_intervention: v.rapport, travaux_realises: v.travaux, recommandations: v.recommandations,
      equipement_id: equipmentIds[v.equipment]!, technicien_id: v.technicien === null ? null : techIds[v.technicien]!, created_by_id: responsableIds[v.creator]!,
      ...owner(data.equipment[v.equipment]!.client),
    })),
    { returning: ['id', 'titre'] },
  );
  counts.interventions = inserted.length;
  const idByTitle = new Map(inserted.map((r) => [r.titre, r.id]));
  const interventionIds = data.interventions.map((v) => idByTitle.get(v.titre)!);

  // One history row per transition.
  const actorUser = (step: GeneratedStep, intervention: GeneratedIntervention) =>
    step.actor.kind === 'technicien' ? techUserIds[intervention.technicien!]! : responsableIds[step.actor.index]!;
  const history = data.interventions.flatMap((v, i) => historyRows(interventionIds[i]!, v.steps, (step) => actorUser(step, v)));
  await bulkInsert(
    trx,
    'historiques_interventions',
    { intervention_id: 'int4', statut_precedent: 'text', statut: 'text', remarque: 'text', user_id: 'int4', horodatage: 'timestamptz' },
    history,
  );
  counts.historiques_interventions = history.length;

  // Notifications.
  const recipientId = (r: GeneratedNotification['recipient']) =>
    r.kind === 'responsable' ? responsableIds[r.index]! : r.kind === 'technicien' ? techUserIds[r.index]! : clientUserIds[r.index]!;
  await bulkInsert(
    trx,
    'notifications',
    { type: 'text', canal: 'text', contenu: 'text', date_envoi: 'timestamptz', user_id: 'int4', intervention_id: 'int4', lu: 'bool', date_lecture: 'timestamptz' },
    data.notifications.map((n) => ({
      type: n.type, canal: n.canal, contenu: n.contenu.slice(0, 1000), date_envoi: new Date(n.at), user_id: recipientId(n.recipient), intervention_id: interventionIds[n.intervention]!,
      lu: n.lu, date_lecture: iso(n.readAt),
    })),
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
  const tagged = db
    .selectFrom('interventions')
    .select((eb) => sql<number>`(substring(${eb.ref('titre')} FROM ${TAG_PATTERN}))::int`.as('n'))
    .where('titre', 'like', '%[SC-%]');
  const rows = await db
    .selectFrom(tagged.as('t'))
    .select('t.n')
    .where((eb) => eb(eb('t.n', '%', per), '=', 0))
    .execute();
  return new Set(rows.map((row) => row.n / per));
}
