import { describe, expect, it } from 'vitest';
import { filtersToApiQuery, filtersToSearch, parseFilters, statusChoiceOf } from './filters';

describe('alert filters in the URL', () => {
  it('defaults to open alerts and keeps the default out of the URL', () => {
    const f = parseFilters('');
    expect(f).toEqual({ status: ['triggered', 'acknowledged'], service: [], severity: [] });
    expect(filtersToSearch(f)).toBe('');
    expect(filtersToSearch(parseFilters('?status=acknowledged,triggered'))).toBe('');
  });

  it('reads status, service and severity lists and writes them back the same way', () => {
    const search = '?status=resolved&service=Checkout API,Payments&severity=critical';
    const f = parseFilters(search);
    expect(f).toEqual({ status: ['resolved'], service: ['Checkout API', 'Payments'], severity: ['critical'] });
    expect(parseFilters(filtersToSearch(f))).toEqual(f);
    expect(filtersToSearch(f)).toBe('?status=resolved&service=Checkout+API,Payments&severity=critical');
  });

  it('drops unknown statuses and falls back to open when none is valid', () => {
    expect(parseFilters('?status=bogus').status).toEqual(['triggered', 'acknowledged']);
    expect(parseFilters('?status=resolved,bogus,triggered').status).toEqual(['triggered', 'resolved']);
  });

  it('always sends the API every filter explicitly, with paging', () => {
    expect(filtersToApiQuery(parseFilters(''), { limit: 200 })).toEqual({ status: 'triggered,acknowledged', service: undefined, severity: undefined, limit: 200, before: undefined });
    expect(filtersToApiQuery(parseFilters('?severity=high,low&service=Payments'), { limit: 50, before: 900 })).toEqual({
      status: 'triggered,acknowledged',
      service: 'Payments',
      severity: 'high,low',
      limit: 50,
      before: 900,
    });
  });

  it('reads and writes the silenced filter, and sends it to the API', () => {
    expect(parseFilters('?silenced=true')).toEqual({ status: ['triggered', 'acknowledged'], service: [], severity: [], silenced: 'true' });
    expect(parseFilters('?silenced=maybe')).toEqual({ status: ['triggered', 'acknowledged'], service: [], severity: [] });
    expect(filtersToSearch(parseFilters('?status=resolved&silenced=false'))).toBe('?status=resolved&silenced=false');
    expect(filtersToSearch({ ...parseFilters(''), silenced: 'true' })).toBe('?silenced=true');
    expect(filtersToApiQuery(parseFilters('?silenced=true'), { limit: 200 })).toMatchObject({ silenced: 'true' });
  });

  it('maps status sets to the one choice shown in the Status select', () => {
    expect(statusChoiceOf(['triggered', 'acknowledged'])).toBe('open');
    expect(statusChoiceOf(['resolved'])).toBe('resolved');
    expect(statusChoiceOf(['triggered', 'acknowledged', 'resolved'])).toBe('all');
  });
});
