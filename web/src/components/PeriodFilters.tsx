import { useState, type FormEvent } from 'react';
import { formatLocalDate } from '../format.ts';
import { useLabels } from '../i18n.ts';
import { MAX_PERIOD_DAYS, periodLength, VERSIONS, type Period } from '../monitoring.ts';
import type { KpiVersion } from '../types.ts';
import { parseDayFirstDate } from '../validation.ts';
import { Field } from './Field.tsx';

interface PeriodFiltersProps {
  period: Period;
  version: KpiVersion;
  onChange: (period: Period, version: KpiVersion) => void;
}

/**
 * The period (typed dd/mm/yyyy, applied with the button) and the version of the computation (applied at once), each
 * version explained in words. Remount it (key) when the period changes from outside, to show the new dates.
 */
export function PeriodFilters({ period, version, onChange }: PeriodFiltersProps) {
  const { t } = useLabels();
  const [from, setFrom] = useState(formatLocalDate(period.from));
  const [to, setTo] = useState(formatLocalDate(period.to));
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  // The radio follows the click at once (the page's address, hence `version`, changes a moment later).
  const [selected, setSelected] = useState(version);
  const [seenVersion, setSeenVersion] = useState(version);
  if (seenVersion !== version) {
    setSeenVersion(version);
    setSelected(version);
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fromDay = parseDayFirstDate(from);
    const toDay = parseDayFirstDate(to);
    const next: { from?: string; to?: string } = {};
    if (!fromDay) next.from = t('monitoring.invalidDate');
    if (!toDay) next.to = t('monitoring.invalidDate');
    if (fromDay && toDay && fromDay > toDay) next.from = t('monitoring.fromAfterTo');
    else if (fromDay && toDay && periodLength({ from: fromDay, to: toDay }) > MAX_PERIOD_DAYS)
      next.from = t('monitoring.tooLong', { days: MAX_PERIOD_DAYS });
    setErrors(next);
    if (next.from || next.to) {
      document.getElementById(next.from ? 'period-from' : 'period-to')?.focus();
      return;
    }
    onChange({ from: fromDay!, to: toDay! }, selected);
  };

  return (
    <form className="filters period-filters" onSubmit={submit} aria-label={t('monitoring.filters')} noValidate>
      <Field
        id="period-from"
        label={t('monitoring.from')}
        value={from}
        error={errors.from}
        inputMode="numeric"
        autoComplete="off"
        placeholder={t('common.datePlaceholder')}
        onChange={(value) => {
          setFrom(value);
          setErrors((e) => ({ ...e, from: undefined }));
        }}
      />
      <Field
        id="period-to"
        label={t('monitoring.to')}
        value={to}
        error={errors.to}
        inputMode="numeric"
        autoComplete="off"
        placeholder={t('common.datePlaceholder')}
        onChange={(value) => {
          setTo(value);
          setErrors((e) => ({ ...e, to: undefined }));
        }}
      />
      <div className="filter-actions">
        <button type="submit">{t('monitoring.show')}</button>
      </div>
      <fieldset className="version-options">
        <legend>{t('monitoring.version')}</legend>
        {VERSIONS.map((v) => (
          <div className="version-option" key={v}>
            <input
              type="radio"
              id={`version-${v}`}
              name="version"
              value={v}
              checked={selected === v}
              aria-describedby={`version-${v}-hint`}
              onChange={() => {
                setSelected(v);
                onChange(period, v);
              }}
            />
            <label htmlFor={`version-${v}`}>{t(`kpiVersion.${v}`)}</label>
            <p className="hint" id={`version-${v}-hint`}>
              {t(`monitoring.versionHint.${v}`)}
            </p>
          </div>
        ))}
      </fieldset>
    </form>
  );
}
