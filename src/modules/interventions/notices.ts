/**
 * The wording of the notifications the intervention use cases send (docs/api.md §4.5, §4.7). Pure:
 * the use cases decide who is notified, these functions only say what.
 */
import type { NewNotification } from '../notifications/repository.js';

interface Subject {
  /** The intervention's id and title. */
  id: number;
  titre: string;
}

function label(intervention: Subject): string {
  return `Intervention n°${intervention.id} « ${intervention.titre} »`;
}

function notice(intervention: Subject, type: NewNotification['type'], contenu: string, userId: number, now: Date): NewNotification {
  return { type, canal: 'email', contenu, userId, interventionId: intervention.id, dateEnvoi: now };
}

/** To the technician just assigned. */
export function affectationNotice(intervention: Subject, userId: number, now: Date): NewNotification {
  return notice(intervention, 'affectation', `${label(intervention)} vous a été affectée`, userId, now);
}

/** To a responsable, for a client's request; `entreprise` is the client's name ('' when unknown). */
export function clientRequestNotice(intervention: Subject, entreprise: string, userId: number, now: Date): NewNotification {
  return notice(intervention, 'information', `Nouvelle demande d'intervention n°${intervention.id} « ${intervention.titre} » (${entreprise})`, userId, now);
}

/** To each recipient of a closure. */
export function closureNotice(intervention: Subject, userId: number, now: Date): NewNotification {
  return notice(intervention, 'cloture', `${label(intervention)} clôturée`, userId, now);
}

/** To the assigned technician of a cancelled intervention, with the cancellation remark. */
export function cancellationNotice(intervention: Subject, remarque: string | null, userId: number, now: Date): NewNotification {
  return notice(intervention, 'information', `${label(intervention)} annulée : ${remarque ?? ''}`, userId, now);
}
