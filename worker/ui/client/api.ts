/**
 * The one way the browser code talks to the server: JSON to /api/..., with the session cookie,
 * through a client typed from the API's OpenAPI document (each path, its parameters, its body and
 * its answer are checked by the compiler against what the routes declare).
 */
import createClient from 'openapi-fetch';
import type { paths } from '../api-types.generated';
import type { ApiErrorBody } from '../types';

export const client = createClient<paths, 'application/json'>({ headers: { accept: 'application/json' }, credentials: 'same-origin' });

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<ApiErrorBody> = {},
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

/** The answer of a call such as `call(client.POST('/api/hdas', { body }))`; a refusal throws ApiFailure. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>, opts: CallOptions = {}): Promise<T> {
  let result: Awaited<typeof request>;
  try {
    result = await request;
  } catch {
    throw new ApiFailure(0, { message: 'The server could not be reached. Check your connection and try again.' });
  }
  const { data, error, response } = result;
  if (!response.ok) throw new ApiFailure(response.status, (error ?? {}) as Partial<ApiErrorBody>, response.status === 401 && !opts.signIn);
  if (data === undefined) throw new ApiFailure(response.status, { message: 'The server sent an empty answer.' });
  return data;
}

/** A refusal decided in the browser (a form not filled in right), shown like the API's. */
export const userError = (message: string) => new ApiFailure(400, { message });
