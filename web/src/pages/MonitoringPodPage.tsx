import { Fragment } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../api.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { KpiFlagBadges } from '../components/KpiFlags.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { formatDateTime, formatLocalDate, formatNumber, formatRatio } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import { namesOf } from '../monitoring.ts';
import { useUser } from '../session.tsx';
import { allOf, type KpiGrouping, type KpiPerformance, type KpiPodDay, type KpiReportVersion } from '../types.ts';

const VERSION_ORDER = allOf<KpiPodDay['version']>()(['provisional', 'final']);

interface PodData {
  days: KpiPodDay[];
  assetProviders: Map<string, string>;
  retailers: Map<string, string>;
}

async function loadPod(pod: string, period: { from?: string; to?: string }, signal: AbortSignal): Promise<PodData> {
  const names = (groupBy: KpiGrouping) =>
    api.get<KpiPerformance>('/kpi/performance', { ...period, groupBy }, { signal });
  const [days, assetProviders, retailers] = await Promise.all([
    api.get<{ items: KpiPodDay[] }>(`/kpi/pods/${encodeURIComponent(pod)}`, period, { signal }),
    names('assetProvider'),
    names('retailer'),
  ]);
  return { days: days.items, assetProviders: namesOf(assetProviders.rows), retailers: namesOf(retailers.rows) };
}

/**
 * One supply point day by day, both versions of each day's computation side by side, and the history of the
 * reports received for a chosen day (every version, the superseded ones too).
 */
