/**
 * The callers of the technicians and skills tests: one logged-in user per role.
 */
import type { TestApp } from '../../helpers/app.js';
import { login, seedUser, type Tokens } from '../../helpers/auth.js';

export interface Callers {
  admin: Tokens;
  responsable: Tokens;
  technicien: Tokens;
  client: Tokens;
  ids: Record<'admin' | 'responsable' | 'technicien' | 'client', number>;
}

export async function loginEveryRole(t: TestApp, clientId: number): Promise<Callers> {
  const admin = await seedUser(t, 'admin');
  const responsable = await seedUser(t, 'responsable');
  const technicien = await seedUser(t, 'technicien');
  const client = await seedUser(t, 'client', { clientId });
  return {
    admin: await login(t, admin),
    responsable: await login(t, responsable),
    technicien: await login(t, technicien),
    client: await login(t, client),
    ids: { admin: admin.id, responsable: responsable.id, technicien: technicien.id, client: client.id },
  };
}
