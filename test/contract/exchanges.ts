/**
 * One representative successful request per operation of the document, on the contract world
 * (test/contract/world.ts). Routes that delete, disable or revoke act on rows made for the request.
 */
import type { Role } from '../../src/db/schema.js';
import type { TestApp } from '../helpers/app.js';
import { login, seedUser, type Tokens } from '../helpers/auth.js';
import { insertClient, insertCompetence, insertContrat, insertEquipement, insertIntervention, insertTechnicien, insertUserRow } from '../helpers/fixtures.js';
import { generate } from 'otplib';
import { call } from '../helpers/http.js';
import { multipart, pdfBytes } from '../modules/documents/support.js';
import { uniqueSuffix, type World } from './world.js';

export interface Exchange {
  /** A role of the world, or the tokens of a session made for this request. */
  as: Role | Tokens | null;
  params?: Record<string, string | number>;
  query?: Record<string, string>;
  body?: unknown;
  /** A body that is not JSON (a multipart upload): sent as is; `body` then stays undefined. */
  raw?: { payload: Buffer; contentType: string };
  /** The success status the request must get. */
  status: number;
}

type ExchangeFactory = (t: TestApp, w: World) => Promise<Exchange>;

/** A user of `role` that the request may disable, revoke or change, logged in. */
async function throwaway(t: TestApp, role: Role = 'technicien') {
  const user = await seedUser(t, role);
  return { user, tokens: await login(t, user) };
}

/** A throwaway user with a confirmed second factor (docs/security.md §3a): its session and recovery codes. */
async function withFactor(t: TestApp) {
  const { user, tokens } = await throwaway(t);
  const { secret } = (await call(t, 'POST', '/api/v1/auth/mfa/enroll', { as: tokens })).json();
  const otp = await generate({ secret, epoch: Math.floor(t.app.clock.now().getTime() / 1000) });
  const { recovery_codes } = (await call(t, 'POST', '/api/v1/auth/mfa/confirm', { as: tokens, payload: { otp } })).json();
  return { user, tokens, secret: secret as string, recoveryCodes: recovery_codes as string[] };
}

async function newNotification(t: TestApp, w: World): Promise<number> {
  const response = await call(t, 'POST', '/api/v1/notifications/', { as: w.tokens.admin, payload: { type: 'rappel', canal: 'email', user_id: w.users.client.id } });
  return response.json().id;
}

/** A multipart upload of a small PDF (docs/api.md §4.8). */
function pdfUpload(): NonNullable<Exchange['raw']> {
  const body = multipart([{ name: 'file', filename: 'rapport.pdf', content: pdfBytes(), type: 'application/pdf' }]);
  return { payload: body.payload, contentType: body.headers['content-type']! };
}

async function newDocument(t: TestApp, w: World): Promise<number> {
  const raw = pdfUpload();
  const response = await call(t, 'POST', `/api/v1/documents/?intervention_id=${w.interventionId}`, { as: w.tokens.admin, headers: { 'content-type': raw.contentType }, payload: raw.payload });
  return response.json().id;
}

const read = (as: Role, query: Record<string, string> = {}): ExchangeFactory => async () => ({ as, query, status: 200 });

