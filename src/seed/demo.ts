/**
 * The demo data set of docs/operations.md §5: accounts, skills, client ABC Industrie and its contract,
 * four equipment items, three interventions with a consistent history, one planning.
 *
 * Idempotent: every record is looked up by its natural key (user e-mail, skill name, client name,
 * contract number, equipment serial number, intervention title, planning (equipment, frequency))
 * and only created when missing; an existing record is never modified.
 */
import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { Database, StatutIntervention } from '../db/schema.js';
import { DEMO_ACCOUNTS, type DemoUsername, type PasswordHashCache } from './accounts.js';
import { SeedConflict } from './errors.js';
import { historyRows, statusColumns } from './history.js';
import { DAY, HOUR } from './shared.js';

const DEMO_SKILLS = [
  { nom: 'Mécanique industrielle', domaine: 'mecanique', description: 'Machines tournantes, transmissions, alignement' },
  { nom: 'Électricité / automatisme', domaine: 'electricite', description: 'Armoires électriques, automates, variateurs' },
  { nom: 'Hydraulique / pneumatique', domaine: 'hydraulique', description: 'Pompes, vérins, circuits d’air comprimé' },
] as const;
type SkillName = (typeof DEMO_SKILLS)[number]['nom'];

const DEMO_CLIENT_NAME = 'ABC Industrie';
const DEMO_CONTRACT_NUMBER = 'CTR-2025-001';

const TECHNICIAN_PROFILES: Record<Extract<DemoUsername, 'ahmed' | 'mohammed.bennani' | 'fatima.alami' | 'youssef.tazi'>, {
  equipe: string;
  disponibilite: 'disponible' | 'occupe';
  niveau: 'intermediaire' | 'avance' | 'expert';
  telephone: string | null;
  badge: string;
  skills: SkillName[];
}> = {
  ahmed: { equipe: 'Atelier', disponibilite: 'disponible', niveau: 'avance', telephone: null, badge: 'MIF-T001', skills: ['Mécanique industrielle', 'Hydraulique / pneumatique'] },
  'mohammed.bennani': { equipe: 'Mécanique', disponibilite: 'disponible', niveau: 'expert', telephone: '+212 600-000101', badge: 'MIF-T002', skills: ['Mécanique industrielle'] },
  'fatima.alami': { equipe: 'Électricité', disponibilite: 'disponible', niveau: 'avance', telephone: '+212 600-000102', badge: 'MIF-T003', skills: ['Électricité / automatisme'] },
  'youssef.tazi': { equipe: 'Hydraulique', disponibilite: 'occupe', niveau: 'intermediaire', telephone: '+212 600-000103', badge: 'MIF-T004', skills: ['Hydraulique / pneumatique'] },
};

type EquipmentKey = 'compresseur' | 'pompe' | 'generateur' | 'convoyeur';

const EQUIPMENT: Record<EquipmentKey, Omit<Insertable<Database['equipements']>, 'client_id' | 'contrat_id'> & { abc: boolean }> = {
  compresseur: {
    nom: 'Compresseur Atlas Copco GA15', numero_serie: 'AC-2023-001', localisation: 'Atelier Principal - Zone A', type_equipement: 'compresseur',
    marque: 'Atlas Copco', modele: 'GA15', statut: 'operationnel', criticite: 'important', frequence_entretien_jours: 30, abc: false,
  },
  pompe: {
    nom: 'Pompe Centrifuge Grundfos', numero_serie: 'GF-2023-005', localisation: 'Station de Pompage', type_equipement: 'pompe',
    marque: 'Grundfos', modele: null, statut: 'operationnel', criticite: 'important', frequence_entretien_jours: null, abc: true,
  },
  generateur: {
    nom: 'Générateur Caterpillar 250kW', numero_serie: 'CAT-2022-012', localisation: 'Salle Génératrice', type_equipement: 'generateur',
    marque: 'Caterpillar', modele: null, statut: 'maintenance', criticite: 'critique', frequence_entretien_jours: null, abc: false,
  },
  convoyeur: {
    nom: 'Convoyeur Bande B-Series', numero_serie: 'CV-2023-003', localisation: 'Ligne Production 1', type_equipement: 'convoyeur',
    marque: null, modele: null, statut: 'operationnel', criticite: 'standard', frequence_entretien_jours: null, abc: true,
  },
};

interface DemoStep {
  statut: StatutIntervention;
  /** Milliseconds relative to the seeding time. */
  at: number;
  by: DemoUsername;
  remarque: string;
}

