import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { Field } from '../components/Field.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { formatDateTime, formatLocalDate, formatNumber, formatRatio } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import { addDays } from '../monitoring.ts';
import type { CollectionStatus, ConcentratorCollection, KpiPerformance } from '../types.ts';
import { parseDayFirstDate } from '../validation.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A day being collected changes as the runs come in; a day already done rarely does. */
const REFRESH_MS = 10_000;

const collectionOf = (day: string, signal: AbortSignal) =>
  api.get<CollectionStatus>('/telemanagement/collection', { day }, { signal });

/** A day has collection data once a run has read it (every concentrator is listed even before: all missing). */
const hasCollection = (status: CollectionStatus) => status.totals.lastAttemptAt !== null;

/**
 * Yesterday on the meters' clock, which in the demo runs ahead of the wall clock (×60): the monitoring API's default
 * period ends there (`to` of GET /kpi/performance, computed on the meters' clock like the collection).
 */
async function metersYesterday(signal: AbortSignal): Promise<string> {
  return (await api.get<KpiPerformance>('/kpi/performance', { groupBy: 'day' }, { signal })).to;
}

/**
 * The latest day with collection data: the meters' yesterday once its run has started (after the collection start
 * hour of today), else the day before; the meters' yesterday when neither has any (a platform just installed).
 */
async function latestCollectedDay(yesterday: string, signal: AbortSignal): Promise<string> {
  for (const day of [yesterday, addDays(yesterday, -1)]) {
    if (hasCollection(await collectionOf(day, signal))) return day;
  }
  return yesterday;
}

/** Link time as hours with one decimal (simulated seconds of power-line link time). */
const hours = (seconds: number, language: string) => formatNumber(seconds / 3600, language, 1);
/** Link time of one concentrator, in minutes (a day's reads of ~100 meters take minutes, not hours). */
const minutes = (seconds: number, language: string) => formatNumber(seconds / 60, language, 1);

/**
 * The Chain 1 daily collection of one day (issue #13), for DSO operators: totals, then the concentrators worst first
 * (most missing meters, then most late). The day is chosen in the address (`?day=YYYY-MM-DD`); by default the latest
 * day with data on the meters' clock. Refreshed every 10 s while a day's runs come in.
 */
export function CollectionPage() {
  const { t } = useLabels();
  const [params, setParams] = useSearchParams();
  const dayParam = params.get('day');
  const chosen = dayParam && DAY.test(dayParam) ? dayParam : null;
  const clock = useLoad(metersYesterday, 'clock');
  usePolling(() => clock.reload(true), 60_000, true);
  const fallback = useLoad(
    (signal) => (chosen || !clock.data ? Promise.resolve(null) : latestCollectedDay(clock.data, signal)),
    chosen ? 'chosen' : clock.data ? 'default' : 'waiting',
  );
  const day = chosen ?? fallback.data ?? null;
  const status = useLoad((signal) => (day ? collectionOf(day, signal) : Promise.resolve(null)), day ?? '');
  usePolling(() => status.reload(true), REFRESH_MS, day !== null);

  const show = (next: string) => setParams({ day: next });
  const latest = clock.data ?? null;
  const s = status.data;
  const error = clock.error ?? fallback.error ?? status.error;
  return (
    <>
      <div className="page-head with-action">
        <h1>{t('collection.title')}</h1>
        <Link className="button button-secondary" to="/dso/telemanagement">
          {t('collection.toTelemanagement')}
        </Link>
      </div>
      <p className="lead">{t('collection.intro')}</p>
      {day && (
        <DayPicker key={day} day={day} canGoForward={latest === null || day < latest} latest={latest} onChange={show} />
      )}
      <ErrorNotice error={error} />
      {(status.loading || (!day && !error)) && <Loading />}
      {s && day && !hasCollection(s) && (
        <EmptyState>
          <p>{t('collection.empty', { day: formatLocalDate(day) })}</p>
          {latest && day >= latest && <p>{t('collection.emptyNotYet')}</p>}
        </EmptyState>
      )}
      {s && hasCollection(s) && <CollectionDay status={s} />}
    </>
  );
}

interface DayPickerProps {
  day: string;
  /** The meters' yesterday: the last day that can have been collected (null while unknown). */
  latest: string | null;
  canGoForward: boolean;
  onChange: (day: string) => void;
}

