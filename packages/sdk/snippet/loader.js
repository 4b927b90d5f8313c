/*
 * The script-tag loader, readable form. `scripts/build-snippet.mjs` minifies it into
 * dist/snippet.min.js (budget: 600 B gzip). Until the SDK file arrives, every call is queued as
 * [Date.now(), method, ...args] on eventline.q; the SDK replays the queue in order with those
 * timestamps. If the visitor leaves first, the data calls are kept in localStorage
 * ("eventline.stub") and the SDK sends them on the next page. SDK_URL is replaced at build time.
 */
(function (w, d, name, url) {
  var e = (w[name] = w[name] || { q: [] });
  if (!e.q) return; // the SDK is already here
  'init track identify page screen alias group setConsent optOut optIn anonymize reset flush on'.split(' ').forEach(function (m) {
    e[m] =
      e[m] ||
      function () {
        e.q.push([Date.now(), m].concat([].slice.call(arguments)));
      };
  });
  var k = 'eventline.stub';
  var saved; // what this page stored at its last pagehide
  w.addEventListener('pagehide', function () {
    try {
      if (e.q) localStorage.setItem(k, (saved = JSON.stringify(e.q)));
    } catch (x) {
      e.err = x; // storage blocked or full: the calls are lost with the page, as without this
    }
  });
  // Back from the back/forward cache with the SDK still not here: if the saved calls are still
  // stored, this page sends them (taken back); else the next page sent them, so only the calls that
  // make no event (init, on, flush) stay queued (replaying the rest would send them twice).
  w.addEventListener('pageshow', function (v) {
    try {
      if (v.persisted && e.q && saved) {
        if (localStorage.getItem(k) === saved) localStorage.removeItem(k);
        else
          e.q = e.q.filter(function (c) {
            return /^(init|on|flush)$/.test(c[1]);
          });
      }
    } catch (x) {
      e.err = x;
    }
  });
  var s = d.createElement('script');
  var src = url;
  try {
    // Under `require-trusted-types-for 'script'` a plain string in s.src throws: a policy named
    // eventline (allowed by CSP `trusted-types eventline`) that makes this one URL.
    src = w.trustedTypes.createPolicy(name, { createScriptURL: function () { return url; } }).createScriptURL(url);
  } catch (x) {
    // no Trusted Types here (the plain URL works), or the policy not allowed (as before: s.src throws)
  }
  s.async = true;
  s.src = src;
  d.head.appendChild(s);
})(window, document, 'eventline', 'SDK_URL');
