import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Badge, SeverityBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';

interface Rule {
  index: number;
  name: string;
  match: string[];
  summary: string;
}

interface RouteTest {
  rules: { index: number; name: string; match: string; matched: boolean; decided: string[] }[];
  matched: string[];
  service: string | null;
  escalation_policy: string | null;
  severity: string;
  outcome: 'page' | 'channels-only' | 'drop';
  channels: string[];
  slack_channels: string[];
  summary: string;
}

/** `alertname=HighErrorRate` lines (or comma-separated) → labels; quotes around a value are dropped. */
export function parseLabelLines(text: string): { labels: Record<string, string>; bad: string | null } {
  const labels: Record<string, string> = {};
  for (const part of text.split(/[\n,]/).map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i < 1) return { labels, bad: part };
    labels[part.slice(0, i).trim()] = part.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { labels, bad: null };
}

const OUTCOME: Record<RouteTest['outcome'], { text: string; tone: 'ok' | 'warn' | 'danger' }> = {
  page: { text: 'Pages', tone: 'danger' },
  'channels-only': { text: 'Channels only, nobody paged', tone: 'warn' },
  drop: { text: 'Dropped', tone: 'ok' },
};

function TestForm({ result, setResult }: { result: RouteTest | null; setResult: (r: RouteTest | null) => void }) {
  const [text, setText] = useState('alertname=HighErrorRate\nservice=backend\nseverity=warning');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dryRun, setDryRun] = useState<DryRun | null>(null);

  /** Escalation dry-run of the same labels: every page, minute by minute, if nobody acknowledges. */
  const simulate = async () => {
    const { labels, bad } = parseLabelLines(text);
    if (bad !== null) return setError(`"${bad}" is not name=value; write one label per line, like severity=warning`);
    const { severity, ...rest } = labels;
    if (!severity) return setError('add a severity line, e.g. severity=critical, to run it');
    setBusy(true);
    try {
      setDryRun(await api.post<DryRun>('/simulate', { labels: rest, severity }));
      setError(null);
    } catch (err) {
      setDryRun(null);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const { labels, bad } = parseLabelLines(text);
    if (bad !== null) {
      setError(`"${bad}" is not name=value; write one label per line, like severity=warning`);
      setResult(null);
      return;
    }
    setBusy(true);
    try {
      setResult(await api.post<RouteTest>('/routes/test', { labels }));
      setError(null);
    } catch (err) {
      setResult(null);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" style={{ marginTop: '1rem' }} onSubmit={(e) => void submit(e)} aria-label="Test an alert">
      <h2>Test an alert</h2>
      <Field label="Labels" hint="One per line, as the alert would carry them: alertname=HighErrorRate, service=backend, severity=warning" error={error}>
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} className="mono" required />
      </Field>
      <div className="row">
        <Button variant="primary" type="submit" busy={busy} disabled={!text.trim()}>
          Test
        </Button>
        <Button busy={busy} disabled={!text.trim()} onClick={() => void simulate()}>
          Dry run: who is paged, minute by minute
        </Button>
      </div>
      {result && (
        <div aria-label="Result" aria-live="polite" style={{ marginTop: '1rem' }}>
          <p>
            <Badge tone={OUTCOME[result.outcome].tone}>{OUTCOME[result.outcome].text}</Badge> <strong>{result.summary}</strong>
          </p>
          <p className="small">
            {result.matched.length ? <>Hit {result.matched.length === 1 ? 'rule' : 'rules'} {result.matched.map((n) => `“${n}”`).join(', ')}. </> : <>No rule matches: the alert pages its own service. </>}
            Severity <SeverityBadge severity={result.severity} />
            {result.escalation_policy && <>, policy {result.escalation_policy}</>}
            {(result.slack_channels.length > 0 || result.channels.length > 0) && <>, posted to {[...result.slack_channels.map((c) => `Slack ${c}`), ...result.channels].join(', ')}</>}.
          </p>
        </div>
      )}
      {dryRun && (
        <div aria-label="Dry run" style={{ marginTop: '1rem' }}>
          <h3>If it fired now and nobody acknowledged</h3>
          <ol className="preview-steps">
            {dryRun.timeline.map((l, i) => (
              <li key={i}>
                <span className="mono">{l.after}</span> {l.text}
              </li>
            ))}
          </ol>
        </div>
      )}
    </form>
  );
}

interface DryRun {
  timeline: { at: string; after: string; text: string }[];
}

export function RoutingPage() {
  useTitle('Routing');
  const r = useApi<{ routes: Rule[] }>('/routes');
  const [result, setResult] = useState<RouteTest | null>(null);
  const hit = new Map(result?.rules.filter((x) => x.matched).map((x) => [x.index, x.decided]) ?? []);
  const list = r.data?.routes ?? [];
  return (
    <>
      <h1>Routing</h1>
      <p className="muted">
        Rules are tried in order; the first that matches decides, and one marked continue lets the rules below add what it left open. Change them in the organisation file&apos;s routes section.
      </p>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="routing rules" />
      ) : list.length === 0 ? (
        <p className="panel">No routing rules: every alert pages its own service&apos;s escalation policy.</p>
      ) : (
        <Table caption="Routing rules">
          <thead>
            <tr>
              <th>#</th>
              <th>Name</th>
              <th>Rule</th>
              <th>
                <span className="sr-only">Test result</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.index}>
                <td>{x.index + 1}</td>
                <td>{x.name}</td>
                <td className="mono">{x.summary}</td>
                <td>{hit.has(x.index) && <Badge tone="warn" title={hit.get(x.index)?.length ? `decided ${hit.get(x.index)?.join(', ')}` : undefined}>hit</Badge>}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <TestForm result={result} setResult={setResult} />
    </>
  );
}
