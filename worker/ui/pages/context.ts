/** What every page handler gets: the signed-in user, the server clock and an API reader. */
import type { Context } from 'hono';
import type { AppEnv } from '../../context';
import type { PageUser } from '../types';

export interface PageContext {
  c: Context<AppEnv>;
  user: PageUser;
  now: number;
  /** GET from the JSON API as this user (throws PageError on 4xx/5xx). */
  get<T = unknown>(path: string): Promise<T>;
}
