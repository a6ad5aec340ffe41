/**
 * npm run seed:demo (docs/operations.md §5), run as the operator runs it: a child process on a test
 * scratch.database. Idempotency (same counts after a second run), documented logins, `--scale 1` volumes and
 * distributions, a larger N adding the difference, refusals (production, password policy).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { checkPassword } from '../../src/modules/auth/password-policy.js';
import { DEMO_ACCOUNTS, SCALE_PASSWORD, scaleAccountsOfUnit } from '../../src/seed/accounts.js';
import { seededAccounts } from '../../src/seed/run.js';
import { generateUnit } from '../../src/seed/scale/generate.js';
import { STATUS_COUNTS } from '../../src/seed/scale/model.js';
import { createTestApp, useScratch } from '../helpers/app.js';
import { runScript, type ScriptResult } from '../helpers/cli.js';

const scratch = useScratch();

function seed(args: string[], env: Record<string, string> = {}): Promise<ScriptResult> {
  return runScript('seed-demo.ts', args, { databaseUrl: scratch.database.connectionString, dataDir: scratch.dataDir, env });
}

const TABLES = [
  'users', 'clients', 'contrats', 'competences', 'techniciens', 'technicien_competence', 'equipements', 'plannings',
  'interventions', 'historiques_interventions', 'notifications', 'documents', 'email_outbox', 'audit_events', 'sessions',
] as const;

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(scratch.database.db);
    counts[table] = rows[0]!.n;
  }
  return counts;
}

const q = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(scratch.database.db)).rows;

describe('refusals (nothing written)', () => {
  type Run = Awaited<ReturnType<typeof seed>>;
  let production: Run;
  let policy: Run;
  let badScale: Run;
  let conflict: Run;
  before(async () => {
    // A username of the demo set held by another e-mail: the demo transaction must roll back whole.
    const squatter = await scratch.database.db
      .insertInto('users')
      .values({ username: 'Admin', full_name: 'Autre', email: 'autre@exemple.test', hashed_password: 'x', role: 'responsable' })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Independent refusals, run side by side.
    [production, policy, badScale, conflict] = await Promise.all([
      seed([], { ENVIRONMENT: 'production' }),
      seed(['--scale', '1'], { PASSWORD_MIN_LENGTH: '20' }),
      seed(['--scale', 'dix']),
      seed([]),
    ]);
    await scratch.database.db.deleteFrom('users').where('id', '=', squatter.id).execute();
  });

  test('ENVIRONMENT=production without --allow-production → exit 1', () => {
    assert.equal(production.code, 1, production.stderr);
    assert.match(production.stderr, /ENVIRONMENT=production/);
    assert.match(production.stderr, /--allow-production/);
  });

  test('a password that fails the policy (PASSWORD_MIN_LENGTH=20) → exit 1 naming the account and the rule', () => {
    assert.equal(policy.code, 1, policy.stderr);
    assert.match(policy.stderr, /Mot de passe refusé par la politique/);
    assert.match(policy.stderr, /admin@mif-maroc\.com : Le mot de passe doit contenir au moins 20 caractères/);
  });

  test('bad arguments → exit 1', () => {
    assert.equal(badScale.code, 1);
    assert.match(badScale.stderr, /--scale doit être un entier positif ou nul/);
  });

  test('a natural key held by another record → exit 2 (conflict), naming it', () => {
    assert.equal(conflict.code, 2, conflict.stderr);
    assert.match(conflict.stderr, /Nom d'utilisateur « admin » déjà utilisé par autre@exemple\.test/);
  });

  test('the scratch.database is untouched by every refusal (the conflicting run rolled back)', async () => {
    assert.deepEqual(Object.values(await rowCounts()), TABLES.map(() => 0));
  });
});

describe('every seeded password passes the policy (docs/security.md §2)', () => {
  test('demo accounts and generated accounts, with their own username and e-mail', () => {
    const accounts = [...seededAccounts(2)];
    assert.equal(accounts.length, DEMO_ACCOUNTS.length + 2 * 32);
    for (const account of accounts) {
      assert.deepEqual(checkPassword(account.password, { username: account.username, email: account.email }, { minLength: 8 }), [], account.email);
    }
    assert.equal(SCALE_PASSWORD, 'ScalePass123!');
  });
});

describe('--scale generation is deterministic', () => {
  test('same seed and unit → same data; another seed → other data; unit 2 numbered after unit 1', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const a = generateUnit('7', 1, now, 3);
    assert.deepEqual(generateUnit('7', 1, now, 3), a);
    assert.notDeepEqual(generateUnit('8', 1, now, 3).interventions.map((i) => i.titre), a.interventions.map((i) => i.titre));
    const b = generateUnit('7', 2, now, 3);
    assert.match(a.interventions[0]!.titre, /\[SC-0000001\]$/);
    assert.match(b.interventions[0]!.titre, /\[SC-0005001\]$/);
    assert.equal(b.technicians[0]!.account.username, 'technicien.0021');
    assert.equal(b.responsables[0]!.username, 'responsable.03');
    assert.equal(b.clients[0]!.account.username, 'client.0011');
  });

  test('exact status mix per unit: 70 % closed or archived, 5 % cancelled, 25 % active', () => {
    const unit = generateUnit('1', 1, Date.now(), 3);
    const counts: Record<string, number> = {};
    for (const v of unit.interventions) {
      const last = v.steps[v.steps.length - 1]!.statut;
      counts[last] = (counts[last] ?? 0) + 1;
    }
    assert.deepEqual(counts, { ...STATUS_COUNTS });
  });
});

describe('seed runs', () => {
  let first: { code: number | null; stdout: string; stderr: string };
  let countsAfterFirst: Record<string, number>;

  before(async () => {
    first = await seed(['--scale', '1', '--seed', '42']);
    countsAfterFirst = await rowCounts();
  });

  test('--scale 1 exits 0, prints every account with its password, progress on stderr', () => {
    assert.equal(first.code, 0, first.stderr);
    for (const account of DEMO_ACCOUNTS) assert.ok(first.stdout.includes(`${account.email} / ${account.username} — ${account.password}`), account.email);
    assert.match(first.stdout, /technicien\.0001@exemple\.test … technicien\.0020@exemple\.test/);
    assert.match(first.stdout, /responsable\.01@exemple\.test … responsable\.02@exemple\.test/);
    assert.match(first.stdout, /client\.0001@exemple\.test … client\.0010@exemple\.test/);
    assert.match(first.stdout, /ScalePass123!/);
    assert.match(first.stderr, /\[scale\] unité 1 .*5\s000 interventions.*lignes\/s/);
  });

  test('volumes: the demo set plus one unit', () => {
    assert.deepEqual(
      { ...countsAfterFirst, historiques_interventions: undefined },
      {
        users: 7 + 32, clients: 1 + 10, contrats: 1 + 10, competences: 3, techniciens: 4 + 20,
        technicien_competence: countsAfterFirst.technicien_competence, equipements: 4 + 200, plannings: 1 + 50,
        interventions: 3 + 5000, historiques_interventions: undefined, notifications: 10000, documents: 0,
        email_outbox: 0, audit_events: 0, sessions: 0,
      },
    );
    assert.ok(countsAfterFirst.technicien_competence! >= 5 + 20 && countsAfterFirst.technicien_competence! <= 5 + 40);
  });

  test('demo records: accounts, technicians, client, contract of the current year, equipment', async () => {
    const usersRows = await scratch.database.db.selectFrom('users').select(['email', 'username', 'role', 'client_id', 'full_name']).where('email', 'not like', '%@exemple.test').orderBy('id').execute();
    assert.deepEqual(usersRows.map((u) => [u.email, u.username, u.role]), DEMO_ACCOUNTS.map((a) => [a.email, a.username, a.role]));
    const abc = await scratch.database.db.selectFrom('clients').selectAll().where('nom_entreprise', '=', 'ABC Industrie').executeTakeFirstOrThrow();
    assert.equal(abc.ville, 'Casablanca');
    assert.equal(abc.pays, 'Maroc');
    assert.equal(usersRows.find((u) => u.username === 'contact.abc')!.client_id, abc.id);

    const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'Africa/Casablanca', year: 'numeric' }).format(new Date()));
    const contrat = await scratch.database.db.selectFrom('contrats').selectAll().where('numero_contrat', '=', 'CTR-2025-001').executeTakeFirstOrThrow();
    assert.deepEqual(
      [contrat.type_contrat, contrat.statut, contrat.date_debut, contrat.date_fin, contrat.client_id],
      ['maintenance_complete', 'en_cours', `${year}-01-01`, `${year}-12-31`, abc.id],
    );

    const equipment = await scratch.database.db
      .selectFrom('equipements')
      .select(['nom', 'numero_serie', 'localisation', 'type_equipement', 'marque', 'modele', 'statut', 'criticite', 'frequence_entretien_jours', 'client_id', 'contrat_id'])
      .where('numero_serie', 'in', ['AC-2023-001', 'GF-2023-005', 'CAT-2022-012', 'CV-2023-003'])
      .orderBy('id')
      .execute();
    assert.deepEqual(equipment, [
      { nom: 'Compresseur Atlas Copco GA15', numero_serie: 'AC-2023-001', localisation: 'Atelier Principal - Zone A', type_equipement: 'compresseur', marque: 'Atlas Copco', modele: 'GA15', statut: 'operationnel', criticite: 'important', frequence_entretien_jours: 30, client_id: null, contrat_id: null },
      { nom: 'Pompe Centrifuge Grundfos', numero_serie: 'GF-2023-005', localisation: 'Station de Pompage', type_equipement: 'pompe', marque: 'Grundfos', modele: null, statut: 'operationnel', criticite: 'important', frequence_entretien_jours: null, client_id: abc.id, contrat_id: contrat.id },
      { nom: 'Générateur Caterpillar 250kW', numero_serie: 'CAT-2022-012', localisation: 'Salle Génératrice', type_equipement: 'generateur', marque: 'Caterpillar', modele: null, statut: 'maintenance', criticite: 'critique', frequence_entretien_jours: null, client_id: null, contrat_id: null },
      { nom: 'Convoyeur Bande B-Series', numero_serie: 'CV-2023-003', localisation: 'Ligne Production 1', type_equipement: 'convoyeur', marque: null, modele: null, statut: 'operationnel', criticite: 'standard', frequence_entretien_jours: null, client_id: abc.id, contrat_id: contrat.id },
    ]);

    const techs = await q(sql<{ username: string; equipe: string | null; disponibilite: string; telephone_urgence: string | null; skills: string[] }>`
      SELECT u.username, t.equipe, t.disponibilite, t.telephone_urgence,
             array_agg(c.nom ORDER BY c.nom) AS skills
      FROM techniciens t JOIN users u ON u.id = t.user_id
      JOIN technicien_competence tc ON tc.technicien_id = t.id JOIN competences c ON c.id = tc.competence_id
      WHERE u.email LIKE '%@mif-maroc.com' GROUP BY u.username, t.equipe, t.disponibilite, t.telephone_urgence ORDER BY u.username`);
    assert.deepEqual(techs, [
      { username: 'ahmed', equipe: 'Atelier', disponibilite: 'disponible', telephone_urgence: null, skills: ['Hydraulique / pneumatique', 'Mécanique industrielle'] },
      { username: 'fatima.alami', equipe: 'Électricité', disponibilite: 'disponible', telephone_urgence: '+212 600-000102', skills: ['Électricité / automatisme'] },
      { username: 'mohammed.bennani', equipe: 'Mécanique', disponibilite: 'disponible', telephone_urgence: '+212 600-000101', skills: ['Mécanique industrielle'] },
      { username: 'youssef.tazi', equipe: 'Hydraulique', disponibilite: 'occupe', telephone_urgence: '+212 600-000103', skills: ['Hydraulique / pneumatique'] },
    ]);
  });

  test('demo interventions: status, technician, timestamps and one history row per transition', async () => {
    const rows = await q(sql<{ titre: string; type_intervention: string; priorite: string; statut: string; tech: string; history: string[]; creation: Date; cloture: Date | null; debut: Date | null; limite: Date | null; rapport: string | null }>`
      SELECT i.titre, i.type_intervention, i.priorite, i.statut, u.username AS tech, i.date_creation AS creation, i.date_cloture AS cloture,
             i.date_debut_travaux AS debut, i.date_limite AS limite, i.rapport_intervention AS rapport,
             (SELECT array_agg(coalesce(h.statut_precedent, '-') || '>' || h.statut ORDER BY h.horodatage, h.id) FROM historiques_interventions h WHERE h.intervention_id = i.id) AS history
      FROM interventions i JOIN techniciens t ON t.id = i.technicien_id JOIN users u ON u.id = t.user_id
      WHERE i.titre NOT LIKE '%[SC-%' ORDER BY i.id`);
    const now = Date.now();
    const days = (d: Date | null) => (d === null ? null : Math.round((d.getTime() - now) / 86_400_000));
    assert.deepEqual(
      rows.map((r) => [r.titre, r.type_intervention, r.priorite, r.statut, r.tech, r.history, days(r.creation), days(r.cloture), days(r.debut), days(r.limite), r.rapport !== null]),
      [
        ['Maintenance mensuelle compresseur GA15', 'preventive', 'normale', 'cloturee', 'mohammed.bennani', ['->ouverte', 'ouverte>affectee', 'affectee>en_cours', 'en_cours>cloturee'], -35, -30, -30, -28, true],
        ['Réparation joint pompe centrifuge', 'corrective', 'haute', 'en_cours', 'ahmed', ['->ouverte', 'ouverte>affectee', 'affectee>en_cours'], -3, null, -1, 2, false],
        ['Révision 500 h générateur Caterpillar', 'preventive', 'haute', 'affectee', 'fatima.alami', ['->ouverte', 'ouverte>affectee'], -2, null, null, 14, false],
      ],
    );
    const planning = await q(sql<{ frequence: string; tech: string; days: number }>`
      SELECT p.frequence, u.username AS tech, round(extract(epoch FROM p.prochaine_date - now()) / 86400)::int AS days
      FROM plannings p JOIN equipements e ON e.id = p.equipement_id JOIN techniciens t ON t.id = p.technicien_id JOIN users u ON u.id = t.user_id
      WHERE e.numero_serie = 'AC-2023-001'`);
    assert.deepEqual(planning, [{ frequence: 'mensuel', tech: 'mohammed.bennani', days: 7 }]);
  });

  test('scale distributions: ≈70 % closed or archived, 5 % cancelled, 25 % active with a fifth overdue, 60 % read', async () => {
    const [mix] = await q(sql<{ total: number; terminees: number; annulee: number; actives: number; overdue: number; oldest_days: number; newest_future: boolean }>`
      SELECT count(*)::int AS total,
             (count(*) FILTER (WHERE statut IN ('cloturee', 'archivee')))::int AS terminees,
             (count(*) FILTER (WHERE statut = 'annulee'))::int AS annulee,
             (count(*) FILTER (WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente')))::int AS actives,
             (count(*) FILTER (WHERE statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente') AND date_limite < now()))::int AS overdue,
             extract(day FROM now() - min(date_creation))::int AS oldest_days,
             max(date_creation) > now() AS newest_future
      FROM interventions WHERE titre LIKE '%[SC-%'`);
    assert.equal(mix!.total, 5000);
    const near = (value: number, expected: number, tolerance: number, label: string) => assert.ok(Math.abs(value - expected) <= tolerance, `${label}: ${value} vs ${expected}`);
    near(mix!.terminees / 5000, 0.7, 0.02, 'closed or archived');
    near(mix!.annulee / 5000, 0.05, 0.01, 'cancelled');
    near(mix!.actives / 5000, 0.25, 0.02, 'active');
    near(mix!.overdue / mix!.actives, 0.2, 0.03, 'overdue among active');
    assert.ok(mix!.oldest_days <= 731 && mix!.oldest_days >= 600, `oldest ${mix!.oldest_days} days`);
    assert.equal(mix!.newest_future, false);

    const [notifications] = await q(sql<{ total: number; lu: number; bad_read: number; future: number; orphan: number }>`
      SELECT count(*)::int AS total, (count(*) FILTER (WHERE lu))::int AS lu,
             (count(*) FILTER (WHERE lu <> (date_lecture IS NOT NULL) OR date_lecture < date_envoi))::int AS bad_read,
             (count(*) FILTER (WHERE date_envoi > now()))::int AS future,
             (count(*) FILTER (WHERE intervention_id IS NULL))::int AS orphan
      FROM notifications`);
    assert.equal(notifications!.total, 10000);
    near(notifications!.lu / 10000, 0.6, 0.02, 'read notifications');
    assert.deepEqual([notifications!.bad_read, notifications!.future, notifications!.orphan], [0, 0, 0]);

    const [people] = await q(sql<{ techs: string[]; resps: string[]; clients: number; linked: number }>`
      SELECT (SELECT array_agg(username ORDER BY username) FROM users WHERE role = 'technicien' AND email LIKE '%@exemple.test') AS techs,
             (SELECT array_agg(username ORDER BY username) FROM users WHERE role = 'responsable' AND email LIKE '%@exemple.test') AS resps,
             (SELECT count(*)::int FROM users WHERE role = 'client' AND email LIKE 'client.%@exemple.test') AS clients,
             (SELECT count(*)::int FROM users u JOIN clients c ON c.id = u.client_id WHERE u.email LIKE 'client.%@exemple.test') AS linked`);
    assert.deepEqual(people!.techs, scaleAccountsOfUnit(1).techniciens.map((a) => a.username));
    assert.deepEqual(people!.resps, ['responsable.01', 'responsable.02']);
    assert.deepEqual([people!.clients, people!.linked], [10, 10]);
  });

  test('scale history: one row per transition, a consistent chain, timestamps in order, technicians where required', async () => {
    const [check] = await q(sql<{ chain_breaks: number; first_not_creation: number; last_mismatch: number; time_back: number; bad_dates: number; missing_tech: number; bad_scope: number }>`
      WITH h AS (
        SELECT h.*, lag(h.statut) OVER w AS prev_statut, lag(h.horodatage) OVER w AS prev_time,
               row_number() OVER w AS rn, count(*) OVER (PARTITION BY h.intervention_id) AS n
        FROM historiques_interventions h WINDOW w AS (PARTITION BY h.intervention_id ORDER BY h.horodatage, h.id)
      )
      SELECT
        (SELECT count(*)::int FROM h WHERE rn > 1 AND prev_statut IS DISTINCT FROM statut_precedent) AS chain_breaks,
        (SELECT count(*)::int FROM h WHERE rn = 1 AND (statut_precedent IS NOT NULL OR statut <> 'ouverte')) AS first_not_creation,
        (SELECT count(*)::int FROM h JOIN interventions i ON i.id = h.intervention_id WHERE rn = n AND (h.statut <> i.statut OR h.horodatage <> i.updated_at)) AS last_mismatch,
        (SELECT count(*)::int FROM h WHERE prev_time > horodatage) AS time_back,
        (SELECT count(*)::int FROM interventions WHERE NOT (
           date_creation <= coalesce(date_affectation, date_creation)
           AND coalesce(date_affectation, date_creation) <= coalesce(date_debut_travaux, date_affectation, date_creation)
           AND coalesce(date_debut_travaux, date_creation) <= coalesce(date_fin_travaux, date_debut_travaux, date_creation)
           AND coalesce(date_fin_travaux, date_creation) <= coalesce(date_cloture, date_fin_travaux, date_creation)
           AND coalesce(date_cloture, date_creation) <= coalesce(date_archivage, date_cloture, date_creation)
           AND coalesce(date_archivage, date_cloture, date_debut_travaux, date_affectation, date_creation) <= now()
           AND (statut NOT IN ('cloturee', 'archivee') OR (date_cloture IS NOT NULL AND date_fin_travaux = date_cloture AND date_debut_travaux IS NOT NULL))
           AND (statut <> 'archivee' OR date_archivage IS NOT NULL))) AS bad_dates,
        (SELECT count(*)::int FROM interventions WHERE statut IN ('affectee', 'en_cours', 'en_attente', 'cloturee', 'archivee') AND technicien_id IS NULL) AS missing_tech,
        (SELECT count(*)::int FROM interventions i JOIN equipements e ON e.id = i.equipement_id
          WHERE i.client_id IS DISTINCT FROM e.client_id OR i.contrat_id IS DISTINCT FROM e.contrat_id) AS bad_scope`);
    assert.deepEqual(check, { chain_breaks: 0, first_not_creation: 0, last_mismatch: 0, time_back: 0, bad_dates: 0, missing_tech: 0, bad_scope: 0 });
    // Every intervention has its history, and transitions match the final status.
    const [paths] = await q(sql<{ without_history: number; closed_without_close_row: number }>`
      SELECT (SELECT count(*)::int FROM interventions i WHERE NOT EXISTS (SELECT 1 FROM historiques_interventions h WHERE h.intervention_id = i.id)) AS without_history,
             (SELECT count(*)::int FROM interventions i WHERE i.statut IN ('cloturee', 'archivee')
                AND NOT EXISTS (SELECT 1 FROM historiques_interventions h WHERE h.intervention_id = i.id AND h.statut = 'cloturee' AND h.horodatage = i.date_cloture)) AS closed_without_close_row`);
    assert.deepEqual(paths, { without_history: 0, closed_without_close_row: 0 });
  });

  test('a second run with the same N adds nothing', async () => {
    const again = await seed(['--scale', '1', '--seed', '42']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /1 unité\(s\) déjà présente\(s\) sur 1/);
    assert.match(again.stdout, /admin@mif-maroc\.com \/ admin — ChefPass123! \(admin\)/);
    assert.deepEqual(await rowCounts(), countsAfterFirst);
  });

  test('demo and generated accounts log in through the API with the documented passwords', async () => {
    const t = await createTestApp({ database: scratch.database });
    try {
      // Every demo account, and one generated account of each role (they share one password hash).
      const accounts = [...DEMO_ACCOUNTS, scaleAccountsOfUnit(1).techniciens[0]!, scaleAccountsOfUnit(1).responsables[1]!, scaleAccountsOfUnit(1).clients[9]!];
      for (const account of accounts) {
        const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: account.email, password: account.password } });
        assert.equal(response.statusCode, 200, `${account.email}: ${response.body}`);
        const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${response.json().access_token}` } });
        assert.equal(me.json().role, account.role);
      }
      const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: 'admin@mif-maroc.com', password: 'AdminPass123!' } });
      assert.equal(wrong.statusCode, 401);
    } finally {
      await t.close();
    }
  });

  test('a larger N adds the difference: --scale 2 adds exactly one unit, numbered after the first', async () => {
    const before = await rowCounts();
    const result = await seed(['--scale', '2', '--seed', '42']);
    assert.equal(result.code, 0, result.stderr);
    const afterCounts = await rowCounts();
    assert.equal(afterCounts.interventions! - before.interventions!, 5000);
    assert.equal(afterCounts.notifications! - before.notifications!, 10000);
    assert.equal(afterCounts.users! - before.users!, 32);
    assert.equal(afterCounts.equipements! - before.equipements!, 200);
    assert.equal(afterCounts.plannings! - before.plannings!, 50);
    assert.equal(afterCounts.clients! - before.clients!, 10);
    const usernames = await scratch.database.db.selectFrom('users').select('username').where('username', 'in', ['technicien.0021', 'technicien.0040', 'responsable.04', 'client.0020']).execute();
    assert.equal(usernames.length, 4);
    assert.match(result.stderr, /1 unité\(s\) déjà présente\(s\) sur 2/);
  });
});
