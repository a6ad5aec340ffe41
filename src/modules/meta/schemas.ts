/** Answers of the root-only routes. */
import { Type } from '@sinclair/typebox';

export const RootSchema = Type.Object({ message: Type.String(), version: Type.String(), docs: Type.String() });

/** The OpenAPI document, served as generated. */
export const OpenApiDocumentSchema = Type.Object({}, { additionalProperties: true });
