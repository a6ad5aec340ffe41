/**
 * The e-mail outbox end to end (docs/operations.md §7 "Tested by"): rows written with the
 * notification, delivered over real SMTP to a server in this process, retried with the backoff,
 * failed on a permanent 550, released when stuck, and never waited for by an API call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { FakeClock, login, MINUTE } from '../../helpers/auth.js';
import { call } from '../../helpers/http.js';
import { startSmtpServer, smtpEnv, type TestSmtpServer } from '../../helpers/smtp.js';
import { buildWorld, fullName, seedIntervention, type World } from '../interventions/world.js';

let smtp: TestSmtpServer;
let t: TestApp;
let w: World;
const clock = new FakeClock(Date.parse('2026-06-15T08:00:00.000Z'));

before(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ clock, env: { ...smtpEnv(smtp), APP_PUBLIC_URL: 'https://erp.mif.ma/', EMAIL_MAX_ATTEMPTS: '4' } });
  w = await buildWorld(t);
});
after(async () => {
  await t?.close();
  await smtp?.close();
});

async function outboxOf(interventionId: number) {
  return t.db
    .selectFrom('email_outbox as o')
    .innerJoin('notifications as n', 'n.id', 'o.notification_id')
    .select(['o.id', 'o.to_address', 'o.subject', 'o.body_text', 'o.body_html', 'o.status', 'o.attempts', 'o.next_attempt_at', 'o.last_error', 'n.user_id'])
    .where('n.intervention_id', '=', interventionId)
    .orderBy('o.id')
    .execute();
}

async function pendingCount(): Promise<number> {
  const row = await t.db.selectFrom('email_outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('status', 'in', ['pending', 'sending']).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sends what is due, as `email.send` does; first clears rows other tests left due. */
async function send() {
  return t.services.emailDelivery.sendDue();
}

describe('closing an intervention', () => {
  test('one outbox row per recipient, rendered; delivered over SMTP with both parts, headers and escaping', async () => {
    await send();
    smtp.received.length = 0;
    const id = await seedIntervention(t, w, 'en_cours', { titre: 'Pompe <P1> & co', travaux_realises: null });
    await t.services.interventions.changeStatus(w.t1.actor, id, { statut: 'cloturee', closure: { travauxRealises: 'Joint <remplacé>' } });

    const rows = await outboxOf(id);
    // Creator and responsables (resp is both), the company's client users; not the closing technician, not the inactive responsable.
    const expected = [w.resp, w.resp2, w.c1, w.c1b].map((m) => m.user.email).sort();
    assert.deepEqual(rows.map((r) => r.to_address).sort(), expected);
    for (const row of rows) {
      assert.equal(row.status, 'pending');
      assert.equal(row.subject, '[MIF] Intervention clôturée : Pompe <P1> & co');
      assert.match(row.body_text, /Travaux réalisés : Joint <remplacé>/);
      assert.match(row.body_text, /Date de clôture : 15\/06\/2026 09:00/);
      assert.match(row.body_text, new RegExp(`Voir l'intervention : https://erp.mif.ma/interventions/${id}`));
      assert.match(row.body_html, /Joint &lt;remplacé&gt;/);
    }
    const resp2Row = rows.find((r) => r.user_id === w.resp2.user.id)!;
    assert.match(resp2Row.body_text, new RegExp(`^Bonjour ${fullName(w.resp2)},`));

    const summary = await send();
    assert.equal(summary.sent, 4);
    const messages = await smtp.waitFor(4);
    assert.deepEqual(messages.map((m) => (Array.isArray(m.to) ? '' : m.to?.value[0]?.address)).sort(), expected);
    const toResp2 = messages.find((m) => !Array.isArray(m.to) && m.to?.value[0]?.address === w.resp2.user.email)!;
    assert.equal(toResp2.subject, '[MIF] Intervention clôturée : Pompe <P1> & co');
    assert.equal(toResp2.messageId, `<outbox-${resp2Row.id}@mif.example.ma>`);
    assert.deepEqual(toResp2.from?.value[0], { address: 'erp@mif.example.ma', name: 'ERP MIF Maroc' });
    assert.equal(toResp2.text?.trim(), resp2Row.body_text.trim());
    assert.match(String(toResp2.html), /Pompe &lt;P1&gt; &amp; co/);
    assert.deepEqual(
      (await outboxOf(id)).map((r) => [r.status, r.attempts]),
      rows.map(() => ['sent', 1]),
    );
  });
});

