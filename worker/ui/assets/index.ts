/** The client script (bundled from worker/ui/client by scripts/build-ui.mjs) and stylesheet, with content-hashed URLs. */
import { APP_JS } from './app-js.generated';
import { APP_CSS as BASE_CSS } from './styles';
import { EXTRA_CSS } from './styles-extra';
import { contentHash } from './version';

const APP_CSS = BASE_CSS + EXTRA_CSS;

export { APP_CSS, APP_JS };
export const APP_JS_URL = `/ui/app.js?v=${contentHash(APP_JS)}`;
export const APP_CSS_URL = `/ui/app.css?v=${contentHash(APP_CSS)}`;
