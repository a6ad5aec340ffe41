/**
 * Dashboard scope (docs/api.md §4.9, docs/security.md §5) and the derived figures. Pure functions, unit-tested
 * without a database.
 */
import type { Role } from '../../db/schema.js';

/** Which rows one part of the dashboard counts. */
export type RowScope =
  | { kind: 'all' }
  | { kind: 'none' }
  /** Interventions assigned to this technician profile. */
  | { kind: 'technicien'; technicienId: number }
  /** Rows of this client company. */
  | { kind: 'client'; clientId: number };

export interface DashboardScope {
  interventions: RowScope;
  equipements: RowScope;
  utilisateurs: RowScope;
}

export interface ScopeSubject {
  role: Role | 'system';
  clientId: number | null;
  technicienId: number | null;
}

const ALL: RowScope = { kind: 'all' };
const NONE: RowScope = { kind: 'none' };

/**
 * admin and responsable: everything. technicien: the interventions assigned to them (none without a
 * technician profile), all equipment and all users. client: their company's interventions,
 * equipment and users (nothing without a company).
 */
export function dashboardScope(user: ScopeSubject): DashboardScope {
  switch (user.role) {
    case 'system':
    case 'admin':
    case 'responsable':
      return { interventions: ALL, equipements: ALL, utilisateurs: ALL };
    case 'technicien':
      return {
        interventions: user.technicienId === null ? NONE : { kind: 'technicien', technicienId: user.technicienId },
        equipements: ALL,
        utilisateurs: ALL,
      };
    case 'client': {
      if (user.clientId === null) return { interventions: NONE, equipements: NONE, utilisateurs: NONE };
      const own: RowScope = { kind: 'client', clientId: user.clientId };
      return { interventions: own, equipements: own, utilisateurs: own };
    }
  }
}

/**
 * round(100 × terminees / (total − annulee), 1), 0 when the divisor is 0 (docs/api.md §4.9).
 * Exact rational rounding, half up (6.25 → 6.3): no binary floating-point surprises.
 */
export function tauxResolution(terminees: number, total: number, annulee: number): number {
  const divisor = total - annulee;
  if (divisor <= 0) return 0;
  const tenths = Math.floor((2000 * terminees + divisor) / (2 * divisor));
  return tenths / 10;
}

export const MONTH_ABBREVIATIONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** `Jan` … `Dec` for a month number 1–12 (the legacy service's English abbreviations). */
export function monthAbbreviation(month: number): string {
  const label = MONTH_ABBREVIATIONS[month - 1];
  if (label === undefined) throw new RangeError(`month ${month} outside 1–12`);
  return label;
}
