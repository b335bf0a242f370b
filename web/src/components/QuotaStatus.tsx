import { useLabels } from '../i18n.ts';
import { formatNumber } from '../format.ts';
import type { Quota } from '../types.ts';

/** "n of 100 used in the last 24 h", with a bar. */
export function QuotaStatus({ quota }: { quota: Quota }) {
  const { t, language } = useLabels();
  const ratio = quota.limit > 0 ? Math.min(1, quota.used / quota.limit) : 1;
  const left = Math.max(0, quota.limit - quota.used);
  return (
    <div className="quota">
      <p className="quota-text">
        {t('quota.used', {
          used: formatNumber(quota.used, language),
          limit: formatNumber(quota.limit, language),
          hours: quota.windowHours,
        })}
      </p>
      <div className={`bar${ratio >= 1 ? ' bar-full' : ''}`} aria-hidden="true">
        <span style={{ width: `${ratio * 100}%` }} />
      </div>
      <p className="hint">
        {left > 0 ? t('quota.left', { count: left, formatted: formatNumber(left, language) }) : t('quota.none')}
      </p>
    </div>
  );
}
