/** The client script and stylesheet, assembled once at module load, with content-hashed URLs. */
import { STEP_LABELS } from '../format';
import { TONES } from '../tones';
import { CLIENT_CORE } from './client-core';
import { CLIENT_FLEET } from './client-fleet';
import { CLIENT_HANDLERS } from './client-handlers';
import { CLIENT_LIVE } from './client-live';
import { CLIENT_TASK } from './client-task';
import { APP_CSS } from './styles';
import { contentHash } from './version';

export const APP_JS = [
  '(function () {',
  "'use strict';",
  `var STEP_LABELS = ${JSON.stringify(STEP_LABELS)};`,
  `var TONES = ${JSON.stringify(TONES)};`,
  CLIENT_CORE,
  CLIENT_HANDLERS,
  CLIENT_TASK,
  CLIENT_LIVE,
  CLIENT_FLEET,
  'wireUninstallDialog();',
  'wireRevokeDialog();',
  'wirePublishForm();',
  'wireFleetForm();',
  'startTaskViews();',
  'startBatchView();',
  'startLiveUpdates();',
  '})();',
].join('\n');

export { APP_CSS };
export const APP_JS_URL = `/ui/app.js?v=${contentHash(APP_JS)}`;
export const APP_CSS_URL = `/ui/app.css?v=${contentHash(APP_CSS)}`;
