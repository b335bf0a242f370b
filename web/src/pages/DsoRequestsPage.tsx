import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api.ts';
import { Field, SelectField } from '../components/Field.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDateTime, formatMac } from '../format.ts';
import { useCursorPages, useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import type { AssetProviderSummary, DsoRequestList } from '../types.ts';
import { normaliseMac } from '../validation.ts';

/** Every request across asset providers, searched by POD, DU MAC address, asset provider and state. */
export function DsoRequestsPage() {
  const { t, label, language } = useLabels();
  const [params, setParams] = useSearchParams();
  const pod = params.get('pod') ?? '';
  const mac = params.get('mac') ?? '';
  const assetProviderId = params.get('assetProviderId') ?? '';
  const state = params.get('state') ?? '';
  const [podInput, setPodInput] = useState(pod);
  const [macInput, setMacInput] = useState(mac);
  const providers = useLoad(
    (signal) => api.get<{ items: AssetProviderSummary[] }>('/asset-providers', undefined, { signal }),
    'providers',
  );
  const key = `${pod}|${mac}|${assetProviderId}|${state}`;
  const pages = useCursorPages(key);
  const list = useLoad(
    (signal) =>
      api.get<DsoRequestList>(
        '/dso/requests',
        { pod, mac, assetProviderId, state, cursor: pages.cursor, limit: 25 },
        { signal },
      ),
    `${key}|${pages.cursor}`,
  );

  const apply = (next: Partial<Record<'pod' | 'mac' | 'assetProviderId' | 'state', string>>) => {
    const merged = { pod, mac, assetProviderId, state, ...next };
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(merged))
      if (value.trim())
        search.set(name, name === 'assetProviderId' || name === 'state' ? value : value.trim().toUpperCase());
    setParams(search);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ pod: podInput, mac: normaliseMac(macInput) });
  };
  const filtered = Boolean(pod || mac || assetProviderId || state);

  return (
    <>
      <div className="page-head">
        <h1>{t('dsoRequests.title')}</h1>
        <p className="lead">{t('dsoRequests.intro')}</p>
      </div>
      <form className="filters" onSubmit={submit} role="search" aria-label={t('common.filters')}>
        <Field
          id="search-pod"
          label={t('common.pod')}
          value={podInput}
          onChange={setPodInput}
          placeholder="IT001E…"
          autoComplete="off"
        />
        <Field
          id="search-mac"
          label={t('du.macAddress')}
          value={macInput}
          onChange={setMacInput}
          placeholder="DC0A1B…"
          autoComplete="off"
        />
        <SelectField
          id="search-ap"
          label={t('common.assetProvider')}
          value={assetProviderId}
          onChange={(value) => apply({ assetProviderId: value })}
          options={[
            { value: '', label: t('common.all') },
            ...(providers.data?.items ?? []).map((p) => ({ value: p.id, label: p.name })),
          ]}
        />
        <SelectField
          id="search-state"
          label={t('requests.state')}
          value={state}
          onChange={(value) => apply({ state: value })}
          options={[
            { value: '', label: t('common.all') },
            { value: 'open', label: t('requests.open') },
            { value: 'closed', label: t('requests.closed') },
          ]}
        />
        <div className="filter-actions">
          <button type="submit">{t('common.search')}</button>
          {filtered && (
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setPodInput('');
                setMacInput('');
                setParams(new URLSearchParams());
              }}
            >
              {t('common.clearFilters')}
            </button>
          )}
        </div>
      </form>
      <ErrorNotice error={list.error} />
      {list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && (
        <EmptyState>{filtered ? t('dsoRequests.noneFiltered') : t('dsoRequests.none')}</EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('dsoRequests.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('requests.submittedAt')}</th>
                <th scope="col">{t('common.assetProvider')}</th>
                <th scope="col">{t('requests.kind')}</th>
                <th scope="col">{t('common.pod')}</th>
                <th scope="col">{t('du.macAddress')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('requests.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((r) => (
                <tr key={r.id}>
                  <td className="date">
                    <Link to={`/dso/requests/${r.id}`}>{formatDateTime(r.createdAt, language)}</Link>
                  </td>
                  <td>{r.assetProvider.name}</td>
                  <td>{label('requestKind', r.kind)}</td>
                  <td className="mono">{r.pod}</td>
                  <td className="mono">{formatMac(r.macAddress) || '—'}</td>
                  <td>
                    <StatusBadge group="requestStatus" code={r.status} />
                  </td>
                  <td>{r.reason ? label('requestReason', r.reason) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        pageNumber={pages.pageNumber}
        hasPrevious={pages.hasPrevious}
        nextCursor={list.data?.nextCursor}
        onPrevious={pages.previous}
        onNext={pages.next}
      />
    </>
  );
}
