import { type Static, Type } from 'typebox';
import { ALERT_SEVERITIES, REPAIR_ACTIONS } from '../../model/alert.js';

/**
 * The rule file format (`rules/*.yaml`). rules/README.md is generated from these schemas
 * (scripts/gen-rules-readme.ts), so each `description` here is user documentation.
 */

const Duration = Type.String({
  pattern: '^[0-9]+(ms|s|m|h|d)$',
  description: 'A duration: a whole number and a unit, ms, s, m, h or d (`90s`, `10m`, `6h`, `1d`).',
});

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

const MatcherOps = Type.Object(
  {
    eq: Type.Optional(Scalar),
    ne: Type.Optional(Scalar),
    in: Type.Optional(Type.Array(Scalar, { minItems: 1 })),
    not_in: Type.Optional(Type.Array(Scalar, { minItems: 1 })),
    regex: Type.Optional(
      Type.String({ description: 'JavaScript regular expression, unanchored, case-sensitive.' }),
    ),
    iregex: Type.Optional(Type.String({ description: 'As `regex`, case-insensitive.' })),
    exists: Type.Optional(Type.Boolean()),
    gt: Type.Optional(Type.Number()),
    gte: Type.Optional(Type.Number()),
    lt: Type.Optional(Type.Number()),
    lte: Type.Optional(Type.Number()),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Operators on one field; all given must hold.',
  },
);

export const MatchSchema = Type.Record(
  Type.String(),
  Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 }), MatcherOps]),
  {
    description:
      "Field matchers, all of which must hold. The key is an event field (ECS dotted name, checked against the decoders' field catalog); the value is a scalar (equals), a list (one of) or an object of operators: `eq`, `ne`, `in`, `not_in`, `regex`, `iregex`, `exists`, `gt`, `gte`, `lt`, `lte`.",
  },
);

const Comparison = Type.Union(
  [Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<='), Type.Literal('==')],
  {
    description: 'How the window aggregate compares with `value` (default `>=`).',
  },
);

const WindowCondition = Type.Object(
  {
    window: Duration,
    op: Type.Optional(Comparison),
    value: Type.Number(),
    field: Type.Optional(
      Type.String({
        description:
          'Numeric field aggregated (sum, min, max, increase); not used by count and rate. `increase` treats it as a monotonic counter (a drop is a reset) and sums its rises in the window.',
      }),
    ),
  },
  { additionalProperties: false },
);

const AnomalyCondition = Type.Object(
  {
    method: Type.Union([Type.Literal('ewma'), Type.Literal('robust_z'), Type.Literal('seasonal')], {
      description:
        '`ewma`: deviation from an exponentially weighted mean in units of its weighted standard deviation; `robust_z`: (x − median) / (1.4826·MAD) over the last `history` points; `seasonal`: robust z against the points at the same phase of `period`.',
    }),
    field: Type.Optional(
      Type.String({
        description:
          'Numeric field whose value is the series; without it, the series is the count of matching events per `bucket`.',
      }),
    ),
    counter: Type.Optional(
      Type.Boolean({
        description:
          'The field is a monotonic counter: use its increase per second (a reset counts as a new start).',
      }),
    ),
    bucket: Type.Optional(Duration),
    threshold: Type.Optional(Type.Number({ description: 'Score that fires (default 4).' })),
    direction: Type.Optional(
      Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('both')], {
        description: 'Default `up`.',
      }),
    ),
    min_samples: Type.Optional(
      Type.Integer({ minimum: 3, description: 'Points needed before scoring (default 20).' }),
    ),
    history: Type.Optional(
      Type.Integer({
        minimum: 5,
        maximum: 10000,
        description: 'Points kept per series (bounded state, default 120).',
      }),
    ),
    alpha: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'EWMA smoothing (default 0.1).' }),
    ),
    period: Type.Optional(Duration),
    min_value: Type.Optional(
      Type.Number({ description: 'Ignore points below this value (noise floor, default 0).' }),
    ),
  },
  { additionalProperties: false },
);

const TrendCondition = Type.Object(
  {
    field: Type.Optional(
      Type.String({
        description:
          'Numeric gauge to extrapolate (e.g. `smart.reallocated_sectors`); without it, the cumulative count of matching events.',
      }),
    ),
    threshold: Type.Number({ description: 'The level at which the part is expected to fail.' }),
    window: Duration,
    horizon: Duration,
    min_points: Type.Optional(
      Type.Integer({ minimum: 3, description: 'Points in the window before predicting (default 10).' }),
    ),
    min_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Default 0.5.' })),
  },
  {
    additionalProperties: false,
    description:
      'Least-squares line over the window; predicts when the line crosses `threshold` within `horizon`.',
  },
);

