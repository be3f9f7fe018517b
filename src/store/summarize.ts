import type { EventStore, GroupSummary, SummaryQuery } from './types.js';

/** `EventStore.summarize` from the port's basic queries, for a store without it: three per group. */
export async function summarizeByQueries(store: EventStore, query: SummaryQuery): Promise<GroupSummary[]> {
  const { groupBy, interval, limit: _limit, ...filter } = query;
  const groups = await store.aggregate({
    ...filter,
    groupBy,
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
  });
  const summaries = await Promise.all(
    groups.map(async (g) => {
      const scoped = { ...filter, terms: { ...filter.terms, [groupBy]: [g.key] } };
      const [oldest, newest, trend] = await Promise.all([
        store.search({ ...scoped, size: 1, order: 'asc' }),
        store.search({ ...scoped, size: 1, order: 'desc' }),
        store.aggregate({ ...scoped, interval, limit: 1000 }),
      ]);
      const first = oldest.events[0];
      const last = newest.events[0];
      // A group whose records went (retention) between the two queries is left out.
      return first === undefined || last === undefined ? undefined : { ...g, first, last, trend };
    }),
  );
  return summaries.filter((s) => s !== undefined);
}
