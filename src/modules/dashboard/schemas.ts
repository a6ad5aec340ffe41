import { Type, type Static } from '@sinclair/typebox';

const Count = Type.Integer({ minimum: 0 });

/**
 * GET /dashboard/stats (docs/api.md §4.9): exactly the legacy nested shape plus the additions
 * (`affectee`, `annulee`, `archivee`, `en_retard`, `total`, `year`, `programmee`, `panne`, `retire`).
 * Every nested object is required: a missing one leaves the front end on a blank page (§5 rule 9).
 */
export const DashboardStatsSchema = Type.Object(
  {
    interventions: Type.Object(
      {
        ouverte: Count,
        en_cours: Count,
        en_attente: Count,
        terminees: Type.Integer({ minimum: 0, description: 'cloturee + archivee' }),
        total_mensuel: Type.Integer({ minimum: 0, description: 'Créées ce mois-ci (APP_TIMEZONE)' }),
        terminees_mensuel: Type.Integer({ minimum: 0, description: 'date_cloture dans le mois en cours (APP_TIMEZONE)' }),
        affectee: Count,
        annulee: Count,
        archivee: Count,
        en_retard: Type.Integer({ minimum: 0, description: 'Actives dont la date limite est dépassée' }),
        total: Count,
      },
      { additionalProperties: false },
    ),
    taux_resolution: Type.Number({ description: 'round(100 × terminees / (total − annulee), 1) ; 0 si le diviseur est nul' }),
    evolution_mensuelle: Type.Array(
      Type.Object(
        {
          month: Type.String({ description: 'Jan … Dec' }),
          total: Count,
          year: Type.Integer(),
        },
        { additionalProperties: false },
      ),
      { minItems: 6, maxItems: 6, description: 'Le mois en cours et les 5 précédents, du plus ancien au plus récent' },
    ),
    priorites: Type.Object(
      { urgente: Count, haute: Count, normale: Count, basse: Count, programmee: Count },
      { additionalProperties: false },
    ),
    equipements: Type.Object(
      { total: Count, operationnel: Count, maintenance: Count, panne: Count, retire: Count },
      { additionalProperties: false },
    ),
    utilisateurs: Type.Object({ total: Count, actifs: Count }, { additionalProperties: false }),
  },
  { $id: 'DashboardStats', additionalProperties: false },
);

export type DashboardStats = Static<typeof DashboardStatsSchema>;