export const ConditionSchema = Type.Object(
  {
    count: Type.Optional(WindowCondition),
    rate: Type.Optional(WindowCondition),
    sum: Type.Optional(WindowCondition),
    min: Type.Optional(WindowCondition),
    max: Type.Optional(WindowCondition),
    increase: Type.Optional(WindowCondition),
    sequence: Type.Optional(
      Type.Object(
        {
          first: MatchSchema,
          followed_by: MatchSchema,
          within: Duration,
        },
        {
          additionalProperties: false,
          description:
            'An event matching `first`, then one matching `followed_by` in the same group within `within`.',
        },
      ),
    ),
    absence: Type.Optional(
      Type.Object(
        { for: Duration },
        {
          additionalProperties: false,
          description:
            'A group that has been seen goes quiet: no matching event for `for` (measured by the watermark).',
        },
      ),
    ),
    anomaly: Type.Optional(AnomalyCondition),
    trend: Type.Optional(TrendCondition),
  },
  {
    additionalProperties: false,
    maxProperties: 1,
    description:
      'Exactly one condition. Without `condition`, every matching event fires (and folds into the open alert of its group).',
  },
);

const RepairSchema = Type.Object(
  {
    action: Type.Union(REPAIR_ACTIONS.map((a) => Type.Literal(a))),
    text: Type.Optional(Type.String({ description: 'Templated instruction for the technician.' })),
    part: Type.Optional(
      Type.String({
        description:
          'Templated id of the part to name (looked up in the topology for its board label and serial), usually `{{hw.id}}`.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RuleSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_]*$',
      description: 'Unique rule name; becomes the `alertname` label.',
    }),
    description: Type.Optional(Type.String()),
    match: MatchSchema,
    group_by: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Fields whose values form the group key (Monasca `match_by`); default `[host.name]`. Each becomes a label.',
      }),
    ),
    condition: Type.Optional(ConditionSchema),
    resolve_on: Type.Optional(
      Type.Unsafe<Static<typeof MatchSchema>>({
        ...MatchSchema,
        description:
          'Matchers (same form as `match`, over all events of the group) of an event that resolves the open alert of its group, e.g. a deasserted SEL record.',
      }),
    ),
    resolve_after: Type.Optional(
      Type.String({
        pattern: '^([0-9]+(ms|s|m|h|d)|never)$',
        description:
          'Resolve when the group has been quiet (or its condition false) this long. Default: the window, or 1h.',
      }),
    ),
    severity: Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s))),
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Static labels (part of the fingerprint, never templated).',
      }),
    ),
    annotations: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description:
          'Templated text: `{{field}}` is a field of the latest matching event, `{{$count}}`, `{{$value}}`, `{{$window}}`, `{{$first}}`, `{{$last}}` describe the alert.',
      }),
    ),
    repair: Type.Optional(RepairSchema),
    explains: Type.Optional(
      Type.Object(
        {
          scope: Type.Union([Type.Literal('node'), Type.Literal('component'), Type.Literal('port')], {
            description:
              '`node`: every other alert on the same host; `component`: alerts on the same host and `hw.id`; `port`: alerts on the same host and `interface.name`.',
          }),
          within: Duration,
          rules: Type.Optional(
            Type.Array(Type.String(), { description: 'Only alerts of these rules (default: all others).' }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Root cause: alerts this one explains become its children and their notifications are inhibited.',
        },
      ),
    ),
    suppress_during: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('deploy'),
          Type.Literal('cleaning'),
          Type.Literal('maintenance'),
          Type.Literal('provisioning'),
        ]),
        {
          description:
            'Leasing-core activities (from `fleet.event`) during which this rule fires nothing: the power cycles and link flaps they cause are expected.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const RuleFileSchema = Type.Object(
  {
    rules: Type.Array(RuleSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type Match = Static<typeof MatchSchema>;
export type Condition = Static<typeof ConditionSchema>;
export type RuleSpec = Static<typeof RuleSchema>;
export type RuleFile = Static<typeof RuleFileSchema>;
