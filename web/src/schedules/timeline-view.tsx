import { useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { colourOf, formatRange, place, selectionFromDrag, ticks, type Range, type Span } from './timeline';
import type { Override, Shift } from './types';

export interface TimelineRow {
  label: string;
  shifts: Shift[];
}

interface TimelineProps {
  range: Range;
  span: Span;
  tz: string;
  now: number;
  layers: TimelineRow[];
  overrides: Override[];
  final: Shift[];
  /** The range the override form holds, shown on the Final row. */
  selection: Range | null;
  /** Null: the reader may not create overrides, so the Final row is not a control. */
  onSelectRange: ((r: Range) => void) | null;
  onPickShift: ((s: Shift) => void) | null;
}

/** Pixels a pointer must move before a press on the Final row is a drag rather than a click. */
const DRAG_THRESHOLD = 4;

function Block({ start, end, user, range, tz, note, onPick }: { start: string; end: string; user: string | null; range: Range; tz: string; note?: string; onPick?: () => void }) {
  const p = place(Date.parse(start), Date.parse(end), range);
  if (!p) return null;
  const when = formatRange(Date.parse(start), Date.parse(end), tz);
  const name = user ?? 'nobody';
  const title = `${name}: ${when}${note ? ` (${note})` : ''}`;
  const c = colourOf(user);
  const cls = `sched-block ${c < 0 ? 'sched-nobody' : `sched-c${c}`}${p.clippedStart ? ' clip-start' : ''}${p.clippedEnd ? ' clip-end' : ''}`;
  const style = { left: `${p.left}%`, width: `${p.width}%` };
  const body = (
    <>
      <span className="sched-name">{name}</span>
      <span className="visually-hidden">
        , {when}
        {note ? `, ${note}` : ''}
      </span>
    </>
  );
  if (onPick)
    return (
      <li className="sched-item" style={style}>
        <button type="button" className={cls} aria-label={`${name}, ${when}`} title={`${title}. Click to fill in an override for this shift.`} onClick={onPick}>
          {body}
        </button>
      </li>
    );
  return (
    <li className={`sched-item ${cls}`} style={style} title={title}>
      {body}
    </li>
  );
}

/**
 * One row per layer, an Overrides row and the Final row, over `range`. On the Final row a drag
 * selects a range and a click on a shift picks it; both fill in the override form.
 */
export function Timeline({ range, span, tz, now, layers, overrides, final, selection, onSelectRange, onPickShift }: TimelineProps) {
  const track = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x0: number; f0: number; moved: boolean } | null>(null);
  const suppressClick = useRef(false);
  const [dragSel, setDragSel] = useState<Range | null>(null);
  const tks = ticks(range, span, tz);
  const nowP = now >= range.from && now < range.to ? ((now - range.from) / (range.to - range.from)) * 100 : null;

  const fraction = (clientX: number) => {
    const r = track.current?.getBoundingClientRect();
    return r && r.width > 0 ? (clientX - r.left) / r.width : 0;
  };
  const down = (e: ReactPointerEvent<HTMLDivElement>) => {
    suppressClick.current = false;
    if (!onSelectRange || e.button !== 0) return;
    drag.current = { x0: e.clientX, f0: fraction(e.clientX), moved: false };
  };
  const move = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    if (!d.moved && Math.abs(e.clientX - d.x0) < DRAG_THRESHOLD) return;
    if (!d.moved) {
      d.moved = true;
      track.current?.setPointerCapture?.(e.pointerId);
    }
    e.preventDefault();
    setDragSel(selectionFromDrag(d.f0, fraction(e.clientX), range, span));
  };
  const up = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    setDragSel(null);
    if (!d?.moved || !onSelectRange) return;
    suppressClick.current = true;
    onSelectRange(selectionFromDrag(d.f0, fraction(e.clientX), range, span));
  };
  const cancel = () => {
    drag.current = null;
    setDragSel(null);
  };

  const shown = dragSel ?? selection;
  const selP = shown ? place(shown.from, shown.to, range) : null;

  const axis = (
    <div className="sched-track sched-axis" aria-hidden="true">
      {tks.map((t) => (
        <span key={t.at} className="sched-tick" style={{ left: `${t.left}%` }}>
          {t.label}
        </span>
      ))}
    </div>
  );
  const grid = (
    <>
      {tks.map((t) => (
        <span key={t.at} className={t.major ? 'sched-gridline major' : 'sched-gridline'} style={{ left: `${t.left}%` }} aria-hidden="true" />
      ))}
      {nowP !== null && <span className="sched-now-line" style={{ left: `${nowP}%` }} aria-hidden="true" title="Now" />}
    </>
  );

  return (
    <div className="sched-timeline">
      <div className="sched-row">
        <span className="sched-label" />
        {axis}
      </div>
      {layers.map((l, i) => (
        <div className="sched-row" key={`${l.label}-${i}`}>
          <span className="sched-label" title={`Layer ${l.label}`}>
            {l.label}
          </span>
          <div className="sched-track">
            {grid}
            <ul className="sched-blocks" aria-label={`Layer ${l.label}`}>
              {l.shifts.map((s) => (
                <Block key={s.start + s.end + s.user} start={s.start} end={s.end} user={s.user} range={range} tz={tz} />
              ))}
            </ul>
          </div>
        </div>
      ))}
      <div className="sched-row">
        <span className="sched-label">Overrides</span>
        <div className="sched-track">
          {grid}
          <ul className="sched-blocks" aria-label="Overrides">
            {overrides.map((o) => (
              <Block key={o.id} start={o.start} end={o.end} user={o.user} range={range} tz={tz} note={o.replaces ? `replaces ${o.replaces}` : undefined} />
            ))}
          </ul>
        </div>
      </div>
      <div className="sched-row sched-final">
        <span className="sched-label">Final</span>
        <div
          className={onSelectRange ? 'sched-track sched-selectable' : 'sched-track'}
          ref={track}
          data-testid="final-track"
          onPointerDown={down}
          onPointerMove={move}
          onPointerUp={up}
          onPointerCancel={cancel}
          onClickCapture={(e) => {
            if (suppressClick.current) {
              suppressClick.current = false;
              e.stopPropagation();
              e.preventDefault();
            }
          }}
        >
          {grid}
          {selP && <span className="sched-selection" style={{ left: `${selP.left}%`, width: `${selP.width}%` }} aria-hidden="true" />}
          <ul className="sched-blocks" aria-label="Final: who is on call">
            {final.map((s) => (
              <Block key={s.start + s.end + s.user} start={s.start} end={s.end} user={s.user} range={range} tz={tz} onPick={onPickShift ? () => onPickShift(s) : undefined} />
            ))}
          </ul>
        </div>
      </div>
    </div>
  );
}
