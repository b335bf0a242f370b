import type { FastifyRequest } from 'fastify';
import { DomainError, DomainErrorCode } from '../domain/errors.js';

/** The longest file name kept from a form: the same bound as the `fileName` query parameter. */
const MAX_FILE_NAME_CHARS = 255;

export interface FormFile {
  bytes: Buffer;
  fileName: string | null;
}

const invalidFile = (message: string, cause?: unknown) =>
  new DomainError(DomainErrorCode.invalidFile, message, undefined, cause === undefined ? undefined : { cause });

/**
 * The one file of a multipart/form-data form, sent as the field `file`. Every part is read, so a form that cannot be
 * read, a file under another name or a second file refuses the whole form (invalid_file) instead of being ignored.
 */
export async function readFormFile(request: FastifyRequest): Promise<FormFile> {
  let found: FormFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file') throw invalidFile('Send the CSV as the form field "file"');
      if (found) throw invalidFile('Send one file per request, as the form field "file"');
      found = {
        bytes: await part.toBuffer(),
        fileName: part.filename ? [...part.filename].slice(0, MAX_FILE_NAME_CHARS).join('') : null,
      };
    }
  } catch (error) {
    // The plugin's own refusals (a file over the limit, too many parts) have codes of their own in the error table.
    if (error instanceof DomainError || isPluginError(error)) throw error;
    // Anything else is the form parser's: a body that is not the multipart/form-data it claims to be.
    throw invalidFile(
      'The form cannot be read: send the CSV as text/csv, or as the field "file" of a well-formed multipart/form-data form',
      error,
    );
  }
  if (!found) throw invalidFile('Send the CSV as the form field "file"');
  return found;
}

function isPluginError(error: unknown): boolean {
  return typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('FST_');
}
