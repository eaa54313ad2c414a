/** The one way the browser code changes anything: JSON to /api/..., with the session cookie. */

export interface ApiErrorBody {
  error?: string;
  message?: string;
  details?: { findings?: Array<{ severity: string; rule: string; message: string; line?: number; text?: string }>; [k: string]: unknown } | unknown;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody = {},
    /** A 401 that means the session is over (not a wrong password at sign-in). */
    readonly sessionEnded = false,
  ) {
    super(body.message || `The request failed (${status}).`);
  }
}

export interface CallOptions {
  /** The call signs in: its 401 is a wrong email or password, never an ended session. */
  signIn?: boolean;
}

let leaving = false;
export const isLeaving = () => leaving;

export function navigate(url: string): void {
  leaving = true;
  location.assign(url);
}

export async function api<T = unknown>(method: string, url: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiFailure(0, { message: 'The server could not be reached. Check your connection and try again.' });
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiFailure(res.status, (data ?? {}) as ApiErrorBody, res.status === 401 && !opts.signIn);
  return data as T;
}

/** A refusal decided in the browser (a form not filled in right), shown like the API's. */
export const userError = (message: string) => new ApiFailure(400, { message });
