import { describe, expect, it } from 'vitest';
import { attachFields, diffValues, formatDiffPath, formatFieldChange } from './org-diff.js';

const paths = (before: unknown, after: unknown) => diffValues(before, after).map((d) => ({ ...d, path: formatDiffPath(d.path) }));

describe('diffValues', () => {
  it('matches named entries by name, so an insertion shows as one added entry', () => {
    const before = { layers: [{ name: 'a', turn: '1 week' }, { name: 'c', turn: '1 day' }] };
    const after = { layers: [{ name: 'a', turn: '2 weeks' }, { name: 'b', turn: '1 day' }, { name: 'c', turn: '1 day' }] };
    expect(paths(before, after)).toEqual([
      { path: 'layers["a"].turn', before: '1 week', after: '2 weeks' },
      { path: 'layers["b"]', after: { name: 'b', turn: '1 day' } },
    ]);
  });

  it('shows a reordered named list whole, since its order is its priority', () => {
    const before = { layers: [{ name: 'a' }, { name: 'b' }] };
    const after = { layers: [{ name: 'b' }, { name: 'a' }] };
    expect(paths(before, after)).toEqual([{ path: 'layers', before: before.layers, after: after.layers }]);
  });

  it('shows a list of plain values whole, and compares unnamed entries by position', () => {
    expect(paths({ participants: ['a', 'b'] }, { participants: ['a', 'c', 'b'] })).toEqual([{ path: 'participants', before: ['a', 'b'], after: ['a', 'c', 'b'] }]);
    const levels = (d: number[]) => ({ levels: d.map((delay) => ({ delay_minutes: delay })) });
    expect(paths(levels([5, 10]), levels([5, 15, 30]))).toEqual([
      { path: 'levels[1].delay_minutes', before: 10, after: 15 },
      { path: 'levels[2]', after: { delay_minutes: 30 } },
    ]);
  });

  it('compares a list section written on one side only with an empty list', () => {
    expect(paths({}, { channels: [{ name: 'ops' }] })).toEqual([{ path: 'channels["ops"]', after: { name: 'ops' } }]);
    expect(paths({ silence_policy: { max_duration: {} } }, {})).toEqual([{ path: 'silence_policy', before: { max_duration: {} } }]);
  });
});

describe('attachFields', () => {
  it('gives each recorded change its fields, the longest place in the file winning', () => {
    const before = { services: [{ name: 'API/v2', escalation_policy: 'a', integrations: [{ name: 'am', type: 'alertmanager' }] }] };
    const after = { services: [{ name: 'API/v2', escalation_policy: 'b', integrations: [{ name: 'am', type: 'alertmanager' }, { name: 'pd/x', type: 'events_v2' }] }] };
    const changes = attachFields(
      [
        { action: 'update', kind: 'service', name: 'API/v2' },
        { action: 'create', kind: 'integration', name: 'API/v2/pd/x' },
      ],
      before,
      after,
    );
    expect(changes).toEqual([
      { action: 'update', kind: 'service', name: 'API/v2', fields: [{ path: 'escalation_policy', before: 'a', after: 'b' }] },
      { action: 'create', kind: 'integration', name: 'API/v2/pd/x', fields: [{ path: 'name', after: 'pd/x' }, { path: 'type', after: 'events_v2' }] },
    ]);
  });

  it('places whole-section changes, and makes a change of its own for a section it was not told about', () => {
    const before = { severities: { levels: [{ name: 'critical', aliases: ['P1'] }] }, maintenance_windows: [] };
    const after = { severities: { levels: [{ name: 'critical', aliases: ['P1', 'sev1'] }] }, maintenance_windows: [{ name: 'db upgrade', starts_at: 'x' }] };
    expect(attachFields([{ action: 'update', kind: 'severities', name: 'severities' }], before, after)).toEqual([
      { action: 'update', kind: 'severities', name: 'severities', fields: [{ path: 'levels["critical"].aliases', before: ['P1'], after: ['P1', 'sev1'] }] },
      { action: 'create', kind: 'maintenance_window', name: 'db upgrade', fields: [{ path: 'name', after: 'db upgrade' }, { path: 'starts_at', after: 'x' }] },
    ]);
  });

  it('keeps a recorded change the export cannot show (a new key) with no fields', () => {
    const same = { services: [{ name: 'API', integrations: [{ name: 'pd', type: 'events_v2' }] }] };
    expect(attachFields([{ action: 'update', kind: 'integration', name: 'API/pd' }], same, same)).toEqual([{ action: 'update', kind: 'integration', name: 'API/pd', fields: [] }]);
  });
});

describe('formatFieldChange', () => {
  it('writes added, removed and changed fields on one line each, values exact', () => {
    expect(formatFieldChange({ path: 'escalation_policy', before: 'a', after: 'b' })).toBe('~ escalation_policy: "a" → "b"');
    expect(formatFieldChange({ path: 'layers[1]', after: { name: 'night' } })).toBe('+ layers[1]: {"name":"night"}');
    expect(formatFieldChange({ path: 'max_shift_hours', before: 168 })).toBe('- max_shift_hours: 168');
    expect(formatFieldChange({ path: 'unknown', before: 'info', after: null })).toBe('~ unknown: "info" → null');
  });
});
