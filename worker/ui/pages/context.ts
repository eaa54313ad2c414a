/** What every page handler gets: the signed-in user, the server clock and an API reader. */
import type { Context } from 'hono';
import type { AppEnv } from '../../context';
import type { ApiClient } from '../api';
import type { PageUser } from '../types';

export interface PageContext {
  c: Context<AppEnv>;
  user: PageUser;
  now: number;
  /** The JSON API as this user (typed from its OpenAPI document); `must(p.api.GET(...))` throws PageError on 4xx/5xx. */
  api: ApiClient;
}
