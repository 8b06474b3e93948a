import { useState } from 'react';
import type { AuditEntry } from '../api/types';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Button } from '../ui/button';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { FullTime } from '../ui/time';

const PAGE = 50;

export function AuditPage() {
  useTitle('Audit log');
  // A stack of "before" cursors: Newer pops, Older pushes.
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors[cursors.length - 1];
  const r = useApi<{ entries: AuditEntry[] }>('/audit', { limit: PAGE, before });
  const entries = r.data?.entries ?? [];
  const last = entries[entries.length - 1];
  const pager = (
    <div className="row" role="group" aria-label="Pages">
      <Button disabled={!cursors.length} onClick={() => setCursors([])}>
        Newest
      </Button>
      <Button disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>
        Newer
      </Button>
      <Button disabled={entries.length < PAGE || !last} onClick={() => last && setCursors((c) => [...c, last.id])}>
        Older
      </Button>
      <span className="muted small">Page {cursors.length + 1}</span>
    </div>
  );
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Every change to the organisation, tokens and settings: who, what, when and from where.</p>
      {pager}
      <div style={{ margin: '0.75rem 0' }}>
        {r.error ? (
          <LoadError error={r.error} onRetry={r.reload} />
        ) : !r.data ? (
          <Loading what="the audit log" />
        ) : entries.length === 0 ? (
          <p className="panel">No entries.</p>
        ) : (
          <Table caption="Audit log">
            <thead>
              <tr>
                <th>Time</th>
                <th>Actor</th>
                <th>Via</th>
                <th>Action</th>
                <th>Subject</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td className="small">
                    <FullTime at={e.at} />
                  </td>
                  <td>
                    {e.actor.name ?? '—'} <span className="muted small">({e.actor.kind})</span>
                  </td>
                  <td>{e.surface}</td>
                  <td className="mono">{e.action}</td>
                  <td>
                    {e.entity.kind} {e.entity.name ?? e.entity.id ?? ''}
                  </td>
                  <td className="mono small">{e.detail ? JSON.stringify(e.detail) : ''}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </div>
      {entries.length > 10 && pager}
    </>
  );
}
