// The demo's "offline" switch: while it is on, requests to the ingest fail as they would without a
// network (fetch rejects, sendBeacon refuses), so the SDK keeps its queue. Installed before the
// snippet; the SDK looks fetch up at each send. Turning it off fires `online`, as a browser would.
(function () {
  const ingest = window.EVENTLINE_DEMO.endpoint;
  const realFetch = window.fetch.bind(window);
  const realBeacon = navigator.sendBeacon ? navigator.sendBeacon.bind(navigator) : null;
  let offline = false;
  const toIngest = (url) => String(url instanceof Request ? url.url : url).startsWith(ingest);
  window.fetch = (input, init) =>
    offline && toIngest(input) ? Promise.reject(new TypeError('Failed to fetch (demo offline switch)')) : realFetch(input, init);
  if (realBeacon) navigator.sendBeacon = (url, data) => (offline && toIngest(url) ? false : realBeacon(url, data));
  window.demoNetwork = {
    get offline() {
      return offline;
    },
    set(value) {
      offline = Boolean(value);
      if (!offline) window.dispatchEvent(new Event('online'));
    },
  };
})();
