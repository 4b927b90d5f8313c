// The demo shop: AppsFlyer-style events through the script-tag SDK, the SDK's queue as it grows
// and drains, and the live counts at each stage of the pipeline.
const $ = (id) => document.getElementById(id);
const PRODUCTS = [
  { id: 'sku-tee', name: 'Eventline tee', price: 19.99 },
  { id: 'sku-mug', name: 'Stream mug', price: 9.5 },
  { id: 'sku-cap', name: 'Shard cap', price: 24 },
  { id: 'sku-bag', name: 'Lake tote', price: 49 },
];
const SETTLED_DROPS = ['rejected', 'http', 'too_large', 'queue_full', 'expired'];
const counts = { tracked: 0, accepted: 0, dropped: 0 };
let cart = [];

function showCounts() {
  const queued = Math.max(0, counts.tracked - counts.accepted - counts.dropped);
  $('tracked').textContent = counts.tracked;
  $('accepted').textContent = counts.accepted;
  $('dropped').textContent = counts.dropped;
  $('queued').textContent = queued;
  document.querySelector('[data-stage="tracked"]').textContent = counts.tracked;
  document.querySelector('[data-stage="queued"]').textContent = queued;
}

eventline.init({
  writeKey: EVENTLINE_DEMO.writeKey,
  endpoint: EVENTLINE_DEMO.endpoint,
  flushAt: 1,
  flushIntervalMs: 1000,
  // A destination plugin sees every event that enters the queue: that is "tracked".
  plugins: [{ name: 'demo-counter', type: 'destination', execute: () => { counts.tracked += 1; showCounts(); } }],
});
eventline.on('sent', (n) => { counts.accepted += n.accepted; showCounts(); });
eventline.on('drop', (n) => {
  if (SETTLED_DROPS.includes(n.reason)) counts.dropped += n.events.length;
  console.warn('eventline drop', n.reason, n.message);
  showCounts();
});
window.addEventListener('load', () => eventline.getDeviceId().then((id) => { $('device').textContent = id; }));

function renderProducts() {
  $('products').innerHTML = PRODUCTS.map(
    (p) => `<div class="product" data-sku="${p.id}"><b>${p.name}</b><span>${p.price.toFixed(2)}</span>
      <button type="button" data-view="${p.id}" class="secondary">View</button>
      <button type="button" data-add="${p.id}">Add to cart</button></div>`,
  ).join('');
}

function renderCart() {
  const total = cart.reduce((sum, p) => sum + p.price, 0);
  $('cart').innerHTML = cart.length ? cart.map((p) => `<li>${p.name} <span class="muted">${p.price.toFixed(2)}</span></li>`).join('') : '<li class="muted">empty</li>';
  $('total').textContent = total.toFixed(2);
  $('buy').disabled = cart.length === 0;
}

$('products').addEventListener('click', (e) => {
  const sku = e.target.dataset.view || e.target.dataset.add;
  const product = PRODUCTS.find((p) => p.id === sku);
  if (!product) return;
  if (e.target.dataset.view) {
    eventline.track('af_content_view', { af_content_id: product.id, af_content_type: 'product', af_price: product.price });
  } else {
    cart.push(product);
    eventline.track('af_add_to_cart', { af_content_id: product.id, af_price: product.price, af_quantity: 1, af_currency: $('currency').value });
    renderCart();
  }
});

$('buy').addEventListener('click', () => {
  const revenue = Math.round(cart.reduce((sum, p) => sum + p.price, 0) * 100) / 100;
  const orderId = `order-${Date.now().toString(36)}`;
  eventline.track('af_purchase', {
    af_revenue: revenue,
    af_currency: $('currency').value,
    af_quantity: cart.length,
    af_content_id: cart.map((p) => p.id).join(','),
    af_order_id: orderId,
  });
  $('order').textContent = `Thank you! ${orderId}: ${revenue.toFixed(2)} ${$('currency').value}`;
  cart = [];
  renderCart();
});

