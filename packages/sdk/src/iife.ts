import { flush, getDeviceId, init, on, track } from './index';
import { exposeGlobal } from './platform/browser/global-scope';

/** The <script> build: `window.eventline = { init, track, flush, getDeviceId, on }`. */
exposeGlobal('eventline', { init, track, flush, getDeviceId, on });
