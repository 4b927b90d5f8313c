import { Type } from '@sinclair/typebox';

const Str = (maxLength = 1024) => Type.String({ maxLength });

const INT32_MAX = 2 ** 31 - 1;

export const Campaign = Type.Object(
  {
    source: Type.Optional(Str(256)),
    medium: Type.Optional(Str(256)),
    name: Type.Optional(Str(256)),
    term: Type.Optional(Str(256)),
    content: Type.Optional(Str(256)),
    click_id: Type.Optional(Str(512)),
    click_id_type: Type.Optional(Str(32)),
  },
  { additionalProperties: false },
);

export const Consent = Type.Object(
  {
    analytics: Type.Optional(Type.Boolean()),
    ads: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

/** Where and on what the event happened. Open for extension: unknown keys are kept. */
export const Context = Type.Object(
  {
    library: Type.Object({ name: Str(64), version: Str(64) }, { additionalProperties: false }),
    page: Type.Optional(
      Type.Object(
        {
          url: Type.Optional(Str(4096)),
          path: Type.Optional(Str(2048)),
          referrer: Type.Optional(Str(4096)),
          title: Type.Optional(Str(1024)),
        },
        { additionalProperties: false },
      ),
    ),
    locale: Type.Optional(Str(35)),
    timezone: Type.Optional(Str(64)),
    screen: Type.Optional(
      Type.Object(
        {
          // The lake's columns are 32-bit integers (Parquet INT32, PostgreSQL integer).
          width: Type.Integer({ minimum: 0, maximum: INT32_MAX }),
          height: Type.Integer({ minimum: 0, maximum: INT32_MAX }),
          density: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    user_agent: Type.Optional(Str(1024)),
    campaign: Type.Optional(Campaign),
    consent: Type.Optional(Consent),
  },
  { additionalProperties: true },
);
