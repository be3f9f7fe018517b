import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type DeadLetterQuery, deadLetterTopicFor, type MessageBus } from '../../bus/types.js';
import {
  ACCEPTED_ENCODINGS,
  ACCEPTED_MEDIA_TYPES,
  checkContentEncoding,
  checkMediaType,
  decodeContent,
  splitText,
} from '../../ingest/edge-body.js';
import type { IngestPublisher } from '../../ingest/publisher.js';
import { telemetryTopics } from '../../ingest/topics.js';
import { FaultlineError } from '../../shared/errors.js';
import { frameText } from '../../sources/framing.js';
import { inputFormsOf } from '../../sources/input-forms.js';
import { getSource, listSources } from '../../sources/registry.js';
import { isSourceId, SOURCE_IDS } from '../../sources/types.js';
import { INGEST_ROLES, OPERATOR_ROLES } from '../auth.js';

export interface IngestRouteDeps {
  publisher: IngestPublisher;
  bus: MessageBus;
  group: string;
  maxBodyBytes: number;
}

const ErrorRef = Type.Object(
  { statusCode: Type.Integer(), code: Type.String(), message: Type.String() },
  { additionalProperties: true },
);

export const ingestRoutes: FastifyPluginAsyncTypebox<IngestRouteDeps> = async (app, deps) => {
  // Bytes for every media type: the route checks the type and the coding itself (preParsing, before
  // the body is read), decodes the content and keeps lines that are not UTF-8 as bytes (edge-body.ts).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    '/v1/ingest/:source',
    {
      config: { auth: { roles: INGEST_ROLES } },
      preParsing: async (request, _reply, payload) => {
        checkMediaType(request.headers['content-type']);
        checkContentEncoding(request.headers['content-encoding']);
        return payload;
      },
      schema: {
        tags: ['ingest'],
        summary: 'Ingest raw telemetry of one source',
        description:
          'The body is the raw input (text lines, NDJSON or a JSON document) as ' +
          `${ACCEPTED_MEDIA_TYPES.join(', ')} (415 otherwise), optionally compressed ` +
          `(Content-Encoding ${ACCEPTED_ENCODINGS.join(', ')}; the size limit holds for the decompressed body). ` +
          "Records are framed, appended to the source's bus topic and decoded asynchronously; undecodable " +
          'records, lines that are not UTF-8 included, go to the dead-letter destination with their bytes.',
        params: Type.Object({ source: Type.String({ description: SOURCE_IDS.join(' | ') }) }),
        querystring: Type.Object({
          host: Type.Optional(
            Type.String({ minLength: 1, maxLength: 255, description: 'Node the records come from' }),
          ),
        }),
        response: {
          202: Type.Object({
            source: Type.String(),
            topic: Type.String(),
            accepted: Type.Integer(),
            firstLine: Type.Optional(Type.Integer()),
            lastLine: Type.Optional(Type.Integer()),
          }),
          400: ErrorRef,
          404: ErrorRef,
          413: ErrorRef,
          415: ErrorRef,
        },
      },
    },
    async (request, reply) => {
      const { source: id } = request.params;
      const source = isSourceId(id) ? getSource(id) : undefined;
      if (source === undefined) {
        throw new FaultlineError('FAULTLINE_UNKNOWN_SOURCE', `unknown source ${id}`, {
          sources: listSources().map((s) => s.id),
        });
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const bytes = await decodeContent(raw, request.headers['content-encoding'], deps.maxBodyBytes);
      const { text, invalidLines } = splitText(bytes);
      if (text.trim() === '' && invalidLines.length === 0)
        throw new FaultlineError('FAULTLINE_EMPTY_BODY', 'the request body holds no records');
      const frames = frameText(source.createFramer(), text);
      const options = request.query.host === undefined ? {} : { host: request.query.host };
      const report = await deps.publisher.publishFrames(source, frames, options);
      report.accepted += await deps.publisher.publishBytes(source, invalidLines, options);
      return reply.code(202).send(report);
    },
  );

  app.get(
    '/v1/ingest/status',
    {
      config: { auth: { roles: INGEST_ROLES } },
      schema: {
        tags: ['ingest'],
        summary: 'Records published but not yet stored, per topic',
        response: {
          200: Type.Object({
            group: Type.String(),
            pending: Type.Integer(),
            topics: Type.Array(
              Type.Object({ topic: Type.String(), partition: Type.Integer(), lag: Type.Integer() }),
            ),
          }),
        },
      },
    },
    async () => {
      const lags = await deps.bus.lag(deps.group, telemetryTopics(deps.publisher.topicPrefix));
      return {
        group: deps.group,
        pending: lags.reduce((n, l) => n + l.lag, 0),
        topics: lags.map(({ topic, partition, lag }) => ({ topic, partition, lag })),
      };
    },
  );

  app.get(
    '/v1/ingest/dead-letters',
    {
      config: { auth: { roles: OPERATOR_ROLES } },
      schema: {
        tags: ['ingest'],
        summary: 'Records that could not be decoded or stored, newest first',
        querystring: Type.Object({
          source: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          before: Type.Optional(
            Type.Integer({ minimum: 1, description: 'Cursor: id of the last entry seen' }),
          ),
        }),
      },
    },
    async (request) => {
      const { bus } = deps;
      if (bus.listDeadLetters === undefined) {
        throw new FaultlineError(
          'FAULTLINE_NOT_FOUND',
          `dead letters are on the Kafka topic ${deadLetterTopicFor(deps.publisher.topicPrefix)}; read them with a consumer`,
        );
      }
      const opts: DeadLetterQuery = {};
      if (request.query.limit !== undefined) opts.limit = request.query.limit;
      if (request.query.source !== undefined) opts.source = request.query.source;
      if (request.query.before !== undefined) opts.before = request.query.before;
      const entries = await bus.listDeadLetters(opts);
      return { entries };
    },
  );

  app.get(
    '/v1/sources',
    {
      config: { auth: { roles: ['admin', 'sre', 'viewer', 'ingest'] } },
      schema: { tags: ['ingest'], summary: 'The telemetry sources this server decodes' },
    },
    async () => ({
      sources: listSources().map((s) => ({
        id: s.id,
        dataset: s.dataset,
        description: s.description,
        contentType: s.contentType,
        inputForms: inputFormsOf(s.id),
        topic: deps.publisher.topicOf(s),
      })),
    }),
  );
};
