import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeHtml, formatDateTime } from '../../../src/modules/email/format.js';
import { afterFailure, isPermanentFailure, messageId, retryDelayMs } from '../../../src/modules/email/policy.js';
import { EMAIL_FOOTER, renderEmail, type EmailVariables } from '../../../src/modules/email/templates.js';

const settings = { subjectPrefix: '[MIF]', timeZone: 'Africa/Casablanca', publicUrl: 'https://erp.mif.ma' };

const variables: EmailVariables = {
  destinataire_nom: 'Samira <Benali>',
  id: 42,
  titre: 'Pompe & "vanne"',
  description: 'Fuite <script>alert(1)</script>',
  statut: 'affectee',
  priorite: 'haute',
  // 09:30 UTC on 15 Jan 2026 = 10:30 in Casablanca (+01).
  date_limite: new Date('2026-01-15T09:30:00.000Z'),
  date_cloture: null,
  equipement_nom: 'Compresseur C1',
  equipement_localisation: 'Atelier 3',
  technicien_nom: 'Karim',
  travaux_realises: null,
  contenu: 'Intervention n°42 « Pompe & "vanne" » vous a été affectée',
  planning_id: null,
};

describe('formats', () => {
  test('dates are dd/MM/yyyy HH:mm in the business time zone; null is "non définie"', () => {
    assert.equal(formatDateTime(new Date('2026-01-15T09:30:00.000Z'), 'Africa/Casablanca'), '15/01/2026 10:30');
    // During Ramadan 2026 Casablanca is on +00.
    assert.equal(formatDateTime(new Date('2026-02-28T07:05:00.000Z'), 'Africa/Casablanca'), '28/02/2026 07:05');
    assert.equal(formatDateTime(new Date('2026-12-31T23:30:00.000Z'), 'Africa/Casablanca'), '01/01/2027 00:30');
    assert.equal(formatDateTime(null, 'UTC'), 'non définie');
  });

  test('escapeHtml escapes the five special characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('renderEmail', () => {
  test('affectation: prefixed subject, greeting, the lines of its table, link and footer in both parts', () => {
    const email = renderEmail('affectation', variables, settings);
    assert.equal(email.subject, '[MIF] Nouvelle intervention assignée : Pompe & "vanne"');
    assert.equal(
      email.text,
      [
        'Bonjour Samira <Benali>,',
        '',
        'Une intervention vous a été assignée.',
        '',
        'N° : 42',
        'Titre : Pompe & "vanne"',
        'Équipement : Compresseur C1 (Atelier 3)',
        'Priorité : haute',
        'Date limite : 15/01/2026 10:30',
        'Description : Fuite <script>alert(1)</script>',
        '',
        "Voir l'intervention : https://erp.mif.ma/interventions/42",
        '',
        EMAIL_FOOTER,
      ].join('\n'),
    );
    assert.match(email.html, /<p>Bonjour Samira &lt;Benali&gt;,<\/p>/);
    assert.match(email.html, /Fuite &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(email.html, /Pompe &amp; &quot;vanne&quot;/);
    assert.doesNotMatch(email.html, /<script>/);
    assert.match(email.html, /<a href="https:\/\/erp.mif.ma\/interventions\/42">/);
    assert.ok(email.html.includes(EMAIL_FOOTER));
  });

  test('the subjects of every type; information without a title says "Notification"', () => {
    const subject = (type: Parameters<typeof renderEmail>[0], v: Partial<EmailVariables> = {}) => renderEmail(type, { ...variables, ...v }, settings).subject;
    assert.equal(subject('cloture'), '[MIF] Intervention clôturée : Pompe & "vanne"');
    assert.equal(subject('rappel'), '[MIF] Rappel : Pompe & "vanne"');
    assert.equal(subject('retard'), '[MIF] Intervention en retard : Pompe & "vanne"');
    assert.equal(subject('information'), '[MIF] Information : Pompe & "vanne"');
    assert.equal(subject('information', { id: null, titre: null }), '[MIF] Information : Notification');
    // Without an intervention, every type uses the information template.
    assert.equal(subject('retard', { id: null, titre: 'Planning #3 (Four)' }), '[MIF] Information : Planning #3 (Four)');
  });

  test('cloture and retard show their fields; a missing value is "non définie"', () => {
    const cloture = renderEmail('cloture', { ...variables, date_cloture: new Date('2026-06-01T14:00:00.000Z'), travaux_realises: 'Joint changé' }, settings).text;
    assert.match(cloture, /Technicien : Karim\nDate de clôture : 01\/06\/2026 15:00\nTravaux réalisés : Joint changé/);
    const retard = renderEmail('retard', { ...variables, technicien_nom: null }, settings).text;
    assert.match(retard, /Statut : affectee\nDate limite dépassée : 15\/01\/2026 10:30\nTechnicien : non définie/);
  });

  test('no link without APP_PUBLIC_URL; the subject is cut to 255 characters', () => {
    const email = renderEmail('rappel', { ...variables, titre: 'x'.repeat(400) }, { ...settings, publicUrl: null });
    assert.doesNotMatch(email.text, /Voir l'intervention/);
    assert.doesNotMatch(email.html, /<a /);
    assert.equal(email.subject.length, 255);
  });
});

describe('delivery policy', () => {
  test('backoff 1 min, 5 min, 15 min, 1 h, then 6 h', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 9].map((n) => retryDelayMs(n) / 60_000), [1, 5, 15, 60, 360, 360, 360]);
  });

  test('a 5xx is permanent, except an authentication failure; 4xx and network errors are temporary', () => {
    assert.equal(isPermanentFailure({ responseCode: 550, message: 'no' }), true);
    assert.equal(isPermanentFailure({ responseCode: 535, code: 'EAUTH', message: 'auth' }), false);
    assert.equal(isPermanentFailure({ responseCode: 451, message: 'later' }), false);
    assert.equal(isPermanentFailure({ code: 'ECONNREFUSED', message: 'down' }), false);
  });

  test('after the last allowed attempt the row fails; before, it is retried after the backoff', () => {
    const now = new Date('2026-06-15T08:00:00.000Z');
    assert.deepEqual(afterFailure({ responseCode: 451, message: '' }, 2, 6, now), { status: 'retry', nextAttemptAt: new Date('2026-06-15T08:05:00.000Z') });
    assert.deepEqual(afterFailure({ responseCode: 451, message: '' }, 6, 6, now), { status: 'failed' });
    assert.deepEqual(afterFailure({ responseCode: 550, message: '' }, 1, 6, now), { status: 'failed' });
  });

  test('Message-ID <outbox-{id}@{sender domain}>', () => {
    assert.equal(messageId(17, 'ERP@Mif.Example.MA'), '<outbox-17@mif.example.ma>');
  });
});
