/**
 * Write load through a real socket while the database is taken away (docs/operations.md §3): every
 * answer is recorded, so a test can check that the client only ever saw 200 or the 503 envelope,
 * and that every acknowledged write is still there afterwards.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';

export interface WriteOutcome {
  status: number | 'network-error';
  /** The id of the acknowledged (200) intervention. */
  id?: number;
  /** The envelope's code of an error answer. */
  code?: string;
  detail?: string;
  at: number;
}

export interface WriteLoad {
  outcomes: WriteOutcome[];
  /** Time of the first 200 answered at or after `since`. */
  firstSuccessAfter(since: number): number | null;
  stop(): Promise<void>;
}

/** `workers` loops creating interventions on `equipementId` until stopped. */
export function startWriteLoad(options: { baseUrl: string; token: string; equipementId: number; workers?: number }): WriteLoad {
  const outcomes: WriteOutcome[] = [];
  let running = true;
  let sequence = 0;
  async function worker(): Promise<void> {
    while (running) {
      const titre = `Charge ${++sequence}`;
      try {
        const response = await fetch(`${options.baseUrl}/api/v1/interventions/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ titre, type: 'corrective', equipement_id: options.equipementId }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await response.json()) as { id?: number; error?: { code: string } };
        outcomes.push({ status: response.status, id: body.id, code: body.error?.code, at: Date.now() });
        // While the database is down the answers come in microseconds: no need to spin.
        if (response.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      } catch (error) {
        outcomes.push({ status: 'network-error', detail: String((error as Error).cause ?? error), at: Date.now() });
      }
    }
  }
  const workers = Array.from({ length: options.workers ?? 4 }, () => worker());
  return {
    outcomes,
    firstSuccessAfter(since) {
      return outcomes.find((outcome) => outcome.status === 200 && outcome.at >= since)?.at ?? null;
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Polls `url` every 50 ms and keeps the statuses with their time. */
export function startPolling(url: string): { seen: { status: number | 'network-error'; at: number }[]; stop(): void } {
  const seen: { status: number | 'network-error'; at: number }[] = [];
  let running = true;
  void (async () => {
    while (running) {
      const status = await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
        (response) => response.status,
        () => 'network-error' as const,
      );
      seen.push({ status, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    seen,
    stop() {
      running = false;
    },
  };
}

/** Checks, after the outage, that every acknowledged write is there and none is half-applied. */
export async function verifyWrites(db: Kysely<Database>, outcomes: WriteOutcome[]): Promise<{ acknowledged: number[]; missing: number[]; withoutHistory: number[] }> {
  const acknowledged = outcomes.filter((outcome) => outcome.status === 200).map((outcome) => outcome.id!);
  const rows = await db.selectFrom('interventions').select('id').execute();
  const present = new Set(rows.map((row) => row.id));
  const history = await db.selectFrom('historiques_interventions').select('intervention_id').distinct().execute();
  const withHistory = new Set(history.map((row) => row.intervention_id));
  return {
    acknowledged,
    missing: acknowledged.filter((id) => !present.has(id)),
    withoutHistory: [...present].filter((id) => !withHistory.has(id)),
  };
}
