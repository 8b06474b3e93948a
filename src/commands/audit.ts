import type { Conn } from '../store/db.js';
import type { Actor } from './context.js';

/** Records a change on the audit log, inside the caller's transaction. */
export async function audit(
  conn: Conn,
  actor: Actor,
  at: number,
  action: string,
  entityKind: string,
  entityId: string | null,
  entityName: string | null,
  detail: unknown,
): Promise<void> {
  await conn
    .insertInto('audit_log')
    .values({
      at,
      actor_kind: actor.kind,
      actor_id: actor.id,
      actor_name: actor.name,
      surface: actor.surface,
      action,
      entity_kind: entityKind,
      entity_id: entityId,
      entity_name: entityName,
      detail: detail === null || detail === undefined ? null : JSON.stringify(detail),
    })
    .execute();
}

export async function listAudit(conn: Conn, limit: number, before?: number) {
  let q = conn.selectFrom('audit_log').selectAll();
  if (before !== undefined) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}