interface DemoIntervention {
  titre: string;
  description: string;
  type: 'corrective' | 'preventive';
  priorite: 'normale' | 'haute';
  equipement: EquipmentKey;
  technicien: keyof typeof TECHNICIAN_PROFILES;
  dateLimite: number | null;
  steps: DemoStep[];
  closure?: { rapport: string; travaux: string; recommandations: string; dureeReelle: number; coutReel: number };
  dureeEstimee: number;
  coutEstime: number;
}

const CREATION_REMARK = 'Création de l’intervention';

const DEMO_INTERVENTIONS: DemoIntervention[] = [
  {
    titre: 'Maintenance mensuelle compresseur GA15',
    description: 'Contrôle mensuel : filtres, niveau d’huile, courroies, purge des condensats.',
    type: 'preventive',
    priorite: 'normale',
    equipement: 'compresseur',
    technicien: 'mohammed.bennani',
    dateLimite: -28 * DAY,
    steps: [
      { statut: 'ouverte', at: -35 * DAY, by: 'responsable', remarque: CREATION_REMARK },
      { statut: 'affectee', at: -35 * DAY + 2 * HOUR, by: 'responsable', remarque: 'Affectation à Mohammed Bennani' },
      { statut: 'en_cours', at: -30 * DAY - 4 * HOUR, by: 'mohammed.bennani', remarque: 'Début des travaux' },
      { statut: 'cloturee', at: -30 * DAY, by: 'mohammed.bennani', remarque: 'Maintenance effectuée' },
    ],
    closure: {
      rapport: 'Maintenance mensuelle réalisée selon la gamme constructeur. Aucun défaut constaté.',
      travaux: 'Remplacement du filtre à air, appoint d’huile (0,5 L), contrôle de la tension des courroies, purge des condensats.',
      recommandations: 'Prévoir le remplacement du séparateur d’huile à la prochaine révision des 4 000 h.',
      dureeReelle: 210,
      coutReel: 850,
    },
    dureeEstimee: 240,
    coutEstime: 900,
  },
  {
    titre: 'Réparation joint pompe centrifuge',
    description: 'Fuite au niveau de la garniture mécanique côté accouplement.',
    type: 'corrective',
    priorite: 'haute',
    equipement: 'pompe',
    technicien: 'ahmed',
    dateLimite: 2 * DAY,
    steps: [
      { statut: 'ouverte', at: -3 * DAY, by: 'responsable', remarque: CREATION_REMARK },
      { statut: 'affectee', at: -3 * DAY + 3 * HOUR, by: 'responsable', remarque: 'Affectation à Ahmed' },
      { statut: 'en_cours', at: -1 * DAY, by: 'ahmed', remarque: 'Début des travaux' },
    ],
    dureeEstimee: 300,
    coutEstime: 2500,
  },
  {
    titre: 'Révision 500 h générateur Caterpillar',
    description: 'Révision périodique des 500 heures : vidange, filtres, contrôle du circuit de refroidissement.',
    type: 'preventive',
    priorite: 'haute',
    equipement: 'generateur',
    technicien: 'fatima.alami',
    dateLimite: 14 * DAY,
    steps: [
      { statut: 'ouverte', at: -2 * DAY, by: 'responsable', remarque: CREATION_REMARK },
      { statut: 'affectee', at: -2 * DAY + 1 * HOUR, by: 'responsable', remarque: 'Affectation à Fatima Alami' },
    ],
    dureeEstimee: 480,
    coutEstime: 6000,
  },
];

export interface DemoOptions {
  now: Date;
  /** Year of the contract CTR-2025-001 (the current year in APP_TIMEZONE). */
  currentYear: number;
  hashes: PasswordHashCache;
}

export interface DemoResult {
  /** Per table, how many rows this run created. */
  created: Record<string, number>;
  /** E-mails of the demo accounts that already existed (their password was left unchanged). */
  existingAccounts: string[];
  /** The existing admin that holds the demo admin's username and stands in for it, if any. */
  adoptedAdmin: { email: string; username: string } | null;
  competenceIds: number[];
}

/** Seeds (or completes) the demo data set, in one transaction. */
export async function seedDemo(db: Kysely<Database>, options: DemoOptions): Promise<DemoResult> {
  return db.transaction().execute((trx) => seedDemoIn(trx, options));
}

