/**
 * A local activity leaves one MarkerRecorded event (`core_local_activity`) instead of the three
 * activity events: its type and result are in the marker's details, its input is not. The
 * history readers (`ar replay`, `ar explain`) read them through this.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';

type Event = NonNullable<History['events']>[number];

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** The first payload of a history field, decoded; undefined when absent or not decodable. */
export function decodeFirst(payloads: { payloads?: Payload[] | null } | null | undefined): unknown {
  const p = payloads?.payloads?.[0];
  if (!p) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(p);
  } catch {
    return undefined;
  }
}

/** The local activity an event records (its type and result), or null for any other event. */
export function localActivityOf(e: Event): { type: string; result: unknown } | null {
  const m = e.markerRecordedEventAttributes;
  if (m?.markerName !== LOCAL_ACTIVITY_MARKER) return null;
  const details = (m.details ?? {}) as Record<string, { payloads?: Payload[] | null }>;
  const data = decodeFirst(details.data) as { activity_type?: unknown; activityType?: unknown } | undefined;
  const type = data?.activity_type ?? data?.activityType;
  if (typeof type !== 'string') return null;
  return { type, result: decodeFirst(details.result) };
}