export function MonitoringPodPage() {
  const { t, label, language } = useLabels();
  const user = useUser();
  const { pod = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? undefined;
  const to = params.get('to') ?? undefined;
  const chosenDay = params.get('day');
  const data = useLoad((signal) => loadPod(pod, { from, to }, signal), `${pod}|${from}|${to}`);
  const history = useLoad(
    (signal) =>
      chosenDay
        ? api.get<{ items: KpiReportVersion[] }>('/kpi/reports', { pod, day: chosenDay }, { signal })
        : Promise.resolve(null),
    `${pod}|${chosenDay}`,
  );
  const n = (value: number | null) => (value === null ? '—' : formatNumber(value, language));

  const back = new URLSearchParams();
  for (const key of ['from', 'to', 'version']) if (params.get(key)) back.set(key, params.get(key)!);
  const chooseDay = (day: string) => {
    const next = new URLSearchParams(params);
    next.set('day', day);
    setParams(next, { replace: true, preventScrollReset: true });
  };

  const byDay = new Map<string, Partial<Record<'provisional' | 'final', KpiPodDay>>>();
  for (const d of data.data?.days ?? []) byDay.set(d.day, { ...byDay.get(d.day), [d.version]: d });
  const latest = data.data?.days[0];
  const participantName = (participant: KpiReportVersion['participant']) => {
    const names = participant.kind === 'retailer' ? data.data?.retailers : data.data?.assetProviders;
    const own = user.role === 'retailer' ? user.retailer : user.assetProvider;
    return (
      names?.get(participant.id) ?? (own?.id === participant.id ? own.name : label('kpiParticipant', participant.kind))
    );
  };

  return (
    <>
      <p className="breadcrumb">
        <Link to={`/monitoring${back.size ? `?${back}` : ''}`}>{t('kpiPod.back')}</Link>
      </p>
      <div className="page-head">
        <h1>{t('kpiPod.title', { pod })}</h1>
        <p className="lead">{t('kpiPod.intro')}</p>
      </div>
      <ErrorNotice error={data.error} />
      {data.loading && <Loading />}
      {data.data && data.data.days.length === 0 && <EmptyState>{t('kpiPod.none')}</EmptyState>}
      {data.data && latest && (
        <>
          <section className="card" aria-labelledby="pod-facts">
            <h2 id="pod-facts" className="visually-hidden">
              {t('kpiPod.facts')}
            </h2>
            <dl className="details details-compact">
              <dt>{t('common.assetProvider')}</dt>
              <dd>
                {latest.assetProviderId
                  ? (data.data.assetProviders.get(latest.assetProviderId) ?? label('kpiParticipant', 'asset_provider'))
                  : t('monitoring.noAssetProvider')}
              </dd>
              <dt>{t('monitoring.retailer')}</dt>
              <dd>
                {latest.retailerId
                  ? (data.data.retailers.get(latest.retailerId) ?? label('kpiParticipant', 'retailer'))
                  : t('monitoring.noRetailer')}
              </dd>
              {from && to && (
                <>
                  <dt>{t('monitoring.period')}</dt>
                  <dd>{t('kpiPod.period', { from: formatLocalDate(from), to: formatLocalDate(to) })}</dd>
                </>
              )}
            </dl>
          </section>
          <section aria-labelledby="pod-days">
            <h2 id="pod-days">{t('kpiPod.days')}</h2>
            <div className="table-wrap">
              <table className="pod-days" data-testid="pod-days">
                <caption className="visually-hidden">{t('kpiPod.days')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('monitoring.day')}</th>
                    <th scope="col">{t('monitoring.versionShort')}</th>
                    <th scope="col" className="num">
                      {t('monitoring.sentShort')}
                    </th>
                    <th scope="col" className="num">
                      {t('monitoring.receivedShort')}
                    </th>
                    <th scope="col" className="num">
                      {t('monitoring.performanceShort')}
                    </th>
                    <th scope="col">{t('monitoring.flags')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('kpiPod.history')}</span>
                    </th>
                  </tr>
                </thead>
                {[...byDay].map(([day, versions]) => (
                  <tbody key={day} className={day === chosenDay ? 'day-chosen' : undefined}>
                    {VERSION_ORDER.map((version, i) => {
                      const d = versions[version];
                      return (
                        <tr key={version}>
                          {i === 0 && (
                            <th scope="rowgroup" rowSpan={2} className="date">
                              {formatLocalDate(day)}
                            </th>
                          )}
                          <td>{label('kpiVersion', version)}</td>
                          {d ? (
                            <Fragment>
                              <td className="num">{n(d.sent)}</td>
                              <td className="num">{n(d.received)}</td>
                              <td className="num">{formatRatio(d.performance, language)}</td>
                              <td>
                                <KpiFlagBadges flags={d.flags} />
                              </td>
                            </Fragment>
                          ) : (
                            <td colSpan={4} className="muted">
                              {t('kpiPod.notYet')}
                            </td>
                          )}
                          {i === 0 && (
                            <td rowSpan={2} className="cell-actions">
                              <button
                                type="button"
                                className="button-secondary button-small"
                                aria-pressed={day === chosenDay}
                                aria-label={t('kpiPod.showHistoryOf', { day: formatLocalDate(day) })}
                                onClick={() => chooseDay(day)}
                              >
                                {t('kpiPod.showHistory')}
                              </button>
                            </td>
                          )}
                        </tr>
                      );
                    })}
                  </tbody>
                ))}
              </table>
            </div>
          </section>
          <section aria-labelledby="pod-history">
            <h2 id="pod-history">
              {chosenDay ? t('kpiPod.historyOf', { day: formatLocalDate(chosenDay) }) : t('kpiPod.history')}
            </h2>
            <p className="hint section-hint">{t('kpiPod.historyIntro')}</p>
            {!chosenDay && <EmptyState>{t('kpiPod.chooseDay')}</EmptyState>}
            <ErrorNotice error={history.error} />
            {chosenDay && history.loading && <Loading />}
            <p className="visually-hidden" role="status">
              {chosenDay && history.data
                ? t('kpiPod.historyLoaded', { count: history.data.items.length, day: formatLocalDate(chosenDay) })
                : ''}
            </p>
            {history.data && history.data.items.length === 0 && <EmptyState>{t('kpiPod.noHistory')}</EmptyState>}
            {history.data && history.data.items.length > 0 && (
              <div className="table-wrap">
                <table data-testid="report-history">
                  <caption className="visually-hidden">
                    {t('kpiPod.historyOf', { day: formatLocalDate(chosenDay) })}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('kpiPod.who')}</th>
                      <th scope="col" className="num">
                        {t('kpiPod.reportVersion')}
                      </th>
                      <th scope="col" className="num">
                        {t('monitoring.receivedShort')}
                      </th>
                      <th scope="col">{t('kpiPod.byType')}</th>
                      <th scope="col">{t('kpiPod.reportedAt')}</th>
                      <th scope="col">{t('common.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {history.data.items.map((r) => (
                      <tr key={`${r.participant.id}|${r.version}`}>
                        <td>
                          {participantName(r.participant)}
                          <span className="hint block">{label('kpiParticipant', r.participant.kind)}</span>
                        </td>
                        <td className="num">{n(r.version)}</td>
                        <td className="num">{n(r.received)}</td>
                        <td>
                          {r.receivedByType
                            ? Object.entries(r.receivedByType)
                                .map(([type, count]) => `${type} ${n(count)}`)
                                .join(' · ')
                            : '—'}
                        </td>
                        <td className="date">{formatDateTime(r.reportedAt, language)}</td>
                        <td>
                          {r.supersededAt ? (
                            <span className="badge badge-muted">
                              {t('kpiPod.superseded', { when: formatDateTime(r.supersededAt, language) })}
                            </span>
                          ) : (
                            <span className="badge badge-ok">{t('kpiPod.current')}</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}