$('signin').addEventListener('submit', (e) => {
  e.preventDefault();
  const action = e.submitter ? e.submitter.dataset.action : 'login';
  const userId = `user-${$('user').value.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  eventline.identify(userId, { name: $('user').value.trim() });
  eventline.track(action === 'register' ? 'af_complete_registration' : 'af_login', action === 'register' ? { af_registration_method: 'demo' } : {});
  $('who').textContent = `signed in as ${userId}`;
});

$('offline').addEventListener('change', (e) => {
  window.demoNetwork.set(e.target.checked);
  document.body.classList.toggle('is-offline', e.target.checked);
});

async function refreshPipeline() {
  try {
    const res = await fetch('/api/pipeline');
    const s = await res.json();
    const set = (stage, value) => { document.querySelector(`[data-stage="${stage}"]`).textContent = value ?? '–'; };
    set('accepted', s.ingest.accepted);
    set('written', s.ingest.records_written);
    set('rejected', s.ingest.rejected);
    set('refused', s.ingest.refused_requests);
    set('retry', s.ingest.retry);
    const codes = Object.entries(s.ingest.refused_by_code || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
    $('refused-codes').textContent = codes || 'whole requests, never written';
    if (s.processor) {
      set('delivered', s.processor.rows_delivered);
      set('duplicates', s.processor.duplicates);
      set('expired', s.processor.pending_ranges_expired);
      const { up, max_behind_latest_seconds: lag, errors } = s.processor;
      // The lag stands still while reads or flushes fail: the error count says so next to it.
      $('processor-lag').textContent = up
        ? `lag ${lag === null ? '–' : `${lag.toFixed(1)} s`} behind Kinesis, ${errors ?? '–'} ${errors === 1 ? 'error' : 'errors'}`
        : 'processor is not answering';
    }
    // The records earlier runs left unread, which the processor got through before this run's ingest
    // started: kept out of the line (its counts less these), and said next to it.
    const backlogNote = (b) => {
      if (!b) return '';
      if (b.baseline) {
        const { delivered, duplicates, bad_rows: bad } = b.baseline;
        return b.records > 0 ? `. Not in this line: ${b.records} records earlier runs left unread, which the processor read at start (${delivered} delivered, ${duplicates} duplicates, ${bad} bad rows)` : '';
      }
      return `. Earlier runs' unread records are in this line: ${b.problem}`;
    };
    // Every record written to Kinesis is accounted for at the processor; held and not read fall to 0 once it
    // caught up. Not read also keeps the records the stream's retention trimmed unread: nothing counts those.
    const a = s.accounting;
    $('accounting').textContent = a
      ? `written ${a.written} = delivered ${a.delivered} + duplicates ${a.duplicates} + bad rows ${a.bad_rows} + held by the processor ${a.held} + not read ${a.not_read}` +
        (a.not_read > 0 ? ' (still in Kinesis, or trimmed by its retention before the processor read them: Kinesis drops those uncounted)' : '') +
        // The ingest counts from its own start; the processor resumes from its checkpoint and also reads
        // what an earlier run wrote and never read, so its side can exceed this run's writes.
        (a.not_read < 0 ? ` (below 0: the processor also read ${-a.not_read} or more records an earlier run wrote and left unread; a loss in this run can hide under that backlog)` : '') +
        backlogNote(s.backlog)
      : 'written = delivered + duplicates + bad rows + held by the processor + not read (waiting for both counts)';
    set('lake', s.lake.events);
    set('bad', s.lake.bad_rows);
    if (s.postgres) {
      $('pg-stage').hidden = false;
      set('postgres', s.postgres.events);
      $('pg-note').textContent = s.postgres.error ? s.postgres.error : 'events table';
    }
    $('bad-reasons').textContent = Object.entries(s.lake.bad_rows_by_reason).map(([k, v]) => `${k}: ${v}`).join(', ');
    $('pipeline-note').textContent = s.ingest.up ? (s.ingest.circuit_open ? 'ingest: Kinesis circuit open, answering 503' : '') : 'ingest is not answering';
  } catch (error) {
    $('pipeline-note').textContent = `pipeline status unavailable: ${error.message}`;
  } finally {
    setTimeout(refreshPipeline, 1000);
  }
}

renderProducts();
renderCart();
showCounts();
refreshPipeline();
