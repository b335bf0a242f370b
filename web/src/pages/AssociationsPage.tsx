import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api.ts';
import { Field, SelectField } from '../components/Field.tsx';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { EmptyState, Loading } from '../components/Loading.tsx';
import { Pager } from '../components/Pager.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { formatDateTime, formatMac, maskedKey } from '../format.ts';
import { useCursorPages, useLoad } from '../hooks.ts';
import { useLabels } from '../i18n.ts';
import { allOf, type Association, type AssociationList } from '../types.ts';

const STATUSES = allOf<Association['status']>()(['pending', 'active', 'rejected', 'deleted']);
export const PAGE_SIZE = 20;

/** The asset provider's associations, newest first, filtered by POD and status (kept in the address). */
export function AssociationsPage() {
  const { t, label, language } = useLabels();
  const [params, setParams] = useSearchParams();
  const pod = params.get('pod') ?? '';
  const status = params.get('status') ?? '';
  const [podInput, setPodInput] = useState(pod);
  const pages = useCursorPages(`${pod}|${status}`);
  const list = useLoad(
    (signal) =>
      api.get<AssociationList>('/associations', { pod, status, cursor: pages.cursor, limit: PAGE_SIZE }, { signal }),
    `${pod}|${status}|${pages.cursor}`,
  );

  const apply = (next: { pod?: string; status?: string }) => {
    const merged = { pod, status, ...next };
    const search = new URLSearchParams();
    if (merged.pod) search.set('pod', merged.pod.trim().toUpperCase());
    if (merged.status) search.set('status', merged.status);
    setParams(search);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ pod: podInput });
  };
  const filtered = Boolean(pod || status);

  return (
    <>
      <div className="page-head with-action">
        <h1>{t('associations.title')}</h1>
        <Link className="button" to="/associations/new">
          {t('associations.new')}
        </Link>
      </div>
      <form className="filters" onSubmit={submit} role="search" aria-label={t('common.filters')}>
        <Field
          id="filter-pod"
          label={t('common.pod')}
          value={podInput}
          onChange={setPodInput}
          placeholder="IT001E…"
          autoComplete="off"
        />
        <SelectField
          id="filter-status"
          label={t('common.status')}
          value={status}
          onChange={(value) => apply({ status: value })}
          options={[
            { value: '', label: t('common.all') },
            ...STATUSES.map((s) => ({ value: s, label: label('associationStatus', s) })),
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
        <EmptyState>
          {filtered ? (
            t('associations.noneFiltered')
          ) : (
            <>
              {t('associations.none')} <Link to="/associations/new">{t('associations.new')}</Link>
            </>
          )}
        </EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t('associations.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('common.pod')}</th>
                <th scope="col">{t('du.name')}</th>
                <th scope="col">{t('du.macAddress')}</th>
                <th scope="col">{t('du.encryptionKey')}</th>
                <th scope="col">{t('common.status')}</th>
                <th scope="col">{t('associations.createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => (
                <tr key={a.id}>
                  <td className="mono">
                    <Link to={`/associations/${a.id}`}>{a.pod}</Link>
                  </td>
                  <td>{a.du.name}</td>
                  <td className="mono">{formatMac(a.du.macAddress)}</td>
                  <td className="mono">
                    <span aria-hidden="true">{maskedKey(a.du.encryptionKey)}</span>
                    <span className="visually-hidden">
                      {t('du.keyMaskedLabel', { last4: maskedKey(a.du.encryptionKey).slice(-4) })}
                    </span>
                  </td>
                  <td>
                    <StatusBadge group="associationStatus" code={a.status} />
                  </td>
                  <td className="date">{formatDateTime(a.createdAt, language)}</td>
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