export const EXCHANGES: Record<string, ExchangeFactory> = {
  'GET /api/v1/health': read('admin'),
  'GET /api/v1/health/detailed': read('admin'),
  'GET /api/v1/health/live': async () => ({ as: null, status: 200 }),
  'GET /api/v1/live': async () => ({ as: null, status: 200 }),
  'GET /api/v1/health/ready': async () => ({ as: null, status: 200 }),
  'GET /api/v1/ready': async () => ({ as: null, status: 200 }),

  'POST /api/v1/auth/token': async (_t, w) => ({ as: null, body: { email: w.users.admin.email, password: w.users.admin.password }, status: 200 }),
  'POST /api/v1/auth/login': async (_t, w) => ({ as: null, body: { username: w.users.responsable.username, password: w.users.responsable.password }, status: 200 }),
  'POST /api/v1/auth/refresh': async (t) => {
    const { tokens } = await throwaway(t);
    return { as: null, body: { refresh_token: tokens.refresh_token }, status: 200 };
  },
  'POST /api/v1/auth/logout': async (t) => {
    const { tokens } = await throwaway(t);
    return { as: tokens, body: { refresh_token: tokens.refresh_token }, status: 200 };
  },
  'POST /api/v1/auth/logout-all': async (t) => ({ as: (await throwaway(t)).tokens, status: 200 }),
  'GET /api/v1/auth/me': read('technicien'),
  'GET /api/v1/auth/mfa': read('technicien'),
  'POST /api/v1/auth/mfa/enroll': async (t) => ({ as: (await throwaway(t)).tokens, status: 200 }),
  'POST /api/v1/auth/mfa/confirm': async (t) => {
    const { tokens } = await throwaway(t);
    const { secret } = (await call(t, 'POST', '/api/v1/auth/mfa/enroll', { as: tokens })).json();
    return { as: tokens, body: { otp: await generate({ secret, epoch: Math.floor(t.app.clock.now().getTime() / 1000) }) }, status: 200 };
  },
  'POST /api/v1/auth/mfa/verify': async (t) => {
    const { user, recoveryCodes } = await withFactor(t);
    const step = await call(t, 'POST', '/api/v1/auth/token', { as: null, payload: { email: user.email, password: user.password } });
    return { as: null, body: { mfa_token: step.json().error.details.mfa_token, otp: recoveryCodes[0] }, status: 200 };
  },
  'POST /api/v1/auth/mfa/disable': async (t) => {
    const { user, tokens, recoveryCodes } = await withFactor(t);
    return { as: tokens, body: { password: user.password, otp: recoveryCodes[0] }, status: 200 };
  },
  'POST /api/v1/users/{user_id}/mfa/reset': async (t) => ({ as: 'admin', params: { user_id: (await withFactor(t)).user.id }, status: 200 }),
  'POST /api/v1/auth/change-password': async (t) => {
    const { user, tokens } = await throwaway(t);
    return { as: tokens, body: { current_password: user.password, new_password: `Change#${uniqueSuffix()}Pass` }, status: 200 };
  },

  'POST /api/v1/users/': async () => ({
    as: 'admin',
    body: { username: `u.${uniqueSuffix()}`, full_name: 'Nouvel Utilisateur', email: `u.${uniqueSuffix()}@exemple.test`, role: 'technicien', password: `Valide#${uniqueSuffix()}Pass` },
    status: 201,
  }),
  'GET /api/v1/users/': read('responsable', { role: 'admin,client', limit: '10', sort: '-created_at' }),
  'GET /api/v1/users/me': read('client'),
  'PUT /api/v1/users/update': async () => ({ as: 'client', body: { full_name: 'Client Renommé' }, status: 200 }),
  'GET /api/v1/users/{user_id}': async (_t, w) => ({ as: 'admin', params: { user_id: w.users.technicien.id }, status: 200 }),
  'PATCH /api/v1/users/{user_id}': async (_t, w) => ({ as: 'admin', params: { user_id: w.spareUserId }, body: { full_name: 'Nom Modifié' }, status: 200 }),
  'DELETE /api/v1/users/{user_id}': async (t) => ({ as: 'admin', params: { user_id: (await throwaway(t)).user.id }, status: 204 }),
  'PATCH /api/v1/users/{user_id}/activate': async (_t, w) => ({ as: 'admin', params: { user_id: w.spareUserId }, status: 200 }),
  'POST /api/v1/users/{user_id}/reset-password': async (t) => ({
    as: 'admin',
    params: { user_id: (await throwaway(t)).user.id },
    body: { new_password: `Reset#${uniqueSuffix()}Pass` },
    status: 200,
  }),
  'POST /api/v1/users/{user_id}/revoke-sessions': async (t) => ({ as: 'admin', params: { user_id: (await throwaway(t)).user.id }, status: 200 }),

  'GET /api/v1/audit/': read('admin', { event_type: 'auth.', limit: '5' }),
  'GET /api/v1/audit/{event_id}': async (_t, w) => ({ as: 'admin', params: { event_id: w.auditEventId }, status: 200 }),

  'GET /api/v1/clients/': read('client'),
  'POST /api/v1/clients/': async () => ({ as: 'responsable', body: { nom_entreprise: `Société ${uniqueSuffix()}`, nom_contact: 'Alami', email: `c.${uniqueSuffix()}@exemple.test` }, status: 201 }),
  'GET /api/v1/clients/{client_id}': async (_t, w) => ({ as: 'client', params: { client_id: w.clientId }, status: 200 }),
  'PATCH /api/v1/clients/{client_id}': async (_t, w) => ({ as: 'admin', params: { client_id: w.clientId }, body: { ville: 'Casablanca' }, status: 200 }),
  'DELETE /api/v1/clients/{client_id}': async (t) => ({ as: 'admin', params: { client_id: await insertClient(t.db) }, status: 204 }),

  'GET /api/v1/contrats/': read('admin', { statut: 'brouillon,en_cours' }),
  'POST /api/v1/contrats/': async (_t, w) => ({
    as: 'admin',
    body: { numero_contrat: `CTR-${uniqueSuffix()}`, nom_contrat: 'Contrat cadre', type_contrat: 'contrat_cadre', date_debut: '2026-01-01', date_fin: '2026-12-31', client_id: w.clientId },
    status: 201,
  }),
  'GET /api/v1/contrats/{contrat_id}': async (_t, w) => ({ as: 'client', params: { contrat_id: w.contratId }, status: 200 }),
  'PATCH /api/v1/contrats/{contrat_id}': async (_t, w) => ({ as: 'admin', params: { contrat_id: w.contratId }, body: { montant_annuel: 1200.5 }, status: 200 }),
  'DELETE /api/v1/contrats/{contrat_id}': async (t, w) => ({ as: 'admin', params: { contrat_id: await insertContrat(t.db, w.clientId) }, status: 204 }),

  'POST /api/v1/equipements/': async () => ({ as: 'admin', body: { nom: `Pompe ${uniqueSuffix()}`, type: 'pompe', localisation: 'Atelier' }, status: 200 }),
  'GET /api/v1/equipements/': read('client', { statut: 'operationnel' }),
  'GET /api/v1/equipements/{equipement_id}': async (_t, w) => ({ as: 'technicien', params: { equipement_id: w.equipementId }, status: 200 }),
  'PATCH /api/v1/equipements/{equipement_id}': async (_t, w) => ({ as: 'responsable', params: { equipement_id: w.equipementId }, body: { marque: 'Atlas' }, status: 200 }),
  'DELETE /api/v1/equipements/{equipement_id}': async (t) => ({ as: 'admin', params: { equipement_id: await insertEquipement(t.db) }, status: 200 }),

  'POST /api/v1/techniciens/': async (t) => ({ as: 'admin', body: { user_id: await insertUserRow(t.db, 'technicien'), equipe: 'Nord', disponibilite: 'disponible' }, status: 200 }),
  'GET /api/v1/techniciens/': read('technicien', { disponibilite: 'disponible' }),
  'GET /api/v1/techniciens/competences': read('technicien', { q: 'comp' }),
  'POST /api/v1/techniciens/competences': async () => ({ as: 'responsable', body: { nom: `Soudure ${uniqueSuffix()}` }, status: 200 }),
  'PATCH /api/v1/techniciens/competences/{competence_id}': async (_t, w) => ({ as: 'admin', params: { competence_id: w.competenceId }, body: { description: 'Niveau 2' }, status: 200 }),
  'DELETE /api/v1/techniciens/competences/{competence_id}': async (t) => ({ as: 'admin', params: { competence_id: await insertCompetence(t.db, `Jetable ${uniqueSuffix()}`) }, status: 204 }),
  'GET /api/v1/techniciens/{technicien_id}': async (_t, w) => ({ as: 'technicien', params: { technicien_id: w.technicienId }, status: 200 }),
  'PUT /api/v1/techniciens/{technicien_id}': async (_t, w) => ({ as: 'admin', params: { technicien_id: w.technicienId }, body: { equipe: 'Sud', competences_ids: [w.competenceId] }, status: 200 }),
  'DELETE /api/v1/techniciens/{technicien_id}': async (t) => ({ as: 'admin', params: { technicien_id: await insertTechnicien(t.db, await insertUserRow(t.db, 'technicien')) }, status: 204 }),

  'POST /api/v1/interventions/': async (_t, w) => ({ as: 'responsable', body: { titre: 'Fuite', type: 'corrective', equipement_id: w.equipementId }, status: 200 }),
  'GET /api/v1/interventions/': read('technicien', { statut: 'affectee', sort: '-date_creation' }),
  'GET /api/v1/filters/interventions': read('client', { technicien_id: '0' }),
  'GET /api/v1/interventions/{intervention_id}': async (_t, w) => ({ as: 'client', params: { intervention_id: w.interventionId }, status: 200 }),
  'PATCH /api/v1/interventions/{intervention_id}': async (_t, w) => ({ as: 'admin', params: { intervention_id: w.interventionId }, body: { priorite: 'haute', cout_estime: 150 }, status: 200 }),
  'PATCH /api/v1/interventions/{intervention_id}/statut': async (t, w) => ({
    as: 'technicien',
    params: { intervention_id: await insertIntervention(t.db, w.equipementId, { technicien_id: w.technicienId, statut: 'affectee' }) },
    body: { statut: 'en_cours', remarque: 'Sur place' },
    status: 200,
  }),
  'GET /api/v1/interventions/{intervention_id}/historique': async (_t, w) => ({ as: 'admin', params: { intervention_id: w.interventionId }, status: 200 }),

  'POST /api/v1/planning/': async (_t, w) => ({ as: 'admin', body: { frequence: 'trimestrielle', equipement_id: w.equipementId, prochaine_date: '2026-09-01' }, status: 201 }),
  'GET /api/v1/planning/': read('technicien'),
  'GET /api/v1/planning/{planning_id}': async (_t, w) => ({ as: 'technicien', params: { planning_id: w.planningId }, status: 200 }),
  'PUT /api/v1/planning/{planning_id}': async (_t, w) => ({ as: 'responsable', params: { planning_id: w.planningId }, body: { commentaire: 'Vérifier les filtres' }, status: 200 }),
  'DELETE /api/v1/planning/{planning_id}': async (t, w) => {
    const created = await call(t, 'POST', '/api/v1/planning/', { as: w.tokens.admin, payload: { frequence: 'annuel', equipement_id: w.equipementId } });
    return { as: 'admin', params: { planning_id: created.json().id }, status: 204 };
  },
  'PATCH /api/v1/planning/{planning_id}/dates': async (_t, w) => ({ as: 'admin', params: { planning_id: w.planningId }, body: { nouvelle_date: '2026-10-01' }, status: 200 }),

  'POST /api/v1/notifications/': async (_t, w) => ({ as: 'responsable', body: { type: 'information', canal: 'push', user_id: w.users.technicien.id, intervention_id: w.interventionId }, status: 201 }),
  'GET /api/v1/notifications/': read('admin', { canal: 'log,email' }),
  'GET /api/v1/notifications/user/me': read('client', { lu: 'false' }),
  'PUT /api/v1/notifications/read-all': read('technicien'),
  'GET /api/v1/notifications/user/{user_id}': async (_t, w) => ({ as: 'client', params: { user_id: w.users.client.id }, status: 200 }),
  'PUT /api/v1/notifications/{notification_id}/read': async (_t, w) => ({ as: 'client', params: { notification_id: w.notificationId }, status: 200 }),
  'DELETE /api/v1/notifications/{notification_id}': async (t, w) => ({ as: 'admin', params: { notification_id: await newNotification(t, w) }, status: 200 }),

  'GET /api/v1/dashboard/stats': read('client'),

  'POST /api/v1/documents/': async (_t, w) => ({ as: 'technicien', query: { intervention_id: String(w.interventionId) }, raw: pdfUpload(), status: 201 }),
  'POST /api/v1/documents/upload': async (_t, w) => ({ as: 'admin', query: { intervention_id: String(w.interventionId) }, raw: pdfUpload(), status: 201 }),
  'GET /api/v1/documents/': read('client', { mime: 'application/pdf', sort: '-date_upload' }),
  'GET /api/v1/documents/{intervention_id}': async (_t, w) => ({ as: 'technicien', params: { intervention_id: w.interventionId }, status: 200 }),
  'GET /api/v1/documents/{document_id}/download': async (t, w) => ({ as: 'client', params: { document_id: await newDocument(t, w) }, status: 200 }),
  'DELETE /api/v1/documents/{document_id}': async (t, w) => ({ as: 'admin', params: { document_id: await newDocument(t, w) }, status: 200 }),
};

/** The creation routes whose body holds a unique value: sending the same body twice is a duplicate (409). */
export const DUPLICATE_CREATIONS = [
  'POST /api/v1/users/',
  'POST /api/v1/clients/',
  'POST /api/v1/contrats/',
  'POST /api/v1/equipements/',
  'POST /api/v1/techniciens/',
  'POST /api/v1/techniciens/competences',
] as const;
