/** Alert payloads for each sink type: generic JSON webhook, Slack incoming webhook, Microsoft Teams workflow. */

/** One alert: an anomaly episode or a crossed budget threshold. */
export interface AlertEvent {
  /** Dedup key: one alert per anomaly episode or crossed threshold. */
  readonly key: string;
  readonly kind: 'anomaly' | 'budget' | 'test';
  readonly title: string;
  readonly text: string;
  /** Short label/value facts shown in chat cards. */
  readonly facts: readonly (readonly [string, string])[];
  /** Changes when the alert's content changes enough to send an update. */
  readonly fingerprint: string;
  /** Impact in USD, for sink thresholds. */
  readonly impactUsd: number;
  /** Teams the alert concerns: routed to their sinks when any are configured. */
  readonly teams?: readonly string[];
  /** The full anomaly or budget status, for machines. */
  readonly data: unknown;
  /** Set when this alert updates one already sent. */
  readonly update?: boolean;
}

/** Sink kinds. */
export type SinkType = 'webhook' | 'slack' | 'teams';

/** The JSON body to POST for a sink type. */
export function alertBody(type: SinkType, a: AlertEvent): unknown {
  const title = a.update ? `[update] ${a.title}` : a.title;
  switch (type) {
    case 'webhook':
      return {
        source: 'tally',
        key: a.key,
        kind: a.kind,
        update: a.update === true,
        title,
        text: a.text,
        data: a.data,
      };
    case 'slack':
      // Slack incoming webhooks: `text` is the notification fallback; blocks carry the layout.
      return {
        text: `${title}: ${a.text}`,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
          { type: 'section', text: { type: 'mrkdwn', text: a.text } },
          ...(a.facts.length
            ? [
                {
                  type: 'section',
                  fields: a.facts.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${v}` })),
                },
              ]
            : []),
        ],
      };
    case 'teams':
      // Teams workflow webhooks take a message with an Adaptive Card attachment.
      return {
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: title, wrap: true },
                { type: 'TextBlock', text: a.text, wrap: true },
                { type: 'FactSet', facts: a.facts.map(([k, v]) => ({ title: k, value: v })) },
              ],
            },
          },
        ],
      };
  }
}
