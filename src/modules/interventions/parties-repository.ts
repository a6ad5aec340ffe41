/**
 * The rows of other modules an intervention write reads: the technician to assign, the equipment,
 * the client's name and the users to notify. Direct reads: those modules own the tables, this one
 * only needs a few columns inside its own transaction.
 */
import type { StatutEquipement } from '../../db/schema.js';
import type { Executor } from '../../db/store.js';
import { TechniciensRepository, type AssignableTechnicien } from '../techniciens/repository.js';

/** A technician who may be given work (the techniciens module owns that rule and its query). */
export type TechnicienRef = AssignableTechnicien;

export interface EquipementRef {
  id: number;
  nom: string;
  statut: StatutEquipement;
  clientId: number | null;
  contratId: number | null;
}

export class InterventionPartiesRepository {
  constructor(private readonly db: Executor) {}

  /** An assignable technician: its profile and its user are both active. */
  findAssignableTechnicien(id: number): Promise<TechnicienRef | undefined> {
    return new TechniciensRepository(this.db).findAssignable(id);
  }

  /** Any technician, active or not (the previous technician of a reassignment, the one to notify). */
  async findTechnicienUser(id: number): Promise<{ userId: number; fullName: string; userActive: boolean } | undefined> {
    const row = await this.db
      .selectFrom('techniciens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.user_id', 'u.full_name', 'u.is_active'])
      .where('t.id', '=', id)
      .executeTakeFirst();
    return row ? { userId: row.user_id, fullName: row.full_name, userActive: row.is_active } : undefined;
  }

  /** The equipment, locked in share mode so that it cannot be deleted or moved to another client mid-transaction. */
  async findEquipement(id: number): Promise<EquipementRef | undefined> {
    const row = await this.db
      .selectFrom('equipements')
      .select(['id', 'nom', 'statut', 'client_id', 'contrat_id'])
      .where('id', '=', id)
      .forShare()
      .executeTakeFirst();
    return row ? { id: row.id, nom: row.nom, statut: row.statut, clientId: row.client_id, contratId: row.contrat_id } : undefined;
  }

  async findClientName(clientId: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('clients').select('nom_entreprise').where('id', '=', clientId).executeTakeFirst();
    return row?.nom_entreprise;
  }

  async activeResponsableIds(): Promise<number[]> {
    const rows = await this.db.selectFrom('users').select('id').where('role', '=', 'responsable').where('is_active', '=', true).orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  async activeClientUserIds(clientId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'client')
      .where('client_id', '=', clientId)
      .where('is_active', '=', true)
      .orderBy('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /** The subset of `ids` that are active users. */
  async activeUserIds(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('users').select('id').where('id', 'in', ids).where('is_active', '=', true).execute();
    return rows.map((row) => row.id);
  }
}
