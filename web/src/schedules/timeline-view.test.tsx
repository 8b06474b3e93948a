import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { Range } from './timeline';
import { Timeline } from './timeline-view';

// jsdom has no PointerEvent; a MouseEvent carries the clientX and button the timeline reads.
if (typeof window.PointerEvent === 'undefined') {
  class PointerEventShim extends MouseEvent {
    readonly pointerId: number;
    constructor(type: string, init: PointerEventInit = {}) {
      super(type, init);
      this.pointerId = init.pointerId ?? 1;
    }
  }
  (window as unknown as { PointerEvent: unknown }).PointerEvent = PointerEventShim;
}

const t = (iso: string) => Date.parse(iso);
const week = { from: t('2026-03-02T00:00:00Z'), to: t('2026-03-09T00:00:00Z') };
const final = [
  { start: '2026-02-23T09:00:00Z', end: '2026-03-02T09:00:00Z', user: 'bob', source: 'layer' },
  { start: '2026-03-02T09:00:00Z', end: '2026-03-09T09:00:00Z', user: 'alice', source: 'layer' },
];

function setup(opts: { canAct?: boolean; tz?: string } = {}) {
  const onSelectRange = vi.fn<(r: Range) => void>();
  const onPickShift = vi.fn();
  const canAct = opts.canAct ?? true;
  render(
    <Timeline
      range={week}
      span="week"
      tz={opts.tz ?? 'UTC'}
      now={t('2026-03-05T12:00:00Z')}
      layers={[{ label: 'weekly', shifts: final }]}
      overrides={[{ id: 'o1', start: '2026-03-04T00:00:00Z', end: '2026-03-04T12:00:00Z', user: 'dave', replaces: 'alice', note: '', created_by: { kind: 'user', name: 'alice' }, created_at: '2026-03-01T00:00:00Z' }]}
      final={final}
      selection={null}
      onSelectRange={canAct ? onSelectRange : null}
      onPickShift={canAct ? onPickShift : null}
    />,
  );
  const track = screen.getByTestId('final-track');
  // jsdom lays nothing out: give the Final row 700 px, so a day is 100 px.
  track.getBoundingClientRect = () => ({ left: 100, width: 700, top: 0, height: 40, right: 800, bottom: 40, x: 100, y: 0, toJSON: () => ({}) });
  return { onSelectRange, onPickShift, track };
}

describe('schedule timeline', () => {
  it('shows each shift as a block with the name, and its times as accessible text and a tooltip', () => {
    setup();
    const finalRow = screen.getByRole('list', { name: 'Final: who is on call' });
    const blocks = within(finalRow).getAllByRole('button');
    expect(blocks.map((b) => b.textContent)).toEqual(['bob, Mon 23 Feb 09:00–Mon 2 Mar 09:00', 'alice, Mon 2 Mar 09:00–Mon 9 Mar 09:00']);
    expect(blocks[1]?.getAttribute('title')).toMatch(/^alice: Mon 2 Mar 09:00–Mon 9 Mar 09:00/);
    // Alice's block starts 9 hours into the week and runs past its end.
    const li = blocks[1]?.closest('li') as HTMLElement;
    expect(parseFloat(li.style.left)).toBeCloseTo((100 * 9) / 168);
    expect(blocks[1]?.className).toContain('clip-end');
    const overrides = screen.getByRole('list', { name: 'Overrides' });
    expect(within(overrides).getByRole('listitem').textContent).toBe('dave, Wed 4 Mar 00:00–12:00, replaces alice');
    expect(screen.getByRole('list', { name: 'Layer weekly' })).toBeTruthy();
  });

  it('writes the blocks in the zone on screen', () => {
    setup({ tz: 'Asia/Tokyo' });
    expect(screen.getByRole('button', { name: /^alice,/ }).textContent).toBe('alice, Mon 2 Mar 18:00–Mon 9 Mar 18:00');
  });

  it('turns a drag across the Final row into a range, snapped to the hour, and swallows the click that ends it', () => {
    const { onSelectRange, onPickShift, track } = setup();
    const alice = screen.getByRole('button', { name: /^alice,/ });
    fireEvent.pointerDown(alice, { clientX: 100 + 150, button: 0, pointerId: 1 }); // Tue 3 Mar 12:00
    fireEvent.pointerMove(track, { clientX: 100 + 320, pointerId: 1 });
    fireEvent.pointerUp(track, { clientX: 100 + 412.6, pointerId: 1 }); // Fri 6 Mar 03:00 (02:59 snaps up)
    fireEvent.click(alice);
    expect(onSelectRange).toHaveBeenCalledTimes(1);
    expect(onSelectRange).toHaveBeenCalledWith({ from: t('2026-03-03T12:00:00Z'), to: t('2026-03-06T03:00:00Z') });
    expect(onPickShift).not.toHaveBeenCalled();
  });

  it('treats a press that does not move as a click on the shift, which keyboard users get with Enter', () => {
    const { onSelectRange, onPickShift } = setup();
    const alice = screen.getByRole('button', { name: /^alice,/ });
    fireEvent.pointerDown(alice, { clientX: 300, button: 0, pointerId: 1 });
    fireEvent.pointerUp(alice, { clientX: 302, pointerId: 1 });
    fireEvent.click(alice);
    expect(onSelectRange).not.toHaveBeenCalled();
    expect(onPickShift).toHaveBeenCalledWith(final[1]);
  });

  it('is no control for someone who may not create overrides', () => {
    setup({ canAct: false });
    expect(screen.queryAllByRole('button')).toHaveLength(0);
    expect(within(screen.getByRole('list', { name: 'Final: who is on call' })).getAllByRole('listitem')).toHaveLength(2);
  });
});
