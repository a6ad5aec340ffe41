/**
 * The one error type of the API. The `code` of the envelope depends on the status only (docs/api.md §2).
 */
export const ERROR_CODES = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'RESOURCE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'TOO_MANY_REQUESTS',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
  507: 'INSUFFICIENT_STORAGE',
} as const;

export type ErrorStatus = keyof typeof ERROR_CODES;

export const GENERIC_MESSAGES: Partial<Record<ErrorStatus, string>> = {
  401: 'Non authentifié',
  404: 'Ressource introuvable',
  405: 'Méthode non autorisée',
  408: 'Délai de réception de la requête dépassé',
  413: 'Corps de requête trop volumineux',
  414: 'URL trop longue',
  415: 'Type de contenu non supporté',
  422: 'Erreur de validation des données',
  431: 'En-têtes de requête trop volumineux',
  500: 'Une erreur interne est survenue.',
  503: 'Service temporairement indisponible.',
  507: 'Espace de stockage insuffisant.',
};

/** One entry of a 422 `details` array. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: 'missing' | 'type' | 'enum' | 'format' | 'too_short' | 'too_long' | 'range' | 'json_invalid' | 'forbidden_key' | 'value';
}

export class AppError extends Error {
  readonly status: ErrorStatus;
  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(status: ErrorStatus, message?: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message ?? GENERIC_MESSAGES[status] ?? ERROR_CODES[status]);
    this.name = 'AppError';
    this.status = status;
    this.details = options.details ?? null;
    this.headers = options.headers ?? {};
  }

  get code(): string {
    return ERROR_CODES[this.status];
  }

  static notFound(message?: string): AppError {
    return new AppError(404, message);
  }

  static conflict(message: string, details?: unknown): AppError {
    return new AppError(409, message, { details });
  }

  static badRequest(message: string, details?: unknown): AppError {
    return new AppError(400, message, { details });
  }

  static validation(issues: ValidationIssue[], message?: string): AppError {
    return new AppError(422, message, { details: issues });
  }

  static unauthorized(message?: string): AppError {
    return new AppError(401, message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }

  static forbidden(message: string): AppError {
    return new AppError(403, message);
  }

  static unavailable(): AppError {
    return new AppError(503);
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details: unknown; trace_id: string };
}

export function envelope(error: AppError, traceId: string): ErrorEnvelope {
  return { error: { code: error.code, message: error.message, details: error.details, trace_id: traceId } };
}
