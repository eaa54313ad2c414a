/** The browser code's entry: bundled by scripts/build-ui.mjs into the one script every page loads. */
import { wireUserDialog } from './accounts';
import './backup';
import './install-backup';
import './lan-settings';
import { wireEvents } from './events';
import { startBatchView, wireFleetForm } from './fleet';
import { wireDialogs } from './handlers';
import { startLiveUpdates } from './live';
import { wirePublishForm } from './publish';
import { startTaskViews } from './task-view';

wireEvents();
wireDialogs();
wireUserDialog();
wirePublishForm();
wireFleetForm();
startTaskViews();
startBatchView();
startLiveUpdates();