async function seedDemoIn(trx: Transaction<Database>, { now, currentYear, hashes }: DemoOptions): Promise<DemoResult> {
  const created: Record<string, number> = {};
  const count = (table: string) => (created[table] = (created[table] ?? 0) + 1);
  const at = (offset: number) => new Date(now.getTime() + offset);

  // Skills.
  const skillIds = new Map<SkillName, number>();
  for (const skill of DEMO_SKILLS) {
    let row = await trx.selectFrom('competences').select('id').where((eb) => eb.fn('lower', ['nom']), '=', sql<string>`lower(${skill.nom})`).executeTakeFirst();
    if (!row) {
      row = await trx.insertInto('competences').values({ ...skill, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      count('competences');
    }
    skillIds.set(skill.nom, row.id);
  }

  // Client and contract.
  let client = await trx.selectFrom('clients').select('id').where((eb) => eb.fn('lower', ['nom_entreprise']), '=', sql<string>`lower(${DEMO_CLIENT_NAME})`).executeTakeFirst();
  if (!client) {
    client = await trx
      .insertInto('clients')
      .values({
        nom_entreprise: DEMO_CLIENT_NAME, nom_commercial: 'ABC', type_client: 'entreprise', secteur_activite: 'Industrie manufacturière',
        nom_contact: 'Benjelloun', prenom_contact: 'Karim', fonction_contact: 'Responsable maintenance', email: 'contact@abc.com',
        telephone: '+212 522-000000', adresse_ligne1: 'Zone industrielle Sidi Bernoussi', code_postal: '20600', ville: 'Casablanca',
        region: 'Casablanca-Settat', pays: 'Maroc', niveau_service: 'premium', date_creation: now, date_modification: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    count('clients');
  }
  let contrat = await trx.selectFrom('contrats').select('id').where('numero_contrat', '=', DEMO_CONTRACT_NUMBER).executeTakeFirst();
  if (!contrat) {
    contrat = await trx
      .insertInto('contrats')
      .values({
        numero_contrat: DEMO_CONTRACT_NUMBER, nom_contrat: 'Maintenance complète ABC Industrie', type_contrat: 'maintenance_complete',
        statut: 'en_cours', date_signature: `${currentYear}-01-01`, date_debut: `${currentYear}-01-01`, date_fin: `${currentYear}-12-31`,
        montant_annuel: 120000, mode_facturation: 'mensuel', temps_reponse_urgence_h: 4, temps_reponse_normal_h: 48,
        nb_interventions_incluses: 24, heures_maintenance_incluses: 200, client_id: client.id, date_creation: now, date_modification: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    count('contrats');
  }

  // Accounts: looked up by e-mail; a username held by another e-mail is a conflict.
  const userIds = new Map<DemoUsername, number>();
  const existingAccounts: string[] = [];
  let adoptedAdmin: DemoResult['adoptedAdmin'] = null;
  for (const account of DEMO_ACCOUNTS) {
    const existing = await trx.selectFrom('users').select('id').where('email', '=', account.email).executeTakeFirst();
    if (existing) {
      userIds.set(account.username, existing.id);
      existingAccounts.push(account.email);
      continue;
    }
    const taken = await trx.selectFrom('users').select(['id', 'email', 'username', 'role']).where((eb) => eb.fn('lower', ['username']), '=', sql<string>`lower(${account.username})`).executeTakeFirst();
    if (taken && account.role === 'admin' && taken.role === 'admin') {
      // The first admin (ADMIN_* or generated) has the demo admin's username: it becomes the demo
      // admin, unchanged, with its own password (docs/operations.md §5).
      userIds.set(account.username, taken.id);
      adoptedAdmin = { email: taken.email, username: taken.username };
      continue;
    }
    if (taken) throw new SeedConflict(`Nom d'utilisateur « ${account.username} » déjà utilisé par ${taken.email} : compte de démonstration ${account.email} non créé.`);
    const row = await trx
      .insertInto('users')
      .values({
        username: account.username, full_name: account.fullName, email: account.email, hashed_password: await hashes.get(account.password),
        role: account.role, client_id: account.role === 'client' ? client.id : null,
        created_at: now, updated_at: now, password_changed_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    userIds.set(account.username, row.id);
    count('users');
  }

  // Technician profiles and their skills.
  const technicienIds = new Map<keyof typeof TECHNICIAN_PROFILES, number>();
  for (const [username, profile] of Object.entries(TECHNICIAN_PROFILES) as [keyof typeof TECHNICIAN_PROFILES, (typeof TECHNICIAN_PROFILES)[keyof typeof TECHNICIAN_PROFILES]][]) {
    const userId = userIds.get(username)!;
    let tech = await trx.selectFrom('techniciens').select('id').where('user_id', '=', userId).executeTakeFirst();
    if (!tech) {
      const badgeTaken = await trx.selectFrom('techniciens').select('id').where('numero_badge', '=', profile.badge).executeTakeFirst();
      tech = await trx
        .insertInto('techniciens')
        .values({
          user_id: userId, equipe: profile.equipe, disponibilite: profile.disponibilite, niveau_technicien: profile.niveau,
          numero_badge: badgeTaken ? null : profile.badge, zone_intervention: 'Casablanca', telephone_urgence: profile.telephone,
          created_at: now, updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      count('techniciens');
    }
    technicienIds.set(username, tech.id);
    for (const skill of profile.skills) {
      const result = await trx
        .insertInto('technicien_competence')
        .values({ technicien_id: tech.id, competence_id: skillIds.get(skill)!, niveau: profile.niveau, date_acquisition: now })
        .onConflict((oc) => oc.columns(['technicien_id', 'competence_id']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) count('technicien_competence');
    }
  }

  // Equipment, by serial number.
  const equipmentIds = new Map<EquipmentKey, { id: number; clientId: number | null; contratId: number | null }>();
  for (const [key, { abc, ...values }] of Object.entries(EQUIPMENT) as [EquipmentKey, (typeof EQUIPMENT)[EquipmentKey]][]) {
    let row = await trx.selectFrom('equipements').select(['id', 'client_id', 'contrat_id']).where('numero_serie', '=', values.numero_serie!).executeTakeFirst();
    if (!row) {
      const nameTaken = await trx.selectFrom('equipements').select('numero_serie').where((eb) => eb.fn('lower', ['nom']), '=', sql<string>`lower(${values.nom})`).executeTakeFirst();
      if (nameTaken) throw new SeedConflict(`Équipement « ${values.nom} » déjà présent avec un autre numéro de série (${nameTaken.numero_serie ?? 'aucun'}).`);
      row = await trx
        .insertInto('equipements')
        .values({
          ...values,
          client_id: abc ? client.id : null,
          contrat_id: abc ? contrat.id : null,
          date_mise_en_service: new Date(Date.UTC(currentYear - 2, 0, 15)),
          created_at: now,
          updated_at: now,
        })
        .returning(['id', 'client_id', 'contrat_id'])
        .executeTakeFirstOrThrow();
      count('equipements');
    }
    equipmentIds.set(key, { id: row.id, clientId: row.client_id, contratId: row.contrat_id });
  }

  // Interventions, by title, with one history row per transition and the matching timestamps.
  for (const demo of DEMO_INTERVENTIONS) {
    const exists = await trx.selectFrom('interventions').select('id').where('titre', '=', demo.titre).executeTakeFirst();
    if (exists) continue;
    const equipment = equipmentIds.get(demo.equipement)!;
    const steps = demo.steps.map((step) => ({ ...step, at: now.getTime() + step.at }));
    const row = await trx
      .insertInto('interventions')
      .values({
        titre: demo.titre, description: demo.description, type_intervention: demo.type, priorite: demo.priorite, urgence: false,
        date_limite: demo.dateLimite === null ? null : at(demo.dateLimite), ...statusColumns(steps),
        duree_estimee: demo.dureeEstimee, duree_reelle: demo.closure?.dureeReelle ?? null,
        cout_estime: demo.coutEstime, cout_reel: demo.closure?.coutReel ?? null,
        rapport_intervention: demo.closure?.rapport ?? null, travaux_realises: demo.closure?.travaux ?? null,
        recommandations: demo.closure?.recommandations ?? null,
        equipement_id: equipment.id, technicien_id: technicienIds.get(demo.technicien)!, created_by_id: userIds.get('responsable')!,
        client_id: equipment.clientId, contrat_id: equipment.contratId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    count('interventions');
    await trx.insertInto('historiques_interventions').values(historyRows(row.id, steps, (step) => userIds.get(step.by)!)).execute();
    created.historiques_interventions = (created.historiques_interventions ?? 0) + demo.steps.length;
  }

  // Planning: compressor, monthly, Mohammed Bennani, next date 7 days after the first seeding.
  const compresseur = equipmentIds.get('compresseur')!.id;
  const planning = await trx.selectFrom('plannings').select('id').where('equipement_id', '=', compresseur).where('frequence', '=', 'mensuel').executeTakeFirst();
  if (!planning) {
    const next = at(7 * DAY);
    await trx
      .insertInto('plannings')
      .values({
        equipement_id: compresseur, frequence: 'mensuel', date_reference: next, prochaine_date: next, derniere_date: null, statut: 'actif',
        commentaire: 'Entretien mensuel du compresseur GA15', technicien_id: technicienIds.get('mohammed.bennani')!, priorite: 'normale',
        date_creation: now, date_modification: now,
      })
      .execute();
    count('plannings');
  }

  return { created, existingAccounts, adoptedAdmin, competenceIds: [...skillIds.values()] };
}
