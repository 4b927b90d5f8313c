/**
 * The dashboard's questions, as DuckDB SQL over the lake's `events` and `bad_rows` views (the
 * processor flattens revenue, currency, the campaign and the first touch into columns of their own).
 * Each returns plain rows; the page draws them and prints the same numbers beside each chart.
 */
export const DASHBOARD_QUERIES = {
  totals: `
    SELECT count(*) AS events,
           count(DISTINCT anonymous_id) AS devices,
           count(DISTINCT session_id) AS sessions,
           count(*) FILTER (WHERE event = 'af_purchase') AS purchases
    FROM events`,
  eventsPerMinute: `
    SELECT strftime(date_trunc('minute', received_at), '%H:%M') AS minute, count(*) AS events
    FROM events
    WHERE received_at >= now() - INTERVAL 60 MINUTE
    GROUP BY date_trunc('minute', received_at)
    ORDER BY date_trunc('minute', received_at)`,
  // A page or screen view keeps its name in \`event\` too: counted as "(page)"/"(screen)", not as an event of that name.
  topEvents: `
    SELECT CASE WHEN type = 'track' THEN event ELSE '(' || type || ')' END AS event, count(*) AS events
    FROM events
    GROUP BY ALL
    ORDER BY events DESC, event
    LIMIT 10`,
  // Devices that viewed a product, then added to cart, then purchased, each step after the one before.
  funnel: `
    WITH viewed AS (
      SELECT anonymous_id, min(client_ts) AS at FROM events WHERE event = 'af_content_view' GROUP BY ALL
    ), added AS (
      SELECT e.anonymous_id, min(e.client_ts) AS at
      FROM events e JOIN viewed v ON e.anonymous_id = v.anonymous_id AND e.client_ts >= v.at
      WHERE e.event = 'af_add_to_cart' GROUP BY ALL
    ), purchased AS (
      SELECT e.anonymous_id
      FROM events e JOIN added a ON e.anonymous_id = a.anonymous_id AND e.client_ts >= a.at
      WHERE e.event = 'af_purchase' GROUP BY ALL
    )
    SELECT * FROM (VALUES
      (1, 'viewed a product', (SELECT count(*) FROM viewed)),
      (2, 'added to cart', (SELECT count(*) FROM added)),
      (3, 'purchased', (SELECT count(*) FROM purchased))
    ) AS f(step, label, devices)
    ORDER BY step`,
  revenueByCurrency: `
    SELECT coalesce(currency, '(no currency)') AS currency, round(sum(revenue), 2) AS revenue, count(*) AS purchases
    FROM events
    WHERE event = 'af_purchase'
    GROUP BY ALL
    ORDER BY revenue DESC`,
  activeByHour: `
    SELECT strftime(date_trunc('hour', received_at), '%m-%d %H:00') AS hour,
           count(DISTINCT anonymous_id) AS devices,
           count(DISTINCT session_id) AS sessions
    FROM events
    WHERE received_at >= now() - INTERVAL 24 HOUR
    GROUP BY date_trunc('hour', received_at)
    ORDER BY date_trunc('hour', received_at)`,
  attribution: `
    SELECT coalesce(campaign_source, '(direct)') AS source,
           coalesce(campaign_name, '(none)') AS campaign,
           count(DISTINCT anonymous_id) AS devices,
           count(*) AS events
    FROM events
    GROUP BY ALL
    ORDER BY devices DESC, events DESC
    LIMIT 10`,
  // Envelope v2's first_touch columns: the campaign each device first landed from, and how many of those devices bought.
  // One first touch per device (rows of anonymized calls carry none), so no device counts under two sources.
  firstTouch: `
    WITH devices AS (
      SELECT anonymous_id, max(first_touch_source) AS source, bool_or(event = 'af_purchase') AS bought
      FROM events
      GROUP BY anonymous_id
    )
    SELECT coalesce(source, '(direct)') AS source, count(*) AS devices, count(*) FILTER (WHERE bought) AS buyers
    FROM devices
    GROUP BY ALL
    ORDER BY devices DESC, source
    LIMIT 10`,
  badRowsByReason: `
    SELECT error_type AS reason, count(*) AS rows
    FROM bad_rows
    GROUP BY ALL
    ORDER BY rows DESC`,
} as const;

export type DashboardQuery = keyof typeof DASHBOARD_QUERIES;
