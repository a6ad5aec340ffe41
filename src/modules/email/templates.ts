/**
 * The French e-mail templates of the notification types (docs/operations.md §7), pure: a
 * notification's variables in, subject and both bodies out. Each body is the greeting, the type's
 * lines, the link when APP_PUBLIC_URL is set, and the footer; the HTML part escapes every variable.
 */
import type { TypeNotification } from '../../db/schema.js';
import { escapeHtml, formatDateTime, MISSING, orMissing } from './format.js';

export interface EmailVariables {
  destinataire_nom: string;
  /** The intervention; null for a notification about a planning or a manual one without intervention. */
  id: number | null;
  titre: string | null;
  description: string | null;
  statut: string | null;
  priorite: string | null;
  date_limite: Date | null;
  date_cloture: Date | null;
  equipement_nom: string | null;
  equipement_localisation: string | null;
  technicien_nom: string | null;
  travaux_realises: string | null;
  contenu: string | null;
  planning_id: number | null;
}

export interface TemplateSettings {
  /** EMAIL_SUBJECT_PREFIX. */
  subjectPrefix: string;
  /** APP_TIMEZONE. */
  timeZone: string;
  /** APP_PUBLIC_URL without its trailing slash, or null. */
  publicUrl: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const EMAIL_FOOTER = '— ERP MIF Maroc (message automatique, merci de ne pas répondre)';
const SUBJECT_MAX = 255;

/** A body: an introduction (or the notification's content) and labelled lines. */
interface Body {
  intro: string;
  lines: [label: string, value: string][];
}

function equipement(v: EmailVariables): string {
  if (v.equipement_nom === null) return MISSING;
  return v.equipement_localisation ? `${v.equipement_nom} (${v.equipement_localisation})` : v.equipement_nom;
}

function subjectAndBody(type: TypeNotification, v: EmailVariables, timeZone: string): { subject: string; body: Body } {
  const titre = orMissing(v.titre);
  const numero = orMissing(v.id);
  const dateLimite = formatDateTime(v.date_limite, timeZone);
  // Without an intervention there is nothing to fill the intervention templates with (docs/operations.md §7).
  const kind = v.id === null ? 'information' : type;
  switch (kind) {
    case 'affectation':
      return {
        subject: `Nouvelle intervention assignée : ${titre}`,
        body: {
          intro: 'Une intervention vous a été assignée.',
          lines: [
            ['N°', numero],
            ['Titre', titre],
            ['Équipement', equipement(v)],
            ['Priorité', orMissing(v.priorite)],
            ['Date limite', dateLimite],
            ['Description', orMissing(v.description)],
          ],
        },
      };
    case 'cloture':
      return {
        subject: `Intervention clôturée : ${titre}`,
        body: {
          intro: 'Une intervention a été clôturée.',
          lines: [
            ['N°', numero],
            ['Titre', titre],
            ['Équipement', orMissing(v.equipement_nom)],
            ['Technicien', orMissing(v.technicien_nom)],
            ['Date de clôture', formatDateTime(v.date_cloture, timeZone)],
            ['Travaux réalisés', orMissing(v.travaux_realises)],
          ],
        },
      };
    case 'rappel':
      return {
        subject: `Rappel : ${titre}`,
        body: { intro: orMissing(v.contenu), lines: [['N°', numero], ['Équipement', orMissing(v.equipement_nom)], ['Date limite', dateLimite]] },
      };
    case 'retard':
      return {
        subject: `Intervention en retard : ${titre}`,
        body: {
          intro: 'Une intervention a dépassé sa date limite.',
          lines: [
            ['N°', numero],
            ['Titre', titre],
            ['Statut', orMissing(v.statut)],
            ['Date limite dépassée', dateLimite],
            ['Technicien', orMissing(v.technicien_nom)],
          ],
        },
      };
    case 'information':
      return { subject: `Information : ${v.titre?.trim() || 'Notification'}`, body: { intro: orMissing(v.contenu), lines: [] } };
  }
}

/** The e-mail of one notification to one recipient. */
export function renderEmail(type: TypeNotification, v: EmailVariables, settings: TemplateSettings): RenderedEmail {
  const { subject, body } = subjectAndBody(type, v, settings.timeZone);
  const link = settings.publicUrl !== null && v.id !== null ? `${settings.publicUrl}/interventions/${v.id}` : null;
  const greeting = `Bonjour ${v.destinataire_nom},`;

  const text = [greeting, '', body.intro, ...(body.lines.length > 0 ? ['', ...body.lines.map(([label, value]) => `${label} : ${value}`)] : [])];
  if (link) text.push('', `Voir l'intervention : ${link}`);
  text.push('', EMAIL_FOOTER);

  const e = escapeHtml;
  const html = [
    '<!DOCTYPE html>',
    '<html lang="fr"><head><meta charset="utf-8"></head><body>',
    `<p>${e(greeting)}</p>`,
    `<p>${e(body.intro).replace(/\n/g, '<br>')}</p>`,
  ];
  if (body.lines.length > 0) {
    html.push('<table>', ...body.lines.map(([label, value]) => `<tr><th align="left">${e(label)}</th><td>${e(value).replace(/\n/g, '<br>')}</td></tr>`), '</table>');
  }
  if (link) html.push(`<p><a href="${e(link)}">Voir l'intervention</a></p>`);
  html.push(`<p>${e(EMAIL_FOOTER)}</p>`, '</body></html>');

  return { subject: `${settings.subjectPrefix} ${subject}`.replace(/\s+/g, ' ').slice(0, SUBJECT_MAX), text: text.join('\n'), html: html.join('\n') };
}
