import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { SelectField } from '../components/Field.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDate } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import { allOf, type AssetProviderSummary } from '../types.ts';

export const ONBOARDING_STATUSES = allOf<AssetProviderSummary['status']>()([
  'applied',
  'contract_received',
  'du_certified',
  'consent_received',
  'active',
  'suspended',
]);

/** Asset providers with their onboarding status; "new asset provider" starts an application. */
export function AssetProvidersPage() {
  const { t, label, language } = useLabels();
  const list = useLoad(
    (signal) => api.get<{ items: AssetProviderSummary[] }>('/asset-providers', undefined, { signal }),
    'providers',
  );
  const [status, setStatus] = useState('');
  const items = (list.data?.items ?? []).filter((p) => !status || p.status === status);
  return (
    <>
      <div className="page-head with-action">
        <h1>{t('onboarding.title')}</h1>
        <Link className="button" to="/dso/asset-providers/new">
          {t('onboarding.new')}
        </Link>
      </div>
      <p className="lead">{t('onboarding.intro')}</p>
      <div className="filters" role="search" aria-label={t('common.filters')}>
        <SelectField
          id="filter-ap-status"
          label={t('common.status')}
          value={status}
          onChange={setStatus}
          options={[
            { value: '', label: t('common.all') },
            ...ONBOARDING_STATUSES.map((s) => ({ value: s, label: label('assetProviderStatus', s) })),
          ]}
        />
      </div>
      <ErrorNotice error={list.error} />
      {list.loading && <Loading />}
      {list.data && items.length === 0 && (
        <EmptyState>{status ? t('onboarding.noneFiltered') : t('onboarding.none')}</EmptyState>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('onboarding.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('onboarding.name')}</th>
                <th scope="col">{t('onboarding.vatNumber')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('onboarding.appliedOn')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/dso/asset-providers/${p.id}`}>{p.name}</Link>
                  </td>
                  <td className="mono">{p.vatNumber}</td>
                  <td>
                    <StatusBadge group="assetProviderStatus" code={p.status} />
                  </td>
                  <td className="date">{formatDate(p.createdAt, language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
