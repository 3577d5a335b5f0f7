// The rules for an uploaded evidence file: an allowed type, a size limit, and a safe name.
import path from 'node:path';
import { failure, success, type Result } from './result.ts';

export const DEFAULT_MAX_EVIDENCE_BYTES = 25 * 1024 * 1024;

const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.ppt': 'application/vnd.ms-powerpoint',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.ods': 'application/vnd.oasis.opendocument.spreadsheet',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.html': 'text/html',
};

export const ALLOWED_EXTENSIONS = Object.keys(MEDIA_TYPES);

/**
 * A name safe to store and to offer for download: no folders, no control characters, no leading dots,
 * at most 120 characters, and an extension we accept.
 */
export function checkEvidenceFile(
  name: string,
  size: number,
  maxBytes: number = DEFAULT_MAX_EVIDENCE_BYTES,
): Result<{ fileName: string; mediaType: string }> {
  const base = path.basename(name.replaceAll('\\', '/'));
  // Control characters and the characters Windows forbids are dropped from stored names.
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u001f\u007f"<>|:*?]/g;
  let safe = base.replace(unsafe, '').replace(/^\.+/, '').trim();
  const ext = path.extname(safe).toLowerCase();
  const mediaType = MEDIA_TYPES[ext];
  if (!mediaType)
    return failure(
      'bad-input',
      `"${base}" is not a type of file we accept; expected one of ${ALLOWED_EXTENSIONS.join(' ')}`,
      name,
    );
  if (size === 0) return failure('bad-input', `"${base}" is empty`, name);
  if (size > maxBytes)
    return failure(
      'bad-input',
      `"${base}" is ${size} bytes; the limit is ${maxBytes} bytes (${Math.round(maxBytes / 1048576)} MB)`,
      name,
    );
  if (safe.length > 120) safe = `${safe.slice(0, 120 - ext.length)}${ext}`;
  if (safe === ext) safe = `evidence${ext}`;
  return success({ fileName: safe, mediaType });
}
