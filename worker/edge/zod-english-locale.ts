/**
 * Stands in for zod's table of every locale in the Workers bundle (wrangler.toml [alias]): the API
 * answers in English only, and the other locales were most of the bundle.
 */
export { default as en } from 'zod/v4/locales/en.js';
