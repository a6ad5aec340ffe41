/**
 * Dashboard (docs/api.md §4.9): the caller's scope, the counts, and the derived figures.
 */
import { PRIORITE_VALUES, STATUT_EQUIPEMENT_VALUES, type Priorite, type StatutEquipement, type StatutIntervention } from '../../db/schema.js';
import type { Store } from '../../db/store.js';
import type { Clock } from '../../lib/clock.js';
import { dashboardScope, monthAbbreviation, tauxResolution, type ScopeSubject } from './policy.js';
import type { DashboardCounts, DashboardRepository } from './repository.js';
import type { DashboardStats } from './schemas.js';

export interface DashboardDependencies {
  store: Store<{ dashboard: DashboardRepository }>;
  clock: Clock;
  /** APP_TIMEZONE: the months of the series are local months. */
  timeZone: string;
}

export class DashboardService {
  constructor(private readonly deps: DashboardDependencies) {}

  /** The figures over the caller's scope (docs/security.md §5), now. */
  async stats(caller: ScopeSubject): Promise<DashboardStats> {
    const counts = await this.deps.store.repos.dashboard.loadCounts(dashboardScope(caller), this.deps.clock.now(), this.deps.timeZone);
    return toDashboardStats(counts);
  }
}

function toDashboardStats(counts: DashboardCounts): DashboardStats {
  const parStatut = new Map<StatutIntervention, number>();
  const priorites = Object.fromEntries(PRIORITE_VALUES.map((p) => [p, 0])) as Record<Priorite, number>;
  let total = 0;
  for (const { statut, priorite, n } of counts.parStatutPriorite) {
    parStatut.set(statut, (parStatut.get(statut) ?? 0) + n);
    priorites[priorite] += n;
    total += n;
  }
  const count = (statut: StatutIntervention) => parStatut.get(statut) ?? 0;
  const terminees = count('cloturee') + count('archivee');

  const equipements = Object.fromEntries(STATUT_EQUIPEMENT_VALUES.map((s) => [s, 0])) as Record<StatutEquipement, number>;
  let equipementsTotal = 0;
  for (const { statut, n } of counts.equipementsParStatut) {
    equipements[statut] += n;
    equipementsTotal += n;
  }

  const evolution = counts.evolution.map(({ year, month, total: n }) => ({ month: monthAbbreviation(month), total: n, year }));

  return {
    interventions: {
      ouverte: count('ouverte'),
      en_cours: count('en_cours'),
      en_attente: count('en_attente'),
      terminees,
      // The last entry of the series is the current month.
      total_mensuel: evolution[evolution.length - 1]?.total ?? 0,
      terminees_mensuel: counts.termineesMensuel,
      affectee: count('affectee'),
      annulee: count('annulee'),
      archivee: count('archivee'),
      en_retard: counts.enRetard,
      total,
    },
    taux_resolution: tauxResolution(terminees, total, count('annulee')),
    evolution_mensuelle: evolution,
    priorites,
    equipements: { total: equipementsTotal, ...equipements },
    utilisateurs: counts.utilisateurs,
  };
}
