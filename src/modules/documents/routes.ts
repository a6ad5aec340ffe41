/**
 * Documents (docs/api.md §4.8). Upload is multipart, read as a stream (this plugin has its own
 * multipart parser, with the file limits of docs/security.md §8). `GET /documents/{id}` takes an
 * intervention id (legacy) while the download and DELETE take a document id. The download accepts
 * a bearer token when one is sent, else the signed query of the `path` of a DocumentOut.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyRequest } from 'fastify';
import { sendPage, splitCommaLists } from '../../http/lists.js';
import { AppError } from '../../lib/errors.js';
import { withErrors } from '../../lib/schemas.js';
import { requestOrigin } from '../../plugins/auth.js';
import { dispositionFor, downloadCsp } from './download-headers.js';
import { contentDisposition, DOCUMENT_MESSAGES, tooLargeMessage } from './policy.js';
import {
  DetailResponseSchema,
  DocumentIdParamsSchema,
  DocumentListQuerySchema,
  DocumentOutSchema,
  DownloadQuerySchema,
  InterventionIdParamsSchema,
  UploadBodySchema,
  UploadQuerySchema,
} from './schemas.js';
import type { UploadPart } from './service.js';

/** The multipart parts as the service reads them; a malformed form is a 400, a part overflow a 413. */
async function* uploadParts(request: FastifyRequest, maxMb: number): AsyncGenerator<UploadPart> {
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') yield { kind: 'field', name: part.fieldname, value: String(part.value) };
      else yield { kind: 'file', name: part.fieldname, filename: part.filename ?? '', stream: part.file };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as FastifyError).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(413, tooLargeMessage(maxMb));
    if ((error as FastifyError).statusCode === 413) throw new AppError(413);
    throw AppError.badRequest('Formulaire multipart invalide');
  }
}

const documentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['documents'];
  const { documents, authenticator } = app.services;
  const maxMb = app.config.files.uploadMaxMb;
  const csp = downloadCsp(app.config.corsAllowOrigins);
  await app.register(multipart, {
    // One byte past the cap reaches the upload gate, which answers 413; a second file part is a 422.
    limits: { fileSize: maxMb * 1024 * 1024 + 1, files: 3, fields: 10, fieldSize: 4096, parts: 13 },
  });
  const DocumentList = Type.Array(DocumentOutSchema);

  const uploadRoute = {
    onRequest: app.authorize('responsable', 'technicien'),
    // The parts are streamed by the handler; validation sees an empty form.
    preValidation: async (request: FastifyRequest) => {
      if (request.isMultipart()) request.body = {};
    },
    schema: {
      tags,
      summary: 'Envoyer un document (multipart, partie `file`), chiffré au repos',
      consumes: ['multipart/form-data'],
      querystring: UploadQuerySchema,
      body: UploadBodySchema,
      response: withErrors({ 201: DocumentOutSchema }, 400, 404, 409, 507),
    },
  };
  for (const url of ['/documents/', '/documents/upload']) {
    app.post(url, uploadRoute, async (request, reply) => {
      if (!request.isMultipart()) {
        // No body at all is a missing file; a body of another type is a 415.
        if (request.headers['content-type'] === undefined) throw AppError.validation([{ loc: ['body', 'file'], msg: DOCUMENT_MESSAGES.fileMissing, type: 'missing' }], DOCUMENT_MESSAGES.fileMissing);
        throw new AppError(415, DOCUMENT_MESSAGES.notMultipart);
      }
      const document = await documents.upload(request.actor!, request.query.intervention_id, uploadParts(request, maxMb));
      return reply.code(201).send(document);
    });
  }

  app.get(
    '/documents/',
    {
      onRequest: app.authorize(),
      preValidation: splitCommaLists('mime'),
      schema: { tags, summary: 'Lister les documents (selon le périmètre)', querystring: DocumentListQuerySchema, response: withErrors({ 200: DocumentList }) },
    },
    async (request, reply) => {
      const { query } = request;
      return sendPage(reply, await documents.list(request.actor!, { interventionId: query.intervention_id, mimes: query.mime }, query));
    },
  );

  app.get(
    '/documents/:intervention_id',
    {
      onRequest: app.authorize(),
      schema: { tags, summary: "Documents d'une intervention (identifiant d'intervention)", params: InterventionIdParamsSchema, response: withErrors({ 200: DocumentList }) },
    },
    async (request, reply) => sendPage(reply, await documents.listOfIntervention(request.actor!, request.params.intervention_id)),
  );

  app.get(
    '/documents/:document_id/download',
    {
      schema: {
        tags,
        summary: 'Télécharger un document déchiffré (bearer, ou lien signé uid/exp/sig)',
        params: DocumentIdParamsSchema,
        querystring: DownloadQuerySchema,
        security: [{ bearer: [] }, {}],
        // The file itself, not JSON; the media type is the stored one.
        response: withErrors({ 200: Type.Unsafe({ description: 'Le contenu du fichier déchiffré', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }) }, 401, 404),
      },
    },
    async (request, reply) => {
      const { document_id: id } = request.params;
      const header = request.headers.authorization;
      const actor = header === undefined ? await documents.signedLinkActor(id, request.query, requestOrigin(request)) : await authenticator.authenticate(header, requestOrigin(request));
      const download = await documents.download(actor, id);
      // A failure after the headers: Fastify destroys the response, the client sees a short body.
      download.stream.once('error', (error) => void download.failed(error));
      reply
        .header('Content-Type', download.mime)
        .header('Content-Length', String(download.size))
        .header('Content-Disposition', contentDisposition(download.filename, dispositionFor(request.headers['sec-fetch-dest'])))
        .header('Content-Security-Policy', csp)
        .header('Cross-Origin-Resource-Policy', 'cross-origin')
        .header('Vary', [reply.getHeader('Vary'), 'Sec-Fetch-Dest'].filter(Boolean).join(', '));
      return reply.send(download.stream);
    },
  );

  app.delete(
    '/documents/:document_id',
    {
      onRequest: app.authorize('responsable', 'technicien'),
      schema: { tags, summary: 'Supprimer un document (enregistrement et fichier)', params: DocumentIdParamsSchema, response: withErrors({ 200: DetailResponseSchema }, 404) },
    },
    async (request) => {
      await documents.delete(request.actor!, request.params.document_id);
      return { detail: DOCUMENT_MESSAGES.deleted };
    },
  );
};

export default documentsRoutes;
