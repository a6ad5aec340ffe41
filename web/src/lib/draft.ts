/**
 * Form drafts of plain text fields (équipements, clients, contrats): every field is a string while
 * edited; the body sends null for an emptied field, and an edit sends only what changed.
 */
export type Draft<K extends string> = Record<K, string>;

/** The draft of a record: its values as strings ('' for null). */
export function draftFrom<K extends string>(keys: readonly K[], record: Partial<Record<K, unknown>> | undefined, defaults: Partial<Draft<K>> = {}): Draft<K> {
  const draft = {} as Draft<K>;
  for (const key of keys) {
    const value = record?.[key];
    draft[key] = value === null || value === undefined ? (defaults[key] ?? '') : String(value);
  }
  return draft;
}

/** The fields of `draft` that differ from `before` (all of them on a creation), '' sent as null. */
export function changedFields<K extends string>(draft: Draft<K>, before: Draft<K> | null): Partial<Record<K, string | null>> {
  const body: Partial<Record<K, string | null>> = {};
  for (const key of Object.keys(draft) as K[]) {
    if (before && before[key] === draft[key]) continue;
    const value = draft[key].trim();
    if (before || value) body[key] = value === '' ? null : value;
  }
  return body;
}

/** A numeric field of a body: a number, null when emptied, absent when unchanged. */
export function asNumber(value: string | null | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  return value === null ? null : Number(value.replace(',', '.'));
}
