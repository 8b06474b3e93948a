import type { EscalationPolicy } from '../api/types';
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
  useLive(() => r.reload(), (e) => e.type === 'config.changed');
  return (
    <>
      <h1>Escalation policies</h1>
      <p className="muted">Who is paged, in what order, until someone acknowledges.</p>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="escalation policies" />
      ) : r.data.escalation_policies.length === 0 ? (
        <p className="panel">No escalation policies. Add one to the organisation file and apply it.</p>
      ) : (
        r.data.escalation_policies.map((p) => (
          <section key={p.name} className="panel" style={{ marginBottom: '1rem' }} aria-labelledby={`pol-${p.name}`}>
            <h2 id={`pol-${p.name}`} style={{ marginTop: 0 }}>
              {p.name}
            </h2>
            {p.description && <p>{p.description}</p>}
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
          </section>
        ))
      )}
    </>
  );
}
