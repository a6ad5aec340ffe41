/**
 * The seeded accounts (docs/operations.md §5), their password checks and the shared hash cache.
 */
import type { Role } from '../db/schema.js';
import { checkPassword } from '../modules/auth/password-policy.js';
import { pad } from './shared.js';

export interface SeedAccount {
  email: string;
  username: string;
  fullName: string;
  role: Role;
  password: string;
}

/** Demo accounts, in the order of docs/operations.md §5. */
export const DEMO_ACCOUNTS = [
  { email: 'admin@mif-maroc.com', username: 'admin', fullName: 'Administrateur MIF', role: 'admin', password: 'ChefPass123!' },
  { email: 'responsable@mif-maroc.com', username: 'responsable', fullName: 'Responsable Maintenance', role: 'responsable', password: 'RespPass123!' },
  { email: 'ahmed@mif-maroc.com', username: 'ahmed', fullName: 'Ahmed', role: 'technicien', password: 'TechPass123!' },
  { email: 'contact@abc.com', username: 'contact.abc', fullName: 'Contact ABC Industrie', role: 'client', password: 'ClientPass123!' },
  { email: 'mohammed.bennani@mif-maroc.com', username: 'mohammed.bennani', fullName: 'Mohammed Bennani', role: 'technicien', password: 'TechPass123!' },
  { email: 'fatima.alami@mif-maroc.com', username: 'fatima.alami', fullName: 'Fatima Alami', role: 'technicien', password: 'TechPass123!' },
  { email: 'youssef.tazi@mif-maroc.com', username: 'youssef.tazi', fullName: 'Youssef Tazi', role: 'technicien', password: 'TechPass123!' },
] as const satisfies readonly SeedAccount[];

export type DemoUsername = (typeof DEMO_ACCOUNTS)[number]['username'];

/** Password of every generated (`--scale`) account. */
export const SCALE_PASSWORD = 'ScalePass123!';

/** Generated accounts, numbered continuously across units: technicien.0001, responsable.01, client.0001. */
function scaleAccount(kind: 'technicien' | 'responsable' | 'client', number: number): SeedAccount {
  const username = `${kind}.${pad(number, kind === 'responsable' ? 2 : 4)}`;
  const label = { technicien: 'Technicien', responsable: 'Responsable', client: 'Client' }[kind];
  return { email: `${username}@exemple.test`, username, fullName: `${label} ${pad(number, kind === 'responsable' ? 2 : 4)}`, role: kind, password: SCALE_PASSWORD };
}

export const SCALE_PER_UNIT = {
  clients: 10,
  equipements: 200,
  techniciens: 20,
  responsables: 2,
  plannings: 50,
  interventions: 5000,
  notifications: 10000,
} as const;

/** Every generated account of unit `unit` (1-based). */
export function scaleAccountsOfUnit(unit: number): { techniciens: SeedAccount[]; responsables: SeedAccount[]; clients: SeedAccount[] } {
  const range = (perUnit: number) => Array.from({ length: perUnit }, (_, i) => (unit - 1) * perUnit + i + 1);
  return {
    techniciens: range(SCALE_PER_UNIT.techniciens).map((n) => scaleAccount('technicien', n)),
    responsables: range(SCALE_PER_UNIT.responsables).map((n) => scaleAccount('responsable', n)),
    clients: range(SCALE_PER_UNIT.clients).map((n) => scaleAccount('client', n)),
  };
}

/** Each account whose password fails the policy, with the failing rules' messages. */
export function passwordProblems(accounts: Iterable<SeedAccount>, minLength: number): string[] {
  const problems: string[] = [];
  for (const account of accounts) {
    const failures = checkPassword(account.password, { username: account.username, email: account.email }, { minLength });
    if (failures.length > 0) problems.push(`${account.email} : ${failures.map((f) => f.message).join('; ')}`);
  }
  return problems;
}

/** Hashes each distinct password once (argon2 is deliberately slow) and reuses the hash. */
export class PasswordHashCache {
  private readonly hashes = new Map<string, Promise<string>>();

  constructor(private readonly hasher: (password: string) => Promise<string>) {}

  get(password: string): Promise<string> {
    let hash = this.hashes.get(password);
    if (!hash) {
      hash = this.hasher(password);
      this.hashes.set(password, hash);
    }
    return hash;
  }

  /** How many distinct passwords were hashed. */
  get size(): number {
    return this.hashes.size;
  }
}