describe('delivery outcomes', () => {
  async function oneEmail(): Promise<number> {
    await send();
    const id = await seedIntervention(t, w, 'ouverte', { created_by_id: null });
    await t.services.interventions.changeStatus(w.resp.actor, id, { statut: 'affectee', technicienId: w.t1.technicienId });
    const rows = await outboxOf(id);
    assert.equal(rows.length, 1, 'the assignment notifies the technician only');
    return rows[0]!.id;
  }

  const rowOf = (id: number) => t.db.selectFrom('email_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('SMTP failing twice with 451, then accepting → attempts = 3, sent; the backoff is 1 min then 5 min', async () => {
    const id = await oneEmail();
    smtp.script(451, 451);
    const start = clock.now().getTime();
    await send();
    let row = await rowOf(id);
    assert.deepEqual([row.status, row.attempts, row.next_attempt_at.getTime() - start], ['pending', 1, MINUTE]);
    assert.match(row.last_error ?? '', /^451 /);
    await send(); // not due yet: nothing happens
    assert.equal((await rowOf(id)).attempts, 1);
    clock.advance(MINUTE);
    await send();
    row = await rowOf(id);
    assert.deepEqual([row.status, row.attempts, row.next_attempt_at.getTime() - clock.now().getTime()], ['pending', 2, 5 * MINUTE]);
    clock.advance(5 * MINUTE);
    const received = smtp.received.length;
    await send();
    row = await rowOf(id);
    assert.deepEqual([row.status, row.attempts, row.last_error], ['sent', 3, null]);
    assert.equal(smtp.received.length, received + 1);
  });

  test('a permanent 550 → failed at once, last_error kept', async () => {
    const id = await oneEmail();
    smtp.script(550);
    const summary = await send();
    assert.equal(summary.failed, 1);
    const row = await rowOf(id);
    assert.deepEqual([row.status, row.attempts], ['failed', 1]);
    assert.match(row.last_error ?? '', /^550 /);
    clock.advance(60 * MINUTE);
    await send();
    assert.equal((await rowOf(id)).status, 'failed');
  });

  test('temporary failures up to EMAIL_MAX_ATTEMPTS (4 here) → failed', async () => {
    const id = await oneEmail();
    smtp.script(451, 451, 451, 451);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await send();
      clock.advance(6 * 60 * MINUTE);
    }
    const row = await rowOf(id);
    assert.deepEqual([row.status, row.attempts], ['failed', 4]);
  });

  /** An assignment e-mail queued and not sent. */
  async function queuedEmail(): Promise<number> {
    const interventionId = await seedIntervention(t, w, 'ouverte', { created_by_id: null });
    await t.services.interventions.changeStatus(w.resp.actor, interventionId, { statut: 'affectee', technicienId: w.t1.technicienId });
    return (await outboxOf(interventionId))[0]!.id;
  }

  test('a row left in sending for more than 10 minutes returns to pending, then goes out', async () => {
    await send();
    const stuck = await queuedEmail();
    const recent = await queuedEmail();
    const claimedAgo = (minutes: number) => ({ status: 'sending' as const, attempts: 1, next_attempt_at: new Date(clock.now().getTime() - minutes * MINUTE) });
    await t.db.updateTable('email_outbox').set(claimedAgo(11)).where('id', '=', stuck).execute();
    await t.db.updateTable('email_outbox').set(claimedAgo(9)).where('id', '=', recent).execute();
    const summary = await send();
    assert.equal(summary.released, 1);
    const row = await rowOf(stuck);
    assert.deepEqual([row.status, row.attempts], ['sent', 2]);
    assert.equal((await rowOf(recent)).status, 'sending', 'claimed 9 minutes ago: still its worker’s');
    await t.db.deleteFrom('email_outbox').where('id', '=', recent).execute();
  });

  test('two concurrent sends deliver each message once (claims with SKIP LOCKED)', async () => {
    await send();
    assert.equal(await pendingCount(), 0);
    const before = smtp.received.length;
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await queuedEmail());
    const [a, b] = await Promise.all([send(), send()]);
    assert.equal(a.sent + b.sent, 6);
    const delivered = smtp.received.slice(before).map((m) => m.messageId).sort();
    assert.deepEqual(delivered, ids.map((id) => `<outbox-${id}@mif.example.ma>`).sort());
  });
});

describe('API calls never wait for SMTP', () => {
  test('POST /notifications/ with canal email answers 201 and leaves a pending outbox row, even with SMTP unreachable', async () => {
    // The idle pooled connections would keep the server's close waiting.
    t.services.emailDelivery.close();
    await smtp.close();
    const tokens = await login(t, w.resp.user);
    const started = Date.now();
    const response = await call(t, 'POST', '/api/v1/notifications/', {
      as: tokens,
      payload: { type: 'information', canal: 'email', contenu: 'Réunion <demain>', user_id: w.t2.user.id },
    });
    assert.equal(response.statusCode, 201);
    assert.ok(Date.now() - started < 2000);
    const notificationId = response.json().id as number;
    const row = await t.db.selectFrom('email_outbox').selectAll().where('notification_id', '=', notificationId).executeTakeFirstOrThrow();
    assert.equal(row.status, 'pending');
    assert.equal(row.subject, '[MIF] Information : Notification');
    assert.match(row.body_text, /Réunion <demain>/);
    assert.match(row.body_html, /Réunion &lt;demain&gt;/);
    // canal log: an in-app row, no e-mail.
    const logged = await call(t, 'POST', '/api/v1/notifications/', { as: tokens, payload: { type: 'information', canal: 'log', user_id: w.t2.user.id } });
    assert.equal(logged.statusCode, 201);
    assert.equal((await t.db.selectFrom('email_outbox').select('id').where('notification_id', '=', logged.json().id).execute()).length, 0);
    // The failed delivery is a retry, not a crash.
    const summary = await send();
    assert.ok(summary.retried >= 1);
    assert.equal((await t.db.selectFrom('email_outbox').select('status').where('notification_id', '=', notificationId).executeTakeFirstOrThrow()).status, 'pending');
  });
});
