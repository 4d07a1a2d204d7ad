import type { CurvePoint } from '@/lib/recognition/calibration';
import styles from './recognition.module.css';

/**
 * A DET curve: false match rate (x) against false non-match rate (y), both on log scales, as
 * biometric evaluations draw them — down and to the left is better. Points where no impostor
 * matched are drawn at their 95 % upper bound with a hollow marker ("at most"), so a small
 * calibration cannot look perfect. Operating points in use are marked and labelled.
 *
 * Plain SVG, server- or client-rendered; readable on the dark theme and in print.
 */

export type Series = { label: string; points: CurvePoint[]; colour: string };
export type OperatingPoint = { label: string; threshold: number; fmr: number; fnmr: number };

type Props = {
  title: string;
  series: Series[];
  operatingPoints?: OperatingPoint[];
  width?: number;
  height?: number;
};

const MIN = 1e-6;
const PAD = { left: 58, right: 14, top: 14, bottom: 44 };

const log = (v: number) => Math.log10(Math.max(MIN, Math.min(1, v)));

export function DetChart({ title, series, operatingPoints = [], width = 460, height = 320 }: Props) {
  const innerW = width - PAD.left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  const decades = [-6, -5, -4, -3, -2, -1, 0];
  const yDecades = [-4, -3, -2, -1, 0];
  const x = (v: number) => PAD.left + ((log(v) - -6) / 6) * innerW;
  const y = (v: number) => PAD.top + (1 - (log(Math.max(v, 1e-4)) - -4) / 4) * innerH;
  const label = (d: number) => (d === 0 ? '1' : `10${superscript(d)}`);

  return (
    <figure className={styles.chart}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${title}: false non-match rate against false match rate, log scales`}
        className={styles.chartSvg}
      >
        {decades.map((d) => (
          <g key={`x${d}`}>
            <line x1={x(10 ** d)} x2={x(10 ** d)} y1={PAD.top} y2={PAD.top + innerH} className={styles.grid} />
            <text x={x(10 ** d)} y={height - PAD.bottom + 16} textAnchor="middle" className={styles.tick}>
              {label(d)}
            </text>
          </g>
        ))}
        {yDecades.map((d) => (
          <g key={`y${d}`}>
            <line x1={PAD.left} x2={PAD.left + innerW} y1={y(10 ** d)} y2={y(10 ** d)} className={styles.grid} />
            <text x={PAD.left - 6} y={y(10 ** d) + 4} textAnchor="end" className={styles.tick}>
              {label(d)}
            </text>
          </g>
        ))}
        <text x={PAD.left + innerW / 2} y={height - 6} textAnchor="middle" className={styles.axis}>
          false match rate (per comparison)
        </text>
        <text x={14} y={PAD.top + innerH / 2} textAnchor="middle" transform={`rotate(-90 14 ${PAD.top + innerH / 2})`} className={styles.axis}>
          false non-match rate
        </text>
        {series.map((s) => {
          const shown = s.points.filter((p) => p.fnmr > 0 || p.fmr > 0);
          const path = shown.map((p, i) => `${i ? 'L' : 'M'}${x(p.fmr > 0 ? p.fmr : p.fmrUpper).toFixed(1)},${y(p.fnmr).toFixed(1)}`).join(' ');
          return (
            <g key={s.label}>
              <path d={path} fill="none" stroke={s.colour} strokeWidth={2} />
              {shown
                .filter((p) => p.fmr === 0)
                .slice(-1)
                .map((p) => (
                  <circle key="bound" cx={x(p.fmrUpper)} cy={y(p.fnmr)} r={4} fill="none" stroke={s.colour} strokeWidth={1.5}>
                    <title>No impostor pair matched up to here: the false match rate is at most {p.fmrUpper.toExponential(1)} (95 %)</title>
                  </circle>
                ))}
            </g>
          );
        })}
        {operatingPoints.map((p, i) => (
          <g key={`${p.label}-${i}`} className={styles.operating}>
            <circle cx={x(p.fmr)} cy={y(p.fnmr)} r={5} />
            <text x={x(p.fmr) + 8} y={y(p.fnmr) - 6 - (i % 3) * 11} className={styles.operatingLabel}>
              {p.label}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className={styles.caption}>
        <strong>{title}</strong>
        {series.length > 1 ? (
          <ul className={styles.legend}>
            {series.map((s) => (
              <li key={s.label}>
                <span className={styles.swatch} style={{ background: s.colour }} aria-hidden="true" /> {s.label}
              </li>
            ))}
          </ul>
        ) : null}
      </figcaption>
    </figure>
  );
}

function superscript(n: number): string {
  const digits: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
  return String(n)
    .split('')
    .map((c) => digits[c] ?? c)
    .join('');
}
