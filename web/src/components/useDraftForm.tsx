/**
 * The state of a form of text fields (équipements, clients, contrats; lib/draft.ts): the draft, a
 * setter, the API's 422 messages by field, and a TextInput bound to one field.
 */
import { TextInput, type TextInputProps } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { Draft } from '../lib/draft';

export function useDraftForm<K extends string>(initial: () => Draft<K>, error: unknown, onSubmit: () => void) {
  const [draft, setDraft] = useState(initial);
  const errors: Record<string, string> = error instanceof ApiError ? error.fieldErrors() : {};
  const set = (key: K, value: string | null, alsoClear: K[] = []) =>
    setDraft((current) => ({ ...current, [key]: value ?? '', ...Object.fromEntries(alsoClear.map((other) => [other, ''])) }));
  const text = (key: K, label: string, extra: Partial<TextInputProps> = {}) => (
    <TextInput label={label} value={draft[key]} onChange={(e) => set(key, e.currentTarget.value)} error={errors[key]} {...extra} />
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return { draft, set, errors, text, submit };
}