/** The day typed as dd/mm/yyyy (applied with the button) or moved a day back or forward. Remount it (key) on a new day. */
function DayPicker({ day, latest, canGoForward, onChange }: DayPickerProps) {
  const { t } = useLabels();
  const [text, setText] = useState(formatLocalDate(day));
  const [issue, setIssue] = useState<string | undefined>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const typed = parseDayFirstDate(text);
    const problem = !typed
      ? t('collection.invalidDay')
      : latest && typed > latest
        ? t('collection.dayTooLate', { day: formatLocalDate(latest) })
        : undefined;
    setIssue(problem);
    if (problem || !typed) {
      document.getElementById('collection-day')?.focus();
      return;
    }
    onChange(typed);
  };
  return (
    <form className="filters day-picker" onSubmit={submit} aria-label={t('collection.dayPicker')} noValidate>
      <button
        type="button"
        className="button-secondary"
        onClick={() => onChange(addDays(day, -1))}
        aria-label={t('collection.previousDayNamed', { day: formatLocalDate(addDays(day, -1)) })}
      >
        {t('collection.previousDay')}
      </button>
      <Field
        id="collection-day"
        label={t('collection.day')}
        value={text}
        error={issue}
        inputMode="numeric"
        autoComplete="off"
        placeholder={t('common.datePlaceholder')}
        onChange={(value) => {
          setText(value);
          setIssue(undefined);
        }}
      />
      <div className="filter-actions">
        <button type="submit">{t('collection.show')}</button>
      </div>
      <button
        type="button"
        className="button-secondary"
        disabled={!canGoForward}
        onClick={() => onChange(addDays(day, 1))}
        aria-label={t('collection.nextDayNamed', { day: formatLocalDate(addDays(day, 1)) })}
      >
        {t('collection.nextDay')}
      </button>
    </form>
  );
}

/** Totals as cards, then the concentrators worst first; missing and late meters stand out where there are any. */
function CollectionDay({ status }: { status: CollectionStatus }) {
  const { t, language } = useLabels();
  const n = (value: number) => formatNumber(value, language);
  const { totals } = status;
  const caption = t('collection.tableCaption', { day: formatLocalDate(status.day) });
  return (
    <>
      <ul className="stats stats-row" aria-label={t('collection.totals', { day: formatLocalDate(status.day) })}>
        <li>
          <span className="stat-value">{n(totals.concentrators)}</span>
          <span className="stat-label">{t('collection.concentrators')}</span>
        </li>
        <li>
          <span className="stat-value">{n(totals.meters)}</span>
          <span className="stat-label">{t('collection.meters')}</span>
        </li>
        <li>
          <span className="stat-value">{formatRatio(ratio(totals), language)}</span>
          <span className="stat-label">{t('collection.collectedShare', { collected: n(totals.collected) })}</span>
        </li>
        <li className={totals.late > 0 ? 'stat-warn' : undefined}>
          <span className="stat-value">{n(totals.late)}</span>
          <span className="stat-label">{t('collection.late')}</span>
        </li>
        <li className={totals.missing > 0 ? 'stat-bad' : undefined}>
          <span className="stat-value">{n(totals.missing)}</span>
          <span className="stat-label">{t('collection.missing')}</span>
        </li>
        <li>
          <span className="stat-value">{hours(totals.linkSeconds, language)}</span>
          <span className="stat-label">{t('collection.linkHours')}</span>
        </li>
      </ul>
      <p className="hint section-hint">
        {t('collection.lastAttempt', { at: formatDateTime(totals.lastAttemptAt, language) })}
      </p>
      <div className="table-wrap">
        <table className="collection-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t('collection.concentrator')}</th>
              <th scope="col" className="num">
                {t('collection.metersShort')}
              </th>
              <th scope="col" className="num">
                {t('collection.collected')}
              </th>
              <th scope="col" className="num">
                {t('collection.collectedPercent')}
              </th>
              <th scope="col" className="num">
                {t('collection.lateShort')}
              </th>
              <th scope="col" className="num">
                {t('collection.missingShort')}
              </th>
              <th scope="col">{t('collection.lastAttemptAt')}</th>
              <th scope="col" className="num">
                {t('collection.linkMinutes')}
              </th>
            </tr>
          </thead>
          <tbody>
            {status.concentrators.map((c) => (
              <tr key={c.concentratorId}>
                <th scope="row" className="mono">
                  {c.concentratorId}
                </th>
                <td className="num">{n(c.meters)}</td>
                <td className="num">{n(c.collected)}</td>
                <td className="num">{formatRatio(ratio(c), language)}</td>
                <td className="num">
                  <Count value={c.late} tone="warn" />
                </td>
                <td className="num">
                  <Count value={c.missing} tone="bad" />
                </td>
                <td className="date">{c.lastAttemptAt ? formatDateTime(c.lastAttemptAt, language) : '—'}</td>
                <td className="num">{minutes(c.linkSeconds, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Collected of expected; null (shown as —) for no meters. */
function ratio(row: Pick<ConcentratorCollection, 'meters' | 'collected'>): number | null {
  return row.meters > 0 ? row.collected / row.meters : null;
}

/** A count, as a badge when above zero (the number says it; the colour only draws the eye). */
function Count({ value, tone }: { value: number; tone: 'warn' | 'bad' }) {
  const { language } = useLabels();
  const text = formatNumber(value, language);
  return value > 0 ? <span className={`badge badge-${tone}`}>{text}</span> : <>{text}</>;
}
