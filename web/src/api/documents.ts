/**
 * The documents of an intervention (docs/api.md §4.8): the list, the upload with its progress, the
 * deletion. Each entry's `path` is a signed link (DOWNLOAD_URL_TTL_SECONDS, 300 s), usable without a
 * bearer header in `<img>` and `<a download>`; the list is refetched before the links expire.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { currentAccessToken, errorMessage, refreshSession } from '../auth/session';
import { api, ApiError, unwrap, unwrapPage } from './client';
import type { DocumentOut } from './types';

/** Well under the links' 300 s, so a preview or a download never uses an expired link. */
const LINK_REFRESH_MS = 4 * 60_000;

export function useDocuments(interventionId: number) {
  return useQuery({
    queryKey: ['intervention', interventionId, 'documents'],
    queryFn: () => unwrapPage(api.GET('/api/v1/documents/', { params: { query: { intervention_id: interventionId, limit: 200 } } })),
    refetchInterval: LINK_REFRESH_MS,
    staleTime: LINK_REFRESH_MS / 2,
  });
}

/**
 * The messages of a refused upload when the answer is not the API's envelope (a proxy's own 413
 * page): the API's French wording (src/modules/documents/policy.ts).
 */
const FALLBACK_MESSAGES: Record<number, string> = {
  413: 'Fichier trop volumineux',
  415: 'Type de fichier non autorisé',
  507: 'Espace de stockage insuffisant : le document n’a pas été enregistré',
};

function send(interventionId: number, file: File, onProgress: (fraction: number) => void): Promise<{ status: number; body: string }> {
  // XMLHttpRequest, not fetch: only it reports the upload's progress.
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/api/v1/documents/?intervention_id=${interventionId}`);
    const token = currentAccessToken();
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => resolve({ status: request.status, body: request.responseText });
    request.onerror = () => reject(new ApiError('Le serveur est injoignable : le document n’a pas été envoyé.', 0));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}

/** One upload; on a 401 the session is refreshed once and the file sent again. */
export async function uploadDocument(interventionId: number, file: File, onProgress: (fraction: number) => void): Promise<DocumentOut> {
  let answer = await send(interventionId, file, onProgress);
  if (answer.status === 401 && (await refreshSession())) answer = await send(interventionId, file, onProgress);
  if (answer.status === 201) return JSON.parse(answer.body) as DocumentOut;
  const response = new Response(answer.body, { status: answer.status, headers: { 'Content-Type': 'application/json' } });
  let message = await errorMessage(response);
  if (message.startsWith('Le serveur ne répond pas') && FALLBACK_MESSAGES[answer.status]) message = FALLBACK_MESSAGES[answer.status]!;
  throw new ApiError(message, answer.status);
}

export function useDeleteDocument(interventionId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (documentId: number) => unwrap(api.DELETE('/api/v1/documents/{document_id}', { params: { path: { document_id: documentId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['intervention', interventionId, 'documents'] }),
  });
}

/** The file behind a signed link, for a PDF preview in a `blob:` frame (docs/architecture.md "Web application"). */
export async function fetchDocumentBlob(document: DocumentOut): Promise<Blob> {
  const response = await fetch(document.path, { credentials: 'omit' });
  if (!response.ok) throw new ApiError(await errorMessage(response), response.status);
  return new Blob([await response.blob()], { type: document.mime });
}
