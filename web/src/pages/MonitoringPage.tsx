import { Link, useSearchParams } from 'react-router-dom';
import { api, apiUrl } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { KpiFlagBadges, KpiFlagCounts } from '../components/KpiFlags.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { PerformanceChart, performanceRange, type ChartSeries } from '../components/PerformanceChart.tsx';
import { PeriodFilters } from '../components/PeriodFilters.tsx';
import { formatLocalDate, formatNumber, formatRatio, formatShortDate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import {
  chartDays,
  dailyLine,
  defaultPeriod,
  isVersion,
  namesOf,
  seriesOf,
  totalsOf,
  type Period,
} from '../monitoring.ts';
import { useUser } from '../session.tsx';
import {
  KPI_FLAGS,
  type KpiDistribution,
  type KpiGrouping,
  type KpiGroupRow,
  type KpiPerformance,
  type KpiPodDay,
  type KpiVersion,
  type SessionUser,
} from '../types.ts';

/** How many of the worst supply-point days the table lists. */
const WORST_LIMIT = 20;

interface Overview {
  byDay: KpiPerformance;
  byAssetProvider: KpiPerformance;
  byRetailer: KpiPerformance;
  distribution: KpiDistribution;
  worst: KpiPodDay[];
  /** The DSO's figures per day and company (one chart line each); null for the others. */
  perDay: { assetProviders: KpiGroupRow[]; retailers: KpiGroupRow[] } | null;
}

async function loadOverview(period: Period, version: KpiVersion, dso: boolean, signal: AbortSignal): Promise<Overview> {
  const query = { ...period, version };
  const performance = (groupBy: KpiGrouping) =>
    api.get<KpiPerformance>('/kpi/performance', { ...query, groupBy }, { signal });
  const [byDay, byAssetProvider, byRetailer, distribution, worst, dayAndAssetProvider, dayAndRetailer] =
    await Promise.all([
      performance('day'),
      performance('assetProvider'),
      performance('retailer'),
      api.get<KpiDistribution>('/kpi/distribution', query, { signal }),
      api.get<{ items: KpiPodDay[] }>('/kpi/pods', { ...query, limit: WORST_LIMIT }, { signal }),
      dso ? performance('dayAndAssetProvider') : null,
      dso ? performance('dayAndRetailer') : null,
    ]);
  const perDay =
    dayAndAssetProvider && dayAndRetailer
      ? { assetProviders: dayAndAssetProvider.rows, retailers: dayAndRetailer.rows }
      : null;
  return { byDay, byAssetProvider, byRetailer, distribution, worst: worst.items, perDay };
}

/** The company whose figures the user sees (null for the DSO, who sees all). */
function companyOf(user: SessionUser): string | null {
  if (user.role === 'asset_provider') return user.assetProvider?.name ?? null;
  if (user.role === 'retailer') return user.retailer?.name ?? null;
  return null;
}

/**
 * Monitoring of the Chain 2 (CHAIN2.md §5) for every role, on the figures the API lets the caller see: headline
 * figures, performance per day (per company for the DSO) against the target, the distribution across supply points,
 * the worst supply-point days (to the drill-down), the tables per asset provider and retailer (DSO), CSV exports.
 */
export function MonitoringPage() {
  const { t, language } = useLabels();
  const user = useUser();
  const dso = user.role === 'dso_operator';
  const [params, setParams] = useSearchParams();
  const versionParam = params.get('version');
  const version: KpiVersion = isVersion(versionParam) ? versionParam : 'latest';
  const fromParam = params.get('from');
  const toParam = params.get('to');
  const chosen = fromParam && toParam ? { from: fromParam, to: toParam } : null;
  const fallback = useLoad(
    (signal) => (chosen ? Promise.resolve(null) : defaultPeriod(signal)),
    chosen ? 'chosen' : 'default',
  );
  const period = chosen ?? (fallback.data ? { from: fallback.data.from, to: fallback.data.to } : null);
  const periodKey = period ? `${period.from}|${period.to}|${version}` : '';
  const overview = useLoad(
    (signal) => (period ? loadOverview(period, version, dso, signal) : Promise.resolve(null)),
    `${periodKey}|${dso}`,
  );

  const apply = (next: Period, nextVersion: KpiVersion) => {
    const search = new URLSearchParams({ from: next.from, to: next.to });
    if (nextVersion !== 'latest') search.set('version', nextVersion);
    setParams(search);
  };
  const query = period ? { ...period, version } : {};
  const company = companyOf(user);
  const data = overview.data;
  const empty = data && data.byDay.rows.length === 0;
  // The hour the platform computes a day at, as it says (KPI_CUTOFF_HOUR may differ from the default).
  const cutoff = data ? `${String(data.byDay.cutoffHour).padStart(2, '0')}:00` : '';

  return (
    <>
      <div className="page-head with-action">
        <h1>{t('monitoring.title')}</h1>
        {period && !empty && (
          <a
            className="button button-secondary"
            href={apiUrl('/kpi/performance.csv', { ...query, groupBy: 'day' })}
            download
          >
            {t('monitoring.exportByDay')}
          </a>
        )}
      </div>
      <p className="lead">
        {t('monitoring.intro')}{' '}
        {company
          ? t(user.role === 'retailer' ? 'monitoring.scopeRetailer' : 'monitoring.scopeAssetProvider', { company })
          : t('monitoring.scopeDso')}
      </p>
      <ErrorNotice error={fallback.error} />
      {period && (
        <PeriodFilters key={`${period.from}|${period.to}`} period={period} version={version} onChange={apply} />
      )}
      <ErrorNotice error={overview.error} />
      {(fallback.loading || (period && overview.loading)) && <Loading />}
      {empty && (
        <EmptyState>
          <p>
            <strong>{chosen ? t('monitoring.emptyPeriod') : t('monitoring.emptyYet')}</strong>
          </p>
          <p>
            {t('monitoring.emptyExplain', { hour: cutoff })}
            {chosen ? '' : ` ${t('monitoring.emptyFirstDay', { hour: cutoff })}`}
          </p>
        </EmptyState>
      )}
      {data && period && !empty && (
        <OverviewSections
          data={data}
          period={period}
          version={version}
          query={query}
          company={company}
          role={user.role}
          language={language}
        />
      )}
    </>
  );
}

interface SectionsProps {
  data: Overview;
  period: Period;
  version: KpiVersion;
  query: Record<string, string>;
  company: string | null;
  role: SessionUser['role'];
  language: string;
}

function OverviewSections({ data, period, version, query, company, role, language }: SectionsProps) {
  const dso = role === 'dso_operator';
  const { t, label } = useLabels();
  const totals = totalsOf(data.byRetailer.rows);
  // Supply points of the period: the most on one day (the API keeps counts per day, not which supply points they were).
  const busiestDay = Math.max(0, ...data.byDay.rows.map((row) => row.pods));
  const target = data.byDay.target;
  const n = (value: number) => formatNumber(value, language);
  const percent = (value: number | null) => formatRatio(value, language);
  const assetProviders = namesOf(data.byAssetProvider.rows);
  const retailers = namesOf(data.byRetailer.rows);
  const podLink = (pod: string) =>
    `/monitoring/pods/${encodeURIComponent(pod)}?${new URLSearchParams({ ...query, version: query.version ?? 'latest' })}`;
  const belowTarget = totals.performance !== null && totals.performance < target;
  // A company's user sees only its own supply points: no column naming itself on every line.
  const showAssetProvider = role !== 'asset_provider';
  const showRetailer = role !== 'retailer';
  // Just under the target yet rounding to it (98,96 % → 99,0 %): one more decimal, or the figure contradicts its note.
  const headlinePercent =
    belowTarget && Math.round(totals.performance! * 1000) >= Math.round(target * 1000)
      ? formatRatio(totals.performance, language, 2)
      : percent(totals.performance);
  const companiesHeader = !showAssetProvider
    ? t('monitoring.retailer')
    : !showRetailer
      ? t('common.assetProvider')
      : t('monitoring.assetProviderAndRetailer');

  return (
    <>
      <section className="card" aria-labelledby="headline-title">
        <div className="section-head">
          <h2 id="headline-title">{t('monitoring.headline')}</h2>
          <p className="hint">
            {t('monitoring.periodLine', {
              from: formatLocalDate(period.from),
              to: formatLocalDate(period.to),
              version: label('kpiVersion', version).toLocaleLowerCase(language),
            })}
          </p>
        </div>
        <ul className="stats stats-row headline" data-testid="headline">
          <li className={`stat-main ${belowTarget ? 'stat-below' : 'stat-ok'}`}>
            <span className="stat-value">{headlinePercent}</span>
            <span className="stat-label">{t('monitoring.performance')}</span>
            <span className="stat-note">
              {totals.performance === null
                ? t('monitoring.noPerformance')
                : t(belowTarget ? 'monitoring.belowTarget' : 'monitoring.onTarget', { target: percent(target) })}
            </span>
          </li>
          <li>
            <span className="stat-value">{n(busiestDay)}</span>
            <span className="stat-label">{t('monitoring.pods')}</span>
          </li>
          <li>
            <span className="stat-value">{n(totals.podDays)}</span>
            <span className="stat-label">{t('monitoring.podDays')}</span>
          </li>
          <li>
            <span className="stat-value">{n(totals.sent)}</span>
            <span className="stat-label">{t('monitoring.sent')}</span>
          </li>
          <li>
            <span className="stat-value">{n(totals.received)}</span>
            <span className="stat-label">{t('monitoring.received')}</span>
          </li>
        </ul>
        <p className="hint">{t('monitoring.performanceHint')}</p>
        <h3>{t('monitoring.flagsTitle')}</h3>
        <ul className="flag-summary">
          {KPI_FLAGS.map((flag) => (
            <li key={flag} className={totals.flags[flag] > 0 ? 'flag-present' : undefined}>
              {t(`monitoring.flagCount.${flag}`, { count: totals.flags[flag], formatted: n(totals.flags[flag]) })}
            </li>
          ))}
        </ul>
      </section>

      <div className="grid grid-2 charts">
        <DailyCharts data={data} company={company} language={language} />
        <section className={`card${data.perDay ? ' span-all' : ''}`} aria-labelledby="distribution-title">
          <h2 id="distribution-title">{t('monitoring.distributionTitle')}</h2>
          <PerformanceChart
            kind="bar"
            title={t('monitoring.distributionChart')}
            description={t('monitoring.distributionDescription')}
            labels={data.distribution.buckets.map((b) => bucketLabel(b.bucket, language))}
            labelHeader={t('monitoring.band')}
            series={[
              {
                label: t('monitoring.podDays'),
                values: data.distribution.buckets.map((b) => b.podDays),
                colors: data.distribution.buckets.map((_, i, bands) => bandColor(bands.length - 1 - i)),
              },
            ]}
            format={(value) => formatNumber(value, language)}
          />
        </section>
      </div>

      <section aria-labelledby="worst-title">
        <div className="section-head">
          <h2 id="worst-title">{t('monitoring.worstTitle')}</h2>
          <a href={apiUrl('/kpi/performance.csv', { ...query, groupBy: 'pod' })} download>
            {t('monitoring.exportByPod')}
          </a>
        </div>
        <p className="hint section-hint">{t('monitoring.worstHint', { count: WORST_LIMIT })}</p>
        {data.worst.length === 0 ? (
          <EmptyState>{t('monitoring.noPodDays')}</EmptyState>
        ) : (
          <div className="table-wrap">
            <table data-testid="worst-pods" className="kpi-table">
              <caption className="visually-hidden">{t('monitoring.worstTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('common.pod')}</th>
                  <th scope="col">{t('monitoring.dayAndVersion')}</th>
                  <th scope="col">{companiesHeader}</th>
                  <th scope="col" className="num">
                    {t('monitoring.performanceShort')}
                    <span className="th-note">{t('monitoring.receivedOfSent')}</span>
                  </th>
                  <th scope="col">{t('monitoring.flags')}</th>
                </tr>
              </thead>
              <tbody>
                {data.worst.map((d) => (
                  <tr key={`${d.pod}|${d.day}|${d.version}`}>
                    <td className="mono">
                      <Link to={podLink(d.pod)}>{d.pod}</Link>
                    </td>
                    <td className="date">
                      {formatLocalDate(d.day)}
                      <span className="hint block">{label('kpiVersion', d.version)}</span>
                    </td>
                    <td className="company">
                      {showAssetProvider && (
                        <span className="block">
                          {nameOr(assetProviders, d.assetProviderId, t('monitoring.noAssetProvider'))}
                        </span>
                      )}
                      {showRetailer && (
                        <span className={showAssetProvider ? 'hint block' : 'block'}>
                          {nameOr(retailers, d.retailerId, t('monitoring.noRetailer'))}
                        </span>
                      )}
                    </td>
                    <td className="num">
                      {percent(d.performance)}
                      <span className="hint block">
                        {d.received === null ? '—' : n(d.received)} / {d.sent === null ? '—' : n(d.sent)}
                      </span>
                    </td>
                    <td className="flags">
                      <KpiFlagBadges flags={d.flags} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {dso && (
        <>
          <GroupTable
            id="by-asset-provider"
            title={t('monitoring.byAssetProvider')}
            nameHeader={t('common.assetProvider')}
            none={t('monitoring.noAssetProvider')}
            rows={data.byAssetProvider.rows}
            exportHref={apiUrl('/kpi/performance.csv', { ...query, groupBy: 'assetProvider' })}
            exportLabel={t('monitoring.exportByAssetProvider')}
            language={language}
          />
          <GroupTable
            id="by-retailer"
            title={t('monitoring.byRetailer')}
            nameHeader={t('monitoring.retailer')}
            none={t('monitoring.noRetailer')}
            rows={data.byRetailer.rows}
            exportHref={apiUrl('/kpi/performance.csv', { ...query, groupBy: 'retailer' })}
            exportLabel={t('monitoring.exportByRetailer')}
            language={language}
          />
        </>
      )}
    </>
  );
}

function nameOr(names: Map<string, string>, id: string | null, none: string): string {
  return id ? (names.get(id) ?? none) : none;
}

/** '90-99.5' → '90–99,5 %' (Italian) or '90–99.5%' (English). */
function bucketLabel(bucket: string, language: string): string {
  const [low = '', high = ''] = language.startsWith('en') ? bucket.split('-') : bucket.replaceAll('.', ',').split('-');
  return language.startsWith('en') ? `${low}–${high}%` : `${low}–${high}\u00a0%`;
}

/**
 * The API's bands are in order, the last one at or above the target (its edge follows the target, so its name is
 * not fixed): green at or above, amber just below, red further down.
 */
function bandColor(belowTheTop: number): string {
  return belowTheTop === 0 ? '#007a5a' : belowTheTop === 1 ? '#c15a00' : '#a3141b';
}

/** Performance per day: one chart per grouping with a line per company for the DSO, the caller's own line otherwise. */
interface DailyChartsProps {
  data: Overview;
  company: string | null;
  language: string;
}

function DailyCharts({ data, company, language }: DailyChartsProps) {
  const { t } = useLabels();
  const days = chartDays(data.byDay.rows);
  const target = data.byDay.target;
  const format = (value: number) => formatRatio(value, language);
  const overall = dailyLine(data.byDay.rows, days);
  const targetLine: ChartSeries = {
    label: t('monitoring.targetLine', { target: formatRatio(target, language) }),
    values: days.map(() => target),
    role: 'target',
  };
  const common = {
    kind: 'line' as const,
    labels: days.map(formatShortDate),
    tableLabels: days.map(formatLocalDate),
    labelHeader: t('monitoring.day'),
    format,
    description: t('monitoring.dailyDescription', { target: formatRatio(target, language) }),
  };
  if (!data.perDay) {
    const own: ChartSeries = { label: company ?? t('monitoring.overall'), values: overall, role: 'overall' };
    const title = t('monitoring.dailyOwnChart', { company: own.label });
    return (
      <section className="card" aria-labelledby="daily-title">
        <h2 id="daily-title">{title}</h2>
        <PerformanceChart
          {...common}
          title={title}
          captionHidden
          series={[own, targetLine]}
          yRange={performanceRange(overall, target)}
        />
      </section>
    );
  }
  const total: ChartSeries = { label: t('monitoring.overall'), values: overall, role: 'overall' };
  const linesBy = (perDay: readonly KpiGroupRow[], rows: readonly KpiGroupRow[], none: string): ChartSeries[] => {
    const names = namesOf(rows);
    return [...seriesOf(perDay, days)]
      .map(([key, values]) => ({ label: names.get(key) ?? none, values }))
      .sort((a, b) => a.label.localeCompare(b.label));
  };
  const byAssetProvider = linesBy(
    data.perDay.assetProviders,
    data.byAssetProvider.rows,
    t('monitoring.noAssetProvider'),
  );
  const byRetailer = linesBy(data.perDay.retailers, data.byRetailer.rows, t('monitoring.noRetailer'));
  const all = [overall, ...byAssetProvider.map((s) => s.values), ...byRetailer.map((s) => s.values)].flat();
  const yRange = performanceRange(all, target);
  return (
    <>
      <section className="card" aria-labelledby="daily-ap-title">
        <h2 id="daily-ap-title">{t('monitoring.dailyByAssetProvider')}</h2>
        <PerformanceChart
          {...common}
          title={t('monitoring.dailyByAssetProvider')}
          captionHidden
          series={[total, ...byAssetProvider, targetLine]}
          yRange={yRange}
        />
      </section>
      <section className="card" aria-labelledby="daily-retailer-title">
        <h2 id="daily-retailer-title">{t('monitoring.dailyByRetailer')}</h2>
        <PerformanceChart
          {...common}
          title={t('monitoring.dailyByRetailer')}
          captionHidden
          series={[total, ...byRetailer, targetLine]}
          yRange={yRange}
        />
      </section>
    </>
  );
}

interface GroupTableProps {
  id: string;
  title: string;
  nameHeader: string;
  none: string;
  rows: KpiGroupRow[];
  exportHref: string;
  exportLabel: string;
  language: string;
}

/** The figures per asset provider or per retailer over the period. */
function GroupTable({ id, title, nameHeader, none, rows, exportHref, exportLabel, language }: GroupTableProps) {
  const { t } = useLabels();
  const n = (value: number) => formatNumber(value, language);
  const sorted = [...rows].sort((a, b) =>
    a.key === 'none' ? 1 : b.key === 'none' ? -1 : a.label.localeCompare(b.label),
  );
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 id={`${id}-title`}>{title}</h2>
        <a href={exportHref} download>
          {exportLabel}
        </a>
      </div>
      {rows.length === 0 ? (
        <EmptyState>{t('monitoring.noPodDays')}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table data-testid={id} className="kpi-table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{nameHeader}</th>
                <th scope="col" className="num">
                  {t('monitoring.pods')}
                </th>
                <th scope="col" className="num">
                  {t('monitoring.podDays')}
                </th>
                <th scope="col" className="num">
                  {t('monitoring.receivedOfSent')}
                </th>
                <th scope="col" className="num">
                  {t('monitoring.performanceShort')}
                </th>
                <th scope="col">{t('monitoring.flags')}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.key === 'none' || !row.label ? none : row.label}</th>
                  <td className="num">{n(row.pods)}</td>
                  <td className="num">{n(row.podDays)}</td>
                  <td className="num">
                    {n(row.received)} / {n(row.sent)}
                  </td>
                  <td className="num">{formatRatio(row.performance, language)}</td>
                  <td className="flags">
                    <KpiFlagCounts flags={row.flags} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
