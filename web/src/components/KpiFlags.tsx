import { formatNumber } from '../format.ts';
import { useLabels } from '../i18n.ts';
import { KPI_FLAGS, type KpiFlag } from '../types.ts';

const TONES: Record<KpiFlag, 'bad' | 'warn' | 'info'> = {
  missing_report: 'warn',
  missing_meter_count: 'warn',
  inconsistent: 'bad',
  below_target: 'info',
};

/** The flags of one supply-point day, in words (a colour repeats the words); "none" when it has none. */
export function KpiFlagBadges({ flags }: { flags: readonly string[] }) {
  const { t, label } = useLabels();
  if (flags.length === 0) return <span className="muted">{t('monitoring.noFlags')}</span>;
  return (
    <ul className="flag-list">
      {flags.map((flag) => (
        <li key={flag}>
          <span className={`badge badge-${TONES[flag as KpiFlag] ?? 'muted'}`}>{label('kpiFlag', flag)}</span>
        </li>
      ))}
    </ul>
  );
}

/** The flags of a group of supply-point days counted in words: "3 without a report · 2 below the target". */
export function KpiFlagCounts({ flags }: { flags: Record<KpiFlag, number> }) {
  const { t, language } = useLabels();
  const present = KPI_FLAGS.filter((flag) => (flags[flag] ?? 0) > 0);
  if (present.length === 0) return <span className="muted">{t('monitoring.noFlags')}</span>;
  return (
    <ul className="flag-list flag-counts">
      {present.map((flag) => (
        <li key={flag}>
          {t(`monitoring.flagShort.${flag}`, { count: flags[flag], formatted: formatNumber(flags[flag], language) })}
        </li>
      ))}
    </ul>
  );
}
