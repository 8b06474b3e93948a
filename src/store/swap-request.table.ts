import type { Generated } from 'kysely';

/**
 * A swap request (029-swap-requests): the requester hands [a_start_at, a_end_at) to the
 * counterpart and takes [b_start_at, b_end_at) from them, once the counterpart accepts.
 */
export interface SwapRequestsTable {
  id: Generated<number>;
  schedule_id: string;
  requester_id: string;
  a_start_at: number;
  a_end_at: number;
  counterpart_id: string;
  b_start_at: number;
  b_end_at: number;
  note: string;
  /** pending | accepted | declined | cancelled */
  status: string;
  created_at: number;
  decided_at: number | null;
  /** Name of who accepted, declined or cancelled it. */
  decided_by: string | null;
}

export const SWAP_REQUEST_STATUSES = ['pending', 'accepted', 'declined', 'cancelled'] as const;
export type SwapRequestStatus = (typeof SWAP_REQUEST_STATUSES)[number];
