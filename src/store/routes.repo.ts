import type { RouteRule } from '../domain/routing/rules.js';
import type { Conn } from './db.js';
import { getSetting } from './settings.repo.js';

/**
 * Routing rules live in the settings table (key `routes`) as the validated list, like
 * `inhibit_rules`: they are one ordered document, always read and replaced whole, so a table of
 * their own would only add ordering columns to keep in step.
 */
export async function loadRoutes(conn: Conn): Promise<RouteRule[]> {
  return JSON.parse((await getSetting(conn, 'routes')) ?? '[]') as RouteRule[];
}
