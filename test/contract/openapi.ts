/**
 * The served OpenAPI document as a checker (docs/api.md §8): every operation, and Ajv validators of
 * its parameters, request body and responses. OpenAPI 3.0 schemas are JSON schemas with
 * `nullable` (Ajv knows it) and annotations (`example`, ignored: `strict: false`).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TestApp } from '../helpers/app.js';

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, the plugin is `.default`.
const addFormats = addFormatsModule.default;

export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The documented path, `{param}` templates included. */
  path: string;
  /** `METHOD path`, how operations are named in reports. */
  key: string;
  parameters: Parameter[];
  /** Content type → request body schema. */
  bodies: Record<string, JsonSchema>;
  bodyRequired: boolean;
  /** Documented statuses (as strings, like the document's keys). */
  statuses: string[];
  /** Whether the operation needs a bearer token (its `security`). */
  authenticated: boolean;
}

/** What the checks read of a response, from inject or from a real socket. */
export interface ResponseLike {
  statusCode: number;
  body: string;
  json(): unknown;
}

export interface Violation {
  key: string;
  problem: string;
}

interface Document {
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; parameters?: Parameter[]; requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> }; responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>>;
  components: { schemas?: Record<string, JsonSchema> };
}

const DOC_ID = 'openapi';

/** References to the components point into the document registered under DOC_ID. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === '$ref' && typeof item === 'string' && item.startsWith('#/') ? `${DOC_ID}${item}` : rebase(item)]),
  );
}

export class Contract {
  readonly operations: Operation[];
  private readonly ajv: Ajv;
  /** The server's own leniency (docs/api.md §1): strings coerced to numbers and booleans, unknown fields removed. */
  private readonly coercing: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: Document) {
    this.ajv = Contract.ajv(false);
    this.coercing = Contract.ajv(true);
    this.operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => {
        const bodies = Object.fromEntries(Object.entries(op.requestBody?.content ?? {}).map(([type, media]) => [type, rebase(media.schema) as JsonSchema]));
        return {
          method: method.toUpperCase() as Operation['method'],
          path,
          key: `${method.toUpperCase()} ${path}`,
          parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: rebase(p.schema) as JsonSchema })),
          bodies,
          bodyRequired: op.requestBody?.required === true,
          statuses: Object.keys(op.responses),
          authenticated: (op.security ?? []).some((requirement) => Object.hasOwn(requirement, 'bearer')),
        };
      }),
    );
  }

  private static ajv(coerce: boolean): Ajv {
    const ajv = new Ajv({ strict: false, allErrors: true, ...(coerce ? { coerceTypes: 'array' as const, removeAdditional: true } : {}) });
    addFormats(ajv);
    return ajv;
  }

  /** Loads the document the app serves. */
  static async load(t: TestApp): Promise<Contract> {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    if (response.statusCode !== 200) throw new Error(`openapi.json: ${response.statusCode}`);
    const contract = new Contract(response.json());
    for (const ajv of [contract.ajv, contract.coercing]) ajv.addSchema({ $id: DOC_ID, components: contract.document.components });
    return contract;
  }

  operation(key: string): Operation {
    const found = this.operations.find((op) => op.key === key);
    if (!found) throw new Error(`no operation ${key} in the document`);
    return found;
  }

  private validator(cacheKey: string, schema: JsonSchema, coerce = false): ValidateFunction {
    const key = `${coerce}:${cacheKey}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = (coerce ? this.coercing : this.ajv).compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private static problems(validate: ValidateFunction): string {
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  }

  /** The response schema the document gives for this status, if it has content. */
  private responseSchema(op: Operation, status: number): JsonSchema | undefined {
    const response = this.document.paths[op.path]![op.method.toLowerCase()]!.responses[String(status)];
    const schema = response?.content?.['application/json']?.schema;
    return schema === undefined ? undefined : (rebase(schema) as JsonSchema);
  }

  /** The response's status is documented and its body matches the documented schema. */
  checkResponse(op: Operation, response: ResponseLike): Violation[] {
    const status = response.statusCode;
    if (!op.statuses.includes(String(status))) return [{ key: op.key, problem: `status ${status} not documented (${op.statuses.join(', ')}): ${response.body.slice(0, 300)}` }];
    const schema = this.responseSchema(op, status);
    if (!schema || status === 204) return [];
    let body: unknown;
    try {
      body = response.json();
    } catch {
      return [{ key: op.key, problem: `status ${status}: not JSON: ${response.body.slice(0, 200)}` }];
    }
    const validate = this.validator(`${op.key} ${status}`, schema);
    return validate(body) ? [] : [{ key: op.key, problem: `status ${status}: response does not match the document: ${Contract.problems(validate)}` }];
  }

  /**
   * An accepted request satisfies the documented request schema (with the documented coercion of
   * strings to numbers and booleans): required parameters and fields, types, enums, bounds.
   */
  checkAcceptedRequest(op: Operation, request: { params: Record<string, string>; query: Record<string, string | string[]>; contentType?: string; body?: unknown }): Violation[] {
    const violations: Violation[] = [];
    for (const parameter of op.parameters) {
      const source = parameter.in === 'path' ? request.params : parameter.in === 'query' ? request.query : {};
      const value = (source as Record<string, unknown>)[parameter.name];
      if (value === undefined) {
        if (parameter.required) violations.push({ key: op.key, problem: `accepted without the required ${parameter.in} parameter ${parameter.name}` });
        continue;
      }
      const validate = this.validator(`${op.key} ${parameter.in} ${parameter.name}`, parameter.schema, true);
      const holder = { value: typeof value === 'string' && parameter.schema.type === 'array' ? value.split(',') : value };
      if (!validate(holder.value)) violations.push({ key: op.key, problem: `accepted ${parameter.in} ${parameter.name}=${JSON.stringify(value)} outside the document: ${Contract.problems(validate)}` });
    }
    const mediaType = request.contentType?.split(';')[0]?.trim();
    const schema = mediaType ? op.bodies[mediaType] : undefined;
    if (schema && request.body !== undefined) {
      const validate = this.validator(`${op.key} body ${mediaType}`, schema, true);
      if (!validate(withAliases(schema, structuredClone(request.body)))) violations.push({ key: op.key, problem: `accepted body ${JSON.stringify(request.body).slice(0, 200)} outside the document: ${Contract.problems(validate)}` });
    } else if (op.bodyRequired && request.body === undefined) {
      violations.push({ key: op.key, problem: 'accepted without its required body' });
    }
    return violations;
  }
}

/** A documented path with its parameters filled in (URI-encoded). */
/**
 * A body with each documented alias (a property described "Alias de `field`") copied to its field
 * when the field is absent, as the server does (src/http/aliases.ts).
 */
function withAliases(schema: JsonSchema, body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const fields = body as Record<string, unknown>;
  for (const [alias, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    const field = /^Alias de `(\w+)`/.exec(String(property.description ?? ''))?.[1];
    if (field && fields[field] === undefined && fields[alias] !== undefined) fields[field] = fields[alias];
  }
  return body;
}

/** Fails listing the violations (the first 40). */
export function assertNoViolations(violations: Violation[]): void {
  if (violations.length === 0) return;
  const lines = violations.slice(0, 40).map((v) => `- ${v.key}: ${v.problem}`);
  throw new Error(`${violations.length} violation(s) of the OpenAPI document:\n${lines.join('\n')}`);
}

export function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!Object.hasOwn(params, name)) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(String(params[name]));
  });
}
