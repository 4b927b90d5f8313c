import type { Issue } from '@eventline/schemas';

/** Every rejection names a code, says why in words, and where it can, the field path. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[] };
  request_id?: string;
}

export function errorBody(code: string, message: string, issues?: Issue[], requestId?: string): ErrorBody {
  return { error: { code, message, ...(issues ? { issues } : {}) }, ...(requestId ? { request_id: requestId } : {}) };
}
