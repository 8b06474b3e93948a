import { useState } from 'react';
import { roleRank, type EscalationPolicy } from '../api/types';
import { useSession } from '../auth/session';
import { Button } from '../ui/button';
import { useToast } from '../ui/toast';
import { PolicyEditor } from './policy-editor';
import { ExportOrgLink } from './export-link';
import { useLive } from '../lib/live';
import { formatMinutes } from '../lib/time';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { targetText } from './targets';

export function PoliciesPage() {
  useTitle('Escalation policies');
  const r = useApi<{ escalation_policies: EscalationPolicy[] }>('/escalation-policies');
  const lint = useApi<{ findings: { kind: string; policy?: string; message: string }[] }>('/lint/policies');
  useLive(
    () => {
      r.reload();
      lint.reload();
    },
    (e) => e.type === 'config.changed',
  );
  const { user } = useSession();
  const toast = useToast();
  const canEdit = roleRank(user?.role ?? 'viewer') >= roleRank('manager');
  // null: not editing; 'new': a new policy; otherwise the name of the policy being edited.
  const [editing, setEditing] = useState<string | null>(null);
  const saved = (name: string) => {
    toast.ok(`Saved ${name}: new alerts follow it; alerts already open keep the policy they started with`);
    setEditing(null);
    r.reload();
  };
  const editor = (initial: EscalationPolicy | null) => <PolicyEditor key={initial?.name ?? 'new'} initial={initial} onSaved={saved} onCancel={() => setEditing(null)} />;
  return (
    <>
      <h1>Escalation policies</h1>
      <p className="muted">Who is paged, in what order, until someone acknowledges.</p>
      <p>
        <ExportOrgLink />
      </p>
      {canEdit && editing === null && (
        <p>
          <Button variant="primary" onClick={() => setEditing('new')}>
            New policy
          </Button>
        </p>
      )}
      {editing === 'new' && editor(null)}
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="escalation policies" />
      ) : r.data.escalation_policies.length === 0 ? (
        <p className="panel">No escalation policies. Add one to the organisation file and apply it.</p>
      ) : (
        r.data.escalation_policies.map((p) =>
          editing === p.name ? (
            <div key={p.name}>{editor(p)}</div>
          ) : (
          <section key={p.name} className="panel" style={{ marginBottom: '1rem' }} aria-labelledby={`pol-${p.name}`}>
            <h2 id={`pol-${p.name}`} style={{ marginTop: 0 }}>
              {p.name}
            </h2>
            {p.description && <p>{p.description}</p>}
            {lint.data?.findings
              .filter((f) => f.policy === p.name)
              .map((f) => (
                <p key={f.message} className="notice notice-warn small">
                  {f.message}
                </p>
              ))}
            <Table caption={`Levels of ${p.name}`}>
              <thead>
                <tr>
                  <th className="num">Level</th>
                  <th>Pages</th>
                  <th>Then, if not acknowledged</th>
                  <th>Applies to</th>
                </tr>
              </thead>
              <tbody>
                {p.levels.map((l, i) => (
                  <tr key={i}>
                    <td className="num">{i + 1}</td>
                    <td>{l.targets.map(targetText).join(', ')}</td>
                    <td>
                      {i === p.levels.length - 1 ? (p.repeat > 0 ? `after ${formatMinutes(l.delay_minutes)}, start again from level 1` : 'last level') : `after ${formatMinutes(l.delay_minutes)}, level ${i + 2}`}
                      {l.delay_by_severity && (
                        <div className="muted small">
                          {Object.entries(l.delay_by_severity)
                            .map(([s, m]) => `${s}: ${formatMinutes(m)}`)
                            .join(', ')}
                        </div>
                      )}
                      {l.unresolved_after_minutes !== undefined && <div className="muted small">also when not resolved within {formatMinutes(l.unresolved_after_minutes)}</div>}
                    </td>
                    <td>{l.severities?.length ? `${l.severities.join(', ')} only` : 'all severities'}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <p className="muted small">{p.repeat > 0 ? `Runs the levels ${p.repeat} more time${p.repeat === 1 ? '' : 's'} after the last one.` : 'Does not repeat.'}</p>
            {canEdit && editing === null && <Button onClick={() => setEditing(p.name)}>Edit {p.name}</Button>}
          </section>
          ),
        )
      )}
    </>
  );
}
