/** Names for the shapes the screens use, read from the generated paths (schema.d.ts). */
import type { paths } from './schema';

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
/** The 200 body of `method path`. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: infer R } } ? JsonOf<R> : never;
/** The JSON request body of `method path`. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
/** The query parameters of `GET path`. */
export type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;

export type Intervention = Answer<'/api/v1/interventions/{intervention_id}', 'get'>;
export type InterventionQuery = QueryOf<'/api/v1/interventions/'>;
export type InterventionCreate = BodyOf<'/api/v1/interventions/', 'post'>;
export type InterventionPatch = BodyOf<'/api/v1/interventions/{intervention_id}', 'patch'>;
export type Statut = Intervention['statut'];
export type Priorite = Intervention['priorite'];
export type TypeIntervention = Intervention['type'];
export type Historique = Answer<'/api/v1/interventions/{intervention_id}/historique', 'get'>[number];
export type Technicien = Answer<'/api/v1/techniciens/', 'get'>[number];
export type Equipement = Answer<'/api/v1/equipements/', 'get'>[number];
export type Notification = Answer<'/api/v1/notifications/user/me', 'get'>[number];
export type CurrentUser = Answer<'/api/v1/auth/me', 'get'>;
export type Role = CurrentUser['role'];
export type DashboardStats = Answer<'/api/v1/dashboard/stats', 'get'>;
export type DocumentOut = Answer<'/api/v1/documents/', 'get'>[number];
export type EquipementCreate = NonNullable<BodyOf<'/api/v1/equipements/', 'post'>>;
export type EquipementPatch = NonNullable<BodyOf<'/api/v1/equipements/{equipement_id}', 'patch'>>;
export type StatutEquipement = Equipement['statut'];
export type Criticite = Equipement['criticite'];
export type Client = Answer<'/api/v1/clients/{client_id}', 'get'>;
export type ClientCreate = NonNullable<BodyOf<'/api/v1/clients/', 'post'>>;
export type Contrat = Answer<'/api/v1/contrats/{contrat_id}', 'get'>;
export type ContratCreate = NonNullable<BodyOf<'/api/v1/contrats/', 'post'>>;
